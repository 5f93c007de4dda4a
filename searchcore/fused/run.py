"""K seeds of one search configuration trained as one fused model (``seeds_per_trial``, docs/sweeps.md).

:class:`FusedSearchRun` holds one :class:`searchcore.search.SearchRun` per seed (its data order, α, optimisers,
mutation generator, metrics and checkpoint format are that run's) and replaces their training and evaluation
passes by fused ones (``searchcore.fused.steps``). Every seed reports the rows its run alone would report, to
float tolerance (tests/searchcore/fused), plus ``fused_seeds``; ``epoch_seconds`` is its share of the fused
epoch (the fused wall time / K, so summing a sweep's rows still gives its device time) and
``fused_epoch_seconds`` the whole.

A checkpoint is one directory per seed (``seed_<k>/``, the checkpoint that seed's run alone writes, so
selection can start from it) and ``fused.json`` (the seeds, and those that diverged). A seed that diverges stops
reporting, as its trial alone would fail; the others go on.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import torch

from searchcore.config import SearchConfig
from searchcore.fused.stack import ReplicaStack
from searchcore.fused.steps import FusedNet, fused_arch_step, fused_combined_step, fused_eval, fused_weight_step
from searchcore.memory import reset_peak
from searchcore.methods.mutation import EdgeMutator
from searchcore.ops import OPS
from searchcore.search.divergence import DivergedError
from searchcore.search.loop import SearchRun, log_progress, summarise_epoch
from searchcore.search.steps import StepStats
from searchcore.selection.rules import SELECTION_RULES
from searchcore.spaces import get_space

log = logging.getLogger(__name__)

FUSED_FILE = "fused.json"


class FusedReporter(Protocol):
    def report(self, rows: Mapping[int, dict[str, Any]], checkpoint_dir: str | None = None) -> None:
        """This epoch's row of every seed still running (by its index in the group), and a checkpoint to
        persist before returning."""

    def seed_failed(self, index: int, error: BaseException) -> None:
        """Seed ``index`` stopped (it diverged); it reports no more rows."""

    def restore_dir(self) -> str | None: ...


class NullFusedReporter:
    """Keeps every seed's rows in memory (tests)."""

    persists_checkpoints = False

    def __init__(self, size: int) -> None:
        self.history: list[list[dict[str, Any]]] = [[] for _ in range(size)]
        self.failed: dict[int, str] = {}

    def report(self, rows: Mapping[int, dict[str, Any]], checkpoint_dir: str | None = None) -> None:
        for k, row in rows.items():
            self.history[k].append(dict(row))

    def seed_failed(self, index: int, error: BaseException) -> None:
        self.failed[index] = str(error)

    def restore_dir(self) -> str | None:
        return None


def fusion_problem(configs: list[SearchConfig]) -> str:
    """Why these configs cannot run fused ('' when they can): they must differ in the seed alone, and the
    method must be one whose every seed does the same computation up to its own draws."""
    if not configs:
        return "no seeds to fuse"
    seeds = [c.seed for c in configs]
    if len(set(seeds)) != len(seeds):
        return f"fused seeds must differ, got {seeds}"
    first = configs[0].model_dump(mode="json", exclude={"seed"})
    for c in configs[1:]:
        if c.model_dump(mode="json", exclude={"seed"}) != first:
            return "fused seeds must share every setting but the seed"
    cfg = configs[0]
    if cfg.method.arch_gradient == "second_order":
        return ("second-order α gradients unroll a virtual weight step per seed through its own optimiser state, "
                "which the fused path does not batch; use seeds_per_trial: 1 (or method.arch_gradient: first_order)")
    random_ops = sorted({op for c in get_space(cfg.space).cells for ops in c.edge_ops for op in ops
                         if OPS.get(op).draws_random})
    if random_ops:
        return (f"space {cfg.space!r} has ops drawing from the global RNG ({', '.join(random_ops)}): fused seeds "
                "would draw from one stream, not each its own; use seeds_per_trial: 1")
    if cfg.probes.names:
        return (f"probes ({', '.join(cfg.probes.names)}) hook one supernet's tensors, not a stack of them; "
                "use seeds_per_trial: 1")
    if SELECTION_RULES.get(cfg.method.selection).hooks(cfg):
        return (f"selection {cfg.method.selection!r} changes each seed's supernet during the search (IS-DARTS "
                "prunes its own ops per seed), which the fused path does not follow; use seeds_per_trial: 1")
    return ""


