"""``grad_correlation``: Single-DARTS' gradient correlation (003_… §4.2 Eq. 8, §5.2.1, Figure 2) per node of the
first, middle and last search cell.

What is estimated. §4.2 linearises an op as o_i(x) = W_i x on the maps x a node reads and x̄ the node's output, and
shows that the α gradient ∂L/∂p_i carries the term −η p_i/(NM) Σ_j Σ_k (g_val^j · g_train^k)(x_train^k · x_val^j),
g^j = ∂L(x^j)/∂x̄ of sample j: the weight step on the training batch moves the validation loss only through that
double sum (Eq. 8), which vanishes when the two batches are independent (bi-level) and is large when they are the
same batch (single level, §4.3; §5.2.1 defines both). The double sum is exactly the Frobenius inner product
⟨Σ_j g_A^j x_A^jᵀ, Σ_k g_B^k x_B^kᵀ⟩ of the two batches' gradients of such a linear op (Eq. 7 with p_i = 1), which
the tests use to check it independently.

How. At the end of every epoch, with the weights and α of that moment, the probe draws one batch of the weight split
and one of the α split (as the steps see them: augmented, training mode, no edge mutation; a data epoch of their
own, so the search's batches and RNG are untouched). For every intermediate node n of the first, middle and last
search cell it takes, per sample, x = the maps the node reads (its predecessor nodes, concatenated, flattened) and
g = the gradient of the batch's summed cross-entropy with respect to the node's output (the sum of its incoming
mixed edges; through BatchNorm's batch statistics, as in the search steps). It reports

* ``grad_corr_bilevel_<cell>_n<node>``: Eq. 8 for A = the α batch, B = the weight batch (DARTS' pairing),
* ``grad_corr_single_<cell>_n<node>``: Eq. 8 for A = B = the weight batch (Single-DARTS' pairing, Eq. 16),

each divided by N·M (the 1/(NM) of §4.2, so the value does not grow with the batch size), and ``grad_cos_…``: the
same sums divided by the Frobenius norms of the two gradients (a cosine in [−1, 1], free of the maps' scale; ours,
not the paper's). ``<cell>`` is ``first``, ``middle`` (index ⌊n/2⌋ of :meth:`Supernet.search_cells`) or ``last``.
The model's buffers (BatchNorm running statistics) are restored afterwards and no parameter's ``.grad`` is touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from searchcore.probes import ProbeSpec, register_probe

DATA_EPOCH_OFFSET = 200_000
"""The probe's batches use data epoch ``offset + epoch``: a fresh draw, never one of the search's epochs."""

Batch = tuple[torch.Tensor, torch.Tensor]
NodeMaps = dict[tuple[str, int], tuple[torch.Tensor, torch.Tensor]]
"""(cell position, node) -> (x: (B, D) maps the node reads, g: (B, D') ∂L/∂(node output)), float64."""


def watched_cells(model: nn.Module) -> dict[str, int]:
    """Figure 2's first, middle and last cell: position -> index into ``search_cells()``."""
    n = len(model.search_cells())
    return {"first": 0, "middle": n // 2, "last": n - 1}


@contextmanager
def buffers_kept(model: nn.Module) -> Iterator[None]:
    """Run a forward in training mode without leaving a trace in the running statistics."""
    saved = {name: b.detach().clone() for name, b in model.named_buffers()}
    was_training = model.training
    try:
        yield
    finally:
        model.train(was_training)
        with torch.no_grad():
            for name, b in model.named_buffers():
                b.copy_(saved[name])


def node_maps(model: nn.Module, space, cells: dict[str, int], batch: Batch) -> NodeMaps:
    """x and g of every intermediate node of the watched cells on one batch (training mode, α's weights fixed)."""
    x, y = batch
    inputs: dict[tuple[int, int], torch.Tensor] = {}
    outputs: dict[tuple[int, int], torch.Tensor] = {}
    modules = model.search_cells()
    handles = []

    def record(index: int, edge: int):
        def hook(module, args, output):
            inputs[index, edge] = args[0]
            outputs[index, edge] = output

        return hook

    for index in set(cells.values()):
        for e, mixed in enumerate(modules[index][1].mixed):
            handles.append(mixed.register_forward_hook(record(index, e)))
    try:
        with buffers_kept(model):
            model.train()
            with torch.no_grad():
                weights = model.edge_weights()  # no grad to α: its probes and .grad stay untouched
            loss = nn.functional.cross_entropy(model(x, weights=weights).float(), y, reduction="sum")
            keys = [(pos, node) for pos in cells for node in space.nodes()]
            first_edge = {node: space.node_edges(node)[0] for node in space.nodes()}
            targets = [outputs[cells[pos], first_edge[node]] for pos, node in keys]
            grads = torch.autograd.grad(loss, targets)
    finally:
        for h in handles:
            h.remove()
    out: NodeMaps = {}
    for (pos, node), g in zip(keys, grads):
        sources = {space.edges[e][1]: inputs[cells[pos], e] for e in space.node_edges(node)}
        xs = torch.cat([sources[j].detach().flatten(1) for j in sorted(sources)], dim=1)
        out[pos, node] = (xs.double(), g.detach().flatten(1).double())
    return out


def correlation(a: tuple[torch.Tensor, torch.Tensor], b: tuple[torch.Tensor, torch.Tensor]) -> tuple[float, float]:
    """(Eq. 8 / (N·M), cosine) of batches a = (x_A, g_A) and b = (x_B, g_B): Σ_j Σ_k (g_A^j·g_B^k)(x_B^k·x_A^j)."""
    (xa, ga), (xb, gb) = a, b
    eq8 = float(((ga @ gb.T) * (xa @ xb.T)).sum())
    norm_a = float(((ga @ ga.T) * (xa @ xa.T)).sum()) ** 0.5
    norm_b = float(((gb @ gb.T) * (xb @ xb.T)).sum()) ** 0.5
    cos = eq8 / (norm_a * norm_b) if norm_a > 0 and norm_b > 0 else float("nan")
    return eq8 / (len(xa) * len(xb)), cos


def correlations(model: nn.Module, space, weight_batch: Batch, alpha_batch: Batch | None) -> dict[str, float]:
    """The probe's columns for one weight batch and one α batch (None: a run without an α split; bi-level NaN)."""
    cells = watched_cells(model)
    w = node_maps(model, space, cells, weight_batch)
    a = node_maps(model, space, cells, alpha_batch) if alpha_batch is not None else {}
    out: dict[str, float] = {}
    for (pos, node), maps in w.items():
        for pairing, first in (("bilevel", a.get((pos, node))), ("single", maps)):
            eq8, cos = correlation(first, maps) if first is not None else (float("nan"), float("nan"))
            out[f"grad_corr_{pairing}_{pos}_n{node}"] = eq8
            out[f"grad_cos_{pairing}_{pos}_n{node}"] = cos
    return out


class GradCorrelation:
    def __init__(self, run, cfg) -> None:
        self.run = run

    def epoch_metrics(self) -> dict[str, float]:
        run = self.run
        epoch = DATA_EPOCH_OFFSET + run.epoch
        weight_batch, alpha_batch = (next(iter(run.batches(split, epoch, limit=1)), None) for split in ("train", "val"))
        if weight_batch is None:
            raise ValueError("grad_correlation: the weight split holds no batch")
        alpha = None if alpha_batch is None else (run.prepare_batch(alpha_batch[0]), alpha_batch[1])
        return correlations(run.model, run.space, (run.prepare_batch(weight_batch[0]), weight_batch[1]), alpha)


register_probe(ProbeSpec("grad_correlation", GradCorrelation,
                         "Eq. 8 gradient correlation per node of the first, middle and last cell: α batch x weight "
                         "batch (bi-level) and weight batch x itself (single level) (Single-DARTS 003_… Figure 2)"))
