"""``iim_by_images``: IS-DARTS' information measure (IIM) of every candidate op on every edge, per epoch, against the
number of images it is averaged over (002_… §4 "Stability", Figure 4).

Figure 4 draws, for several epochs of the NB201 search on CIFAR-10, a heat map whose rows are the ops at every
location of the cell, whose columns are the number of input images (1 to 1000, randomly sampled) and whose colour is
the IIM (Eq. 11 / the released code's score, ``searchcore.selection.iim``). The probe measures exactly what IS-DARTS'
pruning measures (``measure_iim``: eval mode, no grad, the op outputs before weighting, the mean over every cell of
a type, ``method.shrink.measure``), on the images the pruning step of that epoch reads (the weight split,
augmented, data epoch ``IIM_EPOCH_OFFSET`` + the finished epoch, so at the shrink epochs the count of
``method.shrink.samples`` gives the very scores the pruning used), but keeps every sample's score so that one pass
gives the running mean over the first n images for each n of :data:`IMAGE_COUNTS`.

Columns ``iim_<cell type>_<input>to<target>_<op>_n<count>``: the mean IIM over the first ``count`` images (counts
the data cannot reach are left out). ``none`` has no column: it is never computed and its score is +inf by
definition (``iim.py``); ops pruned by a shrink step are NaN from then on (never computed), and so is a running mean
that an infinite sample score (a map constant across channels) made infinite. The measurement runs before the epoch
hooks, i.e. before a shrink step of the same epoch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch

from searchcore.probes import ProbeSpec, register_probe
from searchcore.selection.iim import IIM_MEASURES
from searchcore.selection.shrink import IIM_EPOCH_OFFSET
from searchcore.supernets.base import Supernet

IMAGE_COUNTS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
"""Figure 4's x axis runs from 1 to 1000 images (002_… §4 "Stability"); 200 is the paper's NB201 setting (§4.1)."""


class _BatchScores:
    """Sums over the cells of a type of each op's per-sample IIM on one batch (the mixed ops' ``probe`` hook)."""

    def __init__(self, cells, take: int, measure) -> None:
        self.take, self.measure = take, measure
        self.sums = {c.name: torch.zeros(c.num_edges, c.num_ops, take, dtype=torch.float64) for c in cells}
        self.counts = {c.name: torch.zeros(c.num_edges, c.num_ops, 1, dtype=torch.float64) for c in cells}

    def hook(self, cell: str, edge: int):
        def probe(k: int, y: torch.Tensor) -> None:
            self.sums[cell][edge, k] += self.measure(y[: self.take]).cpu()
            self.counts[cell][edge, k] += 1

        return probe

    def means(self, cell: str) -> torch.Tensor:
        return self.sums[cell] / self.counts[cell]  # 0/0 = NaN: never computed


def per_sample_iim(
    model: Supernet, batches: Iterable[tuple[torch.Tensor, torch.Tensor]], samples: int, measure: str = "code",
    prepare=lambda x: x,
) -> dict[str, torch.Tensor]:
    """(edges, ops, S) per cell type: each of the first S ≤ ``samples`` images' IIM, averaged over the cells of the
    type; NaN for ops never computed (masked, ``none``). Batches are fed whole (BatchNorm sees its usual batch)."""
    score = IIM_MEASURES.get(measure)
    cells = model.space.cells
    chunks: dict[str, list[torch.Tensor]] = {c.name: [] for c in cells}
    was_training = model.training
    model.eval()
    seen = 0
    mixed = [(t, e, m) for t, module in model.search_cells() for e, m in enumerate(module.mixed)]
    try:
        with torch.no_grad():
            for x, _ in batches:
                batch = _BatchScores(cells, min(len(x), samples - seen), score)
                for t, e, m in mixed:
                    m.probe = batch.hook(t, e)
                model(prepare(x))
                for c in cells:
                    chunks[c.name].append(batch.means(c.name))
                seen += batch.take
                if seen >= samples:
                    break
    finally:
        for _, _, m in mixed:
            m.probe = None
        model.train(was_training)
    return {c.name: torch.cat(chunks[c.name], dim=2) if chunks[c.name] else
            torch.zeros(c.num_edges, c.num_ops, 0, dtype=torch.float64) for c in cells}


def running_means(scores: dict[str, torch.Tensor], space, counts: Iterable[int]) -> dict[str, float]:
    """The probe's columns from :func:`per_sample_iim`: the mean over the first n images, for each n reached."""
    out: dict[str, float] = {}
    for cell in space.cells:
        s = scores[cell.name]
        cumulative = s.cumsum(dim=2)
        for e, ops in enumerate(cell.edge_ops):
            target, source = space.edges[e]
            for k, op in enumerate(ops):
                if op == "none":
                    continue
                for n in counts:
                    if n <= s.shape[2]:
                        value = float(cumulative[e, k, n - 1]) / n
                        key = f"iim_{cell.name}_{source}to{target}_{op}_n{n}"
                        out[key] = value if math.isfinite(value) else math.nan
    return out


class IIMByImages:
    def __init__(self, run, cfg) -> None:
        self.run = run

    def epoch_metrics(self) -> dict[str, float]:
        run = self.run
        batches = run.batches(run.weight_split(), IIM_EPOCH_OFFSET + run.epoch + 1, augment=True, shuffle=True)
        with run.autocast():
            scores = per_sample_iim(run.model, batches, max(IMAGE_COUNTS), run.cfg.method.shrink.measure,
                                    prepare=run.prepare_batch)
        return running_means(scores, run.space, IMAGE_COUNTS)


register_probe(ProbeSpec("iim_by_images", IIMByImages,
                         "IIM of every op on every edge, mean over the first 1..1000 images, per epoch "
                         "(IS-DARTS 002_… Figure 4)"))