class FusedSearchRun:
    def __init__(self, configs: list[SearchConfig], reporter: FusedReporter | None = None) -> None:
        problem = fusion_problem(configs)
        if problem:
            raise ValueError(problem)
        self.configs = configs
        self.reporter: FusedReporter = reporter or NullFusedReporter(len(configs))
        self.runs = [SearchRun(cfg) for cfg in configs]  # each seeds the global RNG before building its model
        self.stack = ReplicaStack([run.model for run in self.runs])
        self.net = FusedNet(self.stack.template)
        self.failed: dict[int, str] = {}
        self.device = self.runs[0].device

    @property
    def epoch(self) -> int:
        return self.runs[0].epoch

    @property
    def cfg(self) -> SearchConfig:
        return self.configs[0]

    # ------------------------------------------------------------------ checkpoints

    def save(self, directory: str) -> None:
        root = Path(directory)
        for k, run in enumerate(self.runs):
            run.save(str(root / f"seed_{k}"))
        (root / FUSED_FILE).write_text(json.dumps({"seeds": [c.seed for c in self.configs],
                                                   "failed": {str(k): v for k, v in self.failed.items()}}))

    def restore(self, directory: str) -> None:
        root = Path(directory)
        record = json.loads((root / FUSED_FILE).read_text())
        if record["seeds"] != [c.seed for c in self.configs]:
            raise ValueError(f"checkpoint {directory} holds seeds {record['seeds']}, this run "
                             f"{[c.seed for c in self.configs]}")
        for k, run in enumerate(self.runs):
            run.restore(str(root / f"seed_{k}"))
        self.failed = {int(k): v for k, v in record["failed"].items()}

    # ------------------------------------------------------------------ training

    def _mode(self, train: bool) -> None:
        self.net.train(train)
        for run in self.runs:
            run.model.train(train)

    def train_epoch(self, epoch: int, mutators: list[EdgeMutator | None]) -> list[dict[str, Any]]:
        """:meth:`SearchRun.train_epoch` of every seed, as one fused pass (each seed on its own batches)."""
        self._mode(True)
        m, runs, stack = self.cfg.method, self.runs, self.stack
        w_opts = [run.w_opt for run in runs]
        a_opts = [run.a_opt for run in runs]
        trains_alpha = a_opts[0] is not None
        streams = [run.iteration_batches(epoch) for run in runs]
        n_batches = streams[0][1]
        w_stats: list[list[StepStats]] = [[] for _ in runs]
        a_stats: list[list[StepStats]] = [[] for _ in runs]
        images = 0
        for i, items in enumerate(zip(*(it for it, _ in streams))):
            xs = torch.stack([run.prepare_batch(x) for run, (x, _, _) in zip(runs, items)])
            ys = torch.stack([y for _, y, _ in items])
            vals = [val for _, _, val in items]
            with runs[0].autocast():
                if m.level == "single" and trains_alpha:
                    if m.single_update == "combined":
                        _extend(w_stats, fused_combined_step(stack, self.net, w_opts, a_opts, xs, ys, m,
                                                             self.cfg.optim, epoch, mutators))
                    else:
                        _extend(a_stats, fused_arch_step(stack, self.net, a_opts, xs, ys, m, epoch))
                        _extend(w_stats, fused_weight_step(stack, self.net, w_opts, xs, ys, self.cfg.optim, mutators))
                    images += ys.shape[1]
                elif vals[0] is None:
                    _extend(w_stats, fused_weight_step(stack, self.net, w_opts, xs, ys, self.cfg.optim, mutators))
                    images += ys.shape[1]
                else:
                    xv = torch.stack([run.prepare_batch(v[0]) for run, v in zip(runs, vals)])
                    yv = torch.stack([v[1] for v in vals])
                    if m.order == "alpha_first":
                        _extend(a_stats, fused_arch_step(stack, self.net, a_opts, xv, yv, m, epoch))
                        _extend(w_stats, fused_weight_step(stack, self.net, w_opts, xs, ys, self.cfg.optim, mutators))
                    else:
                        _extend(w_stats, fused_weight_step(stack, self.net, w_opts, xs, ys, self.cfg.optim, mutators))
                        _extend(a_stats, fused_arch_step(stack, self.net, a_opts, xv, yv, m, epoch))
                    images += ys.shape[1] + yv.shape[1]
            log_progress(epoch, i, n_batches)
        return [summarise_epoch(w, a, images) for w, a in zip(w_stats, a_stats)]

    def evaluate(self, epoch: int) -> list[dict[str, float]]:
        """:meth:`SearchRun.evaluate` of every seed (its α split, eval mode, no mutation), fused."""
        self._mode(False)
        loss = [0.0] * len(self.runs)
        correct = [0] * len(self.runs)
        count = 0
        batches = [run.data.batches("val", run.cfg.seed, epoch, augment=False, shuffle=False,
                                    limit=run.cfg.data.eval_batches) for run in self.runs]
        for items in zip(*batches):
            xs = torch.stack([run.prepare_batch(x) for run, (x, _) in zip(self.runs, items)])
            ys = torch.stack([y for _, y in items])
            with self.runs[0].autocast():
                batch_loss, batch_correct = fused_eval(self.stack, self.net, xs, ys)
            loss = [a + b for a, b in zip(loss, batch_loss)]
            correct = [a + b for a, b in zip(correct, batch_correct)]
            count += ys.shape[1]
        self._mode(True)
        return [{"val_loss": lo / max(count, 1), "val_acc": 100.0 * c / max(count, 1)} for lo, c in zip(loss, correct)]

    def run_epoch(self) -> dict[int, dict[str, Any]]:
        """One fused epoch; the rows of the seeds still running, by index."""
        starts = [run.begin_epoch() for run in self.runs]
        reset_peak(self.device)
        start = time.perf_counter()
        trains = self.train_epoch(self.epoch, [mutator for _, mutator, _ in starts])
        train_seconds = time.perf_counter() - start
        evaluations = self.evaluate(self.epoch)
        rows: dict[int, dict[str, Any]] = {}
        for k, (run, (lr, mutator, p), train, evaluation) in enumerate(zip(self.runs, starts, trains, evaluations)):
            if k in self.failed:
                run.epoch += 1
                continue
            try:
                rows[k] = run.finish_epoch(lr, mutator, p, train, evaluation, start, train_seconds)
            except DivergedError as err:
                run.epoch += 1
                self.failed[k] = str(err)
                self.reporter.seed_failed(k, err)
                log.warning("seed %d: %s", run.cfg.seed, err)
        total = time.perf_counter() - start
        for row in rows.values():
            row["epoch_seconds"] = total / len(self.runs)
            row["fused_epoch_seconds"] = total
            row["fused_seeds"] = len(self.runs)
        return rows

    def run(self) -> dict[int, dict[str, Any]]:
        """Trains every seed to the end; the last rows."""
        restore = self.reporter.restore_dir()
        if restore:
            self.restore(restore)
        persists = getattr(self.reporter, "persists_checkpoints", True)
        last: dict[int, dict[str, Any]] = {}
        while self.epoch < self.cfg.epochs and len(self.failed) < len(self.runs):
            last = self.run_epoch()
            if self.runs[0].checkpoint_due() and persists:
                with tempfile.TemporaryDirectory(prefix="dartsweep-ckpt-") as tmp:
                    self.save(tmp)
                    self.reporter.report(last, tmp)
            else:
                self.reporter.report(last, None)
        return last


def _extend(per_seed: list[list[StepStats]], stats: list[StepStats]) -> None:
    for mine, s in zip(per_seed, stats):
        mine.append(s)


def fused_search_trainable(configs: list[dict[str, Any]], reporter: FusedReporter | None = None) -> dict[int, dict]:
    """K search configs differing in their seed, trained fused: validated dicts in, each seed's last row out."""
    return FusedSearchRun([SearchConfig.model_validate(c) for c in configs], reporter).run()
