"""IS-DARTS' information measure (IIM) of every candidate op (He et al. 2024; reference-notes §6).

For an op output x (B, C, H, W), at each sample and spatial position take the mean μ and the *unbiased*
standard deviation σ across channels; the per-element score is 3·(x − μ)² / σ⁶, NaN (0/0: a map that
is constant across channels, e.g. ``none``'s zeros) becomes +inf, and the mean over C, H, W gives one
value per sample [CODE IS shrink_metric.py]. Scores are averaged over the measured samples and over all
cells of a type (all 15 NB201 cells share one table; DARTS normal and reduce cells have one each).

Measurement follows the released code: eval mode, no_grad, training images with the training
augmentation. Ops are observed through :attr:`MixedOp.probe`, i.e. unweighted and before the 1/|O|
scaling. The mixed op never computes ``none`` (its term is exactly 0) nor masked ops, so ``none`` is
set to +inf directly (what 0/0 gives in the reference) and masked ops get no score: the reference
zeroes pruned scores before its argmax, so they are never candidates either way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import torch
from torch import nn

from searchcore.registry import Registry
from searchcore.supernets.base import Supernet

Measure = Callable[[torch.Tensor], torch.Tensor]
"""(B, C, H, W) op output -> (B,) IIM per sample (float64)."""

IIM_MEASURES: Registry[Measure] = Registry("IIM measure")


@IIM_MEASURES.decorator("code")
def iim_per_sample(x: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) op output -> (B,) IIM per sample (float64), as shrink_metric.py computes it."""
    x = x.detach().double()
    mu = x.mean(dim=1, keepdim=True)  # (B, 1, H, W)
    sigma = x.std(dim=1, keepdim=True, unbiased=True)  # (B, 1, H, W); NaN for C = 1
    score = 3.0 * (x - mu).pow(2) / sigma.pow(6)  # (B, C, H, W)
    score = torch.nan_to_num(score, nan=math.inf, posinf=math.inf)
    return score.flatten(1).mean(dim=1)


@IIM_MEASURES.decorator("eq11")
def iim_eq11(x: torch.Tensor) -> torch.Tensor:
    """Eq. 11 of 002_…: M = Σ_m σ_m² / 3 over the p = H·W pixels, σ_m² the unbiased variance of pixel m
    across channels (the Cramér-Rao bounds of a Gaussian's μ and σ). The released code scores
    3(x − μ)²/σ⁶ instead (:func:`iim_per_sample`); both prune the highest score."""
    x = x.detach().double()
    var = x.var(dim=1, unbiased=True)  # (B, H, W); NaN for C = 1
    return torch.nan_to_num(var / 3.0, nan=math.inf).flatten(1).sum(dim=1)


class IIMAccumulator:
    """Running IIM sums per (cell type, edge, op) over every search cell of a supernet."""

    def __init__(self, model: Supernet, measure: str = "code") -> None:
        self.model = model
        self.measure = IIM_MEASURES.get(measure)
        self.sums = {c.name: torch.zeros(c.num_edges, c.num_ops, dtype=torch.float64) for c in model.space.cells}
        self.counts = {c.name: torch.zeros(c.num_edges, c.num_ops, dtype=torch.float64) for c in model.space.cells}

    def _probe(self, cell: str, edge: int):
        def record(k: int, y: torch.Tensor) -> None:
            scores = self.measure(y).cpu()  # (B,)
            self.sums[cell][edge, k] += scores.sum()
            self.counts[cell][edge, k] += len(scores)

        return record

    @contextmanager
    def attached(self) -> Iterator[IIMAccumulator]:
        """Install the probes on every mixed op of every search cell; always removed afterwards."""
        mixed = [(cell, e, m) for cell, module in self.model.search_cells() for e, m in enumerate(module.mixed)]
        for cell, e, m in mixed:
            m.probe = self._probe(cell, e)
        try:
            yield self
        finally:
            for _, _, m in mixed:
                m.probe = None

    def scores(self) -> dict[str, torch.Tensor]:
        """(edges, ops) mean IIM per cell type: +inf for ``none``, NaN where an op was never computed."""
        out = {}
        for c in self.model.space.cells:
            mean = self.sums[c.name] / self.counts[c.name]  # 0/0 -> NaN for ops never computed
            for e, ops in enumerate(c.edge_ops):
                for k, name in enumerate(ops):
                    if name == "none":
                        mean[e, k] = math.inf
            out[c.name] = mean
        return out


@torch.no_grad()
def measure_iim(
    model: Supernet, batches: Iterable[tuple[torch.Tensor, torch.Tensor]], samples: int | None,
    prepare=lambda x: x, measure: str = "code",
) -> tuple[dict[str, torch.Tensor], int]:
    """Mean IIM per (cell type, edge, op) over the first ``samples`` images (``None`` = all batches).

    The model is put in eval mode (as ``ISDARTS.py``) and restored to its previous mode afterwards.
    Returns the scores and the number of images seen.
    """
    acc = IIMAccumulator(model, measure)
    was_training = model.training
    model.eval()
    seen = 0
    try:
        with acc.attached():
            for x, _ in batches:
                if samples is not None:
                    x = x[: samples - seen]
                model(prepare(x))
                seen += len(x)
                if samples is not None and seen >= samples:
                    break
    finally:
        model.train(was_training)
    return acc.scores(), seen


def probe_modules(model: Supernet) -> list[nn.Module]:
    """Every mixed op the accumulator attaches to (for tests and diagnostics)."""
    return [m for _, module in model.search_cells() for m in module.mixed]
