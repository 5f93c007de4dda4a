"""``op_weights``: the mean architecture weight of each op, and of the parametric and the parameter-free ops, per epoch
(r-DARTS 004_… "Rethinking Information Characteristics of DAS", Figure 4).

r-DARTS splits the search into a feature-extraction stage, where the ops with trainable parameters (e.g. separable
convolutions) carry the larger weights, and a compression stage, where the mean weight of the parameter-free ops
(skip connection, pooling) grows until it dominates; Figure 4 is the empirical check of that claim. What the paper
tracks is therefore the mixing weight β = softmax(α) of Eq. 1 averaged over the edges of a cell type, by op and by
kind of op; the probe reports it at the end of every epoch from the weights the search uses (activation(α) with
decided edges and masks, :meth:`Supernet.edge_weights`):

* ``op_weight_<cell>_<op>``: the mean over the cell type's edges that offer ``op`` of its weight;
* ``op_weight_<cell>_parametric`` / ``op_weight_<cell>_free``: the mean weight of one op of that kind, over every
  (edge, op) pair of the kind (``OpSpec.parametric``). ``none`` is left out of the parameter-free mean: it is the
  absence of an edge, not a compressing op, and DARTS' derivation never keeps it.
"""

from __future__ import annotations

import torch

from searchcore.ops import OPS
from searchcore.probes import ProbeSpec, register_probe


def op_weight_means(space, weights: dict[str, torch.Tensor]) -> dict[str, float]:
    """The probe's columns from (edges, ops) edge weights per cell type."""
    out: dict[str, float] = {}
    for cell in space.cells:
        w = weights[cell.name].detach().double().cpu()
        by_op: dict[str, list[float]] = {}
        kinds: dict[str, list[float]] = {"parametric": [], "free": []}
        for e, ops in enumerate(cell.edge_ops):
            for k, op in enumerate(ops):
                value = float(w[e, k])
                by_op.setdefault(op, []).append(value)
                if op != "none":
                    kinds["parametric" if OPS.get(op).parametric else "free"].append(value)
        for name, values in {**by_op, **kinds}.items():
            if values:
                out[f"op_weight_{cell.name}_{name}"] = sum(values) / len(values)
    return out


class OpWeights:
    def __init__(self, run, cfg) -> None:
        self.run = run

    def epoch_metrics(self) -> dict[str, float]:
        with torch.no_grad():
            weights = self.run.model.edge_weights()
        return op_weight_means(self.run.space, weights)


register_probe(ProbeSpec("op_weights", OpWeights,
                         "mean edge weight per op and of parametric vs parameter-free ops, per cell type "
                         "(r-DARTS 004_… Figure 4: feature extraction, then compression)"))
