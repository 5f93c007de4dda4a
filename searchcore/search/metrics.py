"""Per-epoch metrics of a supernet's architecture: one function for every trainable.

* :func:`architecture_metrics` — what an architecture *is*: its text form (``genotype``), benchmark key
  (``arch``, the NB201 arch string), the family's op counts (``n_skip``, ``n_parametric``, ...) and its
  benchmark scores (``nb201_<column>``).
* :func:`weight_metrics` — how the supernet weighs it: α entropies and the raw α / edge weights.

Entropies are of the per-edge weight distribution (softmax of α; normalised sigmoid weights for the
sigmoid activation), averaged over edges and cell types. ``alpha_entropy_parametric`` /
``alpha_entropy_free`` restrict each edge's distribution to its parametric / parameter-free ops
(renormalised; edges with fewer than two such ops count as 0), and ``alpha_mass_parametric`` is the mean
share of weight on parametric ops: together they show the drift towards skip-connections.
"""

from __future__ import annotations

import json
from typing import Any

import torch

from searchcore.architectures import Architecture
from searchcore.spaces import SearchSpace


def architecture_metrics(space: SearchSpace, architecture: Architecture, table: Any = None) -> dict[str, Any]:
    """Identity, op counts and benchmark scores of ``architecture`` (``table``: the family's benchmark)."""
    key = architecture.benchmark_key()
    out: dict[str, Any] = {"genotype": architecture.to_str(), "arch": key, **space.family.op_counts(architecture)}
    if space.family.benchmark is not None:
        out.update(space.family.benchmark.metrics(table, key))
    return out


def _entropy(p: torch.Tensor) -> torch.Tensor:
    p = p / p.sum(dim=-1, keepdim=True).clamp_min(1e-12)
    return -(p * p.clamp_min(1e-12).log()).sum(dim=-1)


def weight_entropies(space: SearchSpace, weights: dict[str, torch.Tensor]) -> dict[str, float]:
    total, param, free, mass = [], [], [], []
    for cell in space.cells:
        w = weights[cell.name].detach().float().cpu()  # (edges, ops)
        is_param = torch.tensor(cell.parametric_mask())
        total.append(_entropy(w))
        for mask, bucket in ((is_param, param), (~is_param, free)):
            sub = torch.where(mask, w, torch.zeros_like(w))
            ent = _entropy(sub)
            ent[mask.sum(dim=-1) < 2] = 0.0
            bucket.append(ent)
        mass.append((w * is_param).sum(-1) / w.sum(-1).clamp_min(1e-12))
    return {
        "alpha_entropy": float(torch.cat(total).mean()),
        "alpha_entropy_parametric": float(torch.cat(param).mean()),
        "alpha_entropy_free": float(torch.cat(free).mean()),
        "alpha_mass_parametric": float(torch.cat(mass).mean()),
    }


def tensors_json(tensors: dict[str, torch.Tensor], digits: int = 5) -> str:
    return json.dumps({k: [[round(float(v), digits) for v in row] for row in t.detach().cpu()]
                       for k, t in tensors.items()})


def weight_metrics(space: SearchSpace, alphas: dict[str, torch.Tensor],
                   weights: dict[str, torch.Tensor]) -> dict[str, Any]:
    """α entropies of the edge weights, plus α and the edge weights as JSON (the trajectory plots)."""
    return {**weight_entropies(space, weights), "alphas": tensors_json(alphas), "edge_weights": tensors_json(weights)}
