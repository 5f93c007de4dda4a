"""IS-DARTS information-based shrinking as a search-loop epoch hook (He et al. 2024; reference-notes §6).

The supernet is α-free (``method.activation: uniform``: every op weighted 1/|O|, pruned ops masked to 0
without renormalising, as ``search_cells.forward_isdarts``) and trains on train+val. After the epochs
of :func:`shrink_epochs` the hook measures the IIM of every unpruned candidate (``iim.py``) and removes
the highest-scoring ones within each comparison set:

* NB201: one set per edge, keep 1; with 5 ops and 4 steps one op per edge goes per step;
* DARTS spaces: one set per intermediate node over all (input edge, op) pairs, keep 2, removing
  ``ceil((remaining − 2) / steps left)`` per step; the two survivors may share an input edge.

The comparison sets come from the space's family (``SpaceFamily.shrink_groups``). The final DARTS genotype
is therefore built from the masks (``SpaceFamily.from_masks``, via the ``shrink`` selection rule), not with
DARTS' top-2-edges rule, which cannot keep two ops on one edge.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import torch

from searchcore.config import SearchConfig
from searchcore.run_api import SearchRunAPI
from searchcore.selection.iim import measure_iim
from searchcore.spaces import SearchSpace
from searchcore.supernets.base import Supernet

log = logging.getLogger(__name__)

IIM_EPOCH_OFFSET = 100_000
"""IIM batches use data epoch ``offset + epoch``: a fresh shuffle and augmentation, not a training epoch's."""

Candidate = tuple[int, int]  # (edge, op index)


def shrink_epochs(total: int, steps: int, interval: int) -> list[int]:
    """One-indexed epochs after which pruning fires: range(total − steps·interval, total, interval).

    ISDARTS.py prunes after 0-indexed epoch e when e + 1 is in this list: NB201 30/4/2 -> [22, 24, 26, 28].
    """
    epochs = list(range(total - steps * interval, total, interval))
    if not epochs or epochs[0] < 1:
        raise ValueError(
            f"shrinking needs epochs > steps·interval ({total} <= {steps}·{interval}): the first step would "
            "fire before any training"
        )
    return epochs


def prune_count(remaining: int, keep: int, steps_left: int) -> int:
    """How many candidates of one comparison set go at this step: ceil((remaining − keep) / steps left)."""
    if steps_left < 1:
        raise ValueError("no pruning steps left")
    return max(0, math.ceil((remaining - keep) / steps_left))


def prune_step(
    mask: torch.Tensor, scores: torch.Tensor, groups: list[list[int]], keep: int, steps_left: int,
) -> list[Candidate]:
    """Zero the highest-IIM unpruned candidates of each group in ``mask`` (edges, ops); returns them.

    Ties (e.g. several ``none`` at +inf) break by edge then op order. NaN scores (never computed while
    unmasked) rank as +inf so that a broken measurement cannot protect an op.
    """
    removed: list[Candidate] = []
    for edges in groups:
        alive = [(e, k) for e in edges for k in range(mask.shape[1]) if mask[e, k] != 0]
        n = prune_count(len(alive), keep, steps_left)
        if n == 0:
            continue

        def key(c: Candidate) -> float:
            s = float(scores[c])
            return -math.inf if math.isnan(s) else -s

        ranked = sorted(alive, key=key)  # stable: highest score first, then edge/op order
        for e, k in ranked[:n]:
            mask[e, k] = 0.0
            removed.append((e, k))
    return removed


def is_final(space: SearchSpace, model: Supernet) -> bool:
    """Whether every comparison set is down to its ``keep`` candidates."""
    groups, keep = space.family.shrink_groups(space)
    return all(
        int((model.op_mask(c.name)[edges] != 0).sum()) == keep for c in space.cells for edges in groups
    )


class ShrinkHook:
    """Epoch hook ``hook(run, metrics)``: prunes after the scheduled epochs and reports what it did.

    It keeps no state of its own: the step follows from ``run.epoch`` and the masks live in the model's
    buffers, so a resumed search continues the schedule exactly.
    """

    def __init__(self, cfg: SearchConfig) -> None:
        s = cfg.method.shrink
        self.epochs = shrink_epochs(cfg.epochs, s.steps, s.interval)
        self.steps = s.steps
        self.samples = s.samples

    def __call__(self, run: SearchRunAPI, metrics: dict[str, Any]) -> None:
        epoch = run.epoch  # one-indexed: the epoch that just finished
        model, space = run.model, run.space
        pruned: list[str] = []
        step = None
        if epoch in self.epochs:
            step = self.epochs.index(epoch) + 1
            start = time.perf_counter()
            pruned = self.prune(run, step)
            metrics["shrink_seconds"] = time.perf_counter() - start
            after = run.evaluate(epoch - 1)  # the pruned supernet, for the per-decision trajectory
            metrics.update(decision=step, phase="shrink", decision_acc=after["val_acc"],
                           decision_loss=after["val_loss"])
            log.info("IS-DARTS step %d/%d after epoch %d: pruned %d candidates", step, self.steps, epoch,
                     len(pruned))
        metrics["shrink_step"] = step
        metrics["shrink_pruned"] = "; ".join(pruned)
        for c in space.cells:
            metrics[f"shrink_remaining_{c.name}"] = int((model.op_mask(c.name) != 0).sum())
        metrics["shrink_final"] = is_final(space, model)
        if step is not None:  # the masks changed: the architecture columns describe the pruned supernet
            metrics.update(run.architecture_metrics())

    def prune(self, run: SearchRunAPI, step: int) -> list[str]:
        """Measure IIM on the weights' training data and prune one step; returns 'cell:edge:op' strings."""
        model, space = run.model, run.space
        batches = run.batches(run.weight_split(), IIM_EPOCH_OFFSET + run.epoch, augment=True, shuffle=True)
        with run.autocast():
            scores, seen = measure_iim(model, batches, self.samples, prepare=run.prepare_batch,
                                       measure=run.cfg.method.shrink.measure)
        groups, keep = space.family.shrink_groups(space)
        out = []
        with torch.no_grad():
            for cell in space.cells:
                removed = prune_step(model.op_mask(cell.name), scores[cell.name], groups, keep,
                                     self.steps - step + 1)
                out.extend(f"{cell.name}:{space.edges[e][1]}->{space.edges[e][0]}:{cell.edge_ops[e][k]}"
                           for e, k in removed)
        log.debug("IIM over %d images: %s", seen, {k: v.tolist() for k, v in scores.items()})
        return out
