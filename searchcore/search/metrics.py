"""Per-epoch architecture metrics: derived genotype, op counts, α entropies, NB201 lookups.

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

from searchcore.genotypes import Genotype, derive_darts, derive_nb201, genotype_ops
from searchcore.ops import OPS
from searchcore.spaces import SearchSpace


def derive(space: SearchSpace, weights: dict[str, torch.Tensor], exclude_none: bool) -> Genotype | str:
    if space.family == "nb201":
        return derive_nb201(space, weights["cell"], exclude_none)
    return derive_darts(space, weights)


def genotype_text(genotype: Genotype | str) -> str:
    return genotype if isinstance(genotype, str) else genotype.to_str()


def op_counts(genotype: Genotype | str) -> dict[str, int]:
    """Skip-connections and parametric ops in the derived cell (the normal cell for DARTS spaces)."""
    if isinstance(genotype, str):
        ops = genotype_ops(genotype)
        reduce_ops: list[str] = []
    else:
        ops = [op for op, _ in genotype.normal]
        reduce_ops = [op for op, _ in genotype.reduce]
    out = {
        "n_skip": sum(op == "skip_connect" for op in ops),
        "n_parametric": sum(OPS.get(op).parametric for op in ops),
    }
    if reduce_ops:
        out["n_skip_reduce"] = sum(op == "skip_connect" for op in reduce_ops)
        out["n_parametric_reduce"] = sum(OPS.get(op).parametric for op in reduce_ops)
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


def nb201_metrics(table: Any, arch: str | None) -> dict[str, float | None]:
    """NB201 accuracies of the derived arch (keys ``nb201_<column>``); empty without a table."""
    if table is None or arch is None:
        return {}
    row = table.lookup(arch) or {}
    keys = ("cifar10_valid", "cifar10_test", "cifar100_valid", "cifar100_test", "imagenet16_valid",
            "imagenet16_test")
    return {f"nb201_{k}": _num(row.get(k)) for k in keys}


def _num(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if value != value else value
