"""The evaluation loop: a plain trainable ``evaluate_trainable(config, reporter)`` (no Ray here).

It trains the discrete network of one architecture from scratch, as the papers' evaluation scripts do
(DA ``train.py``; reference-notes §3.3): per epoch the lr of the protocol's schedule, drop-path ramped as
``drop_path · epoch / epochs`` (set on the network before the epoch, DA ``train.py``), one pass over the
whole training split with the auxiliary loss, then the test split in eval mode. Each epoch is one report
(train/test loss and accuracy, lr, drop-path probability, time, peak memory, parameters) with a checkpoint
when due; the checkpoint holds weights, optimiser, the epoch (which fixes lr, drop-path and data order) and
every RNG state, so a resumed run continues on exactly the uninterrupted trajectory.

Construction (:func:`build_eval_network`, :func:`build_optimizer`) is separate from the loop, and the step
(:func:`searchcore.evaluate.steps.train_step`) knows nothing of ranks. Given :class:`Ranks` of an initialised
``torch.distributed`` group, the run is data-parallel (``searchcore.evaluate.distributed``): the model is
wrapped in DDP, each rank trains on its shard of every global batch, metrics are summed over the ranks, only
rank 0 writes checkpoints, and every rank restores the checkpoint its reporter offers.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from searchcore.architectures import Architecture
from searchcore.device import autocast, resolve_device
from searchcore.evaluate.config import EvalConfig, EvalOptimConfig, eval_to_yaml
from searchcore.evaluate.data import EvalData, build_eval_data
from searchcore.evaluate.distributed import (
    Ranks,
    all_reduce,
    check_batch,
    convert_batchnorm,
    epoch_seed,
    wrap_data_parallel,
)
from searchcore.evaluate.schedules import learning_rate
from searchcore.evaluate.steps import StepStats, split_output, train_step
from searchcore.memory import peak_memory_mb, reset_peak
from searchcore.networks.params import count_parameters_m
from searchcore.search.checkpoint import load_checkpoint, save_checkpoint, seed_everything, set_rng_state
from searchcore.search.metrics import architecture_metrics
from searchcore.search.reporter import NullReporter, Reporter
from searchcore.spaces import get_space

log = logging.getLogger(__name__)

STATE_KIND = "evaluate"
"""``kind`` of an evaluation checkpoint (search checkpoints have none, selection ones ``pt-select``)."""


def parse_architecture(cfg: EvalConfig) -> Architecture:
    """The architecture of ``cfg`` as its space's family reads it (ValueError when there is none)."""
    if cfg.architecture is None:
        raise ValueError("no architecture to evaluate: give architecture (a genotype, an NB201 arch string or a "
                         "registered name such as DARTS_V2), or chain the sweep after a search (after:)")
    return get_space(cfg.space).family.parse_architecture(cfg.architecture)


def build_eval_network(cfg: EvalConfig, architecture: Architecture, num_classes: int) -> nn.Module:
    """The evaluation network as the space's family builds it (the same call as ``dartsweep params``)."""
    family = get_space(cfg.space).family
    net = cfg.network
    try:
        return family.build_network(architecture, num_classes, cfg.data.dataset, net.layers, net.channels,
                                    net.auxiliary)
    except ValueError as err:
        raise ValueError(f"cannot build the network of {architecture.to_str()}: {err}") from None


def build_optimizer(model: nn.Module, cfg: EvalOptimConfig) -> torch.optim.SGD:
    """SGD over every parameter, auxiliary head included (DA ``train.py``); the lr is set per epoch."""
    return torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay,
                           nesterov=cfg.nesterov)


def drop_path_probability(maximum: float, epoch: int, epochs: int) -> float:
    """Drop-path probability of epoch ``epoch`` (0-based): ``maximum · epoch / epochs`` (DA ``train.py``)."""
    return maximum * epoch / epochs


class EvalRun:
    """One evaluation; ``run()`` trains from the current epoch to the end.

    ``ranks``: this process's place in a data-parallel run (default: alone). Every rank calls its reporter once
    per epoch with the same (all-reduced) metrics, rank 0 with the checkpoint and the others with ``None``; give
    the other ranks a :class:`~searchcore.search.reporter.NullReporter` unless the launcher needs every rank to
    report (Ray Train's ``report`` is a barrier).
    """

    def __init__(self, cfg: EvalConfig, reporter: Reporter | None = None, data: EvalData | None = None,
                 ranks: Ranks | None = None) -> None:
        self.cfg = cfg
        self.reporter = reporter or NullReporter()
        self.ranks = ranks or Ranks()
        check_batch(cfg.data.batch_size, self.ranks)
        self.space = get_space(cfg.space)
        self.architecture = parse_architecture(cfg)
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        self.device = resolve_device(cfg.device)
        self.seeds = seed_everything(cfg.seed)
        self.data = data or build_eval_data(cfg.data, cfg.seed, self.device)
        self.model = build_eval_network(cfg, self.architecture, self.data.num_classes).to(self.device)
        if cfg.sync_bn:
            self.model = convert_batchnorm(self.model, self.ranks, self.device)
        if cfg.channels_last:
            self.model.to(memory_format=torch.channels_last)
        self.optimizer = build_optimizer(self.model, cfg.optim)
        # the module that trains: DDP around the model with several ranks (checkpoints hold the bare model's
        # weights, so they load with any number of ranks); a head left out of the loss has no gradient
        unused = cfg.network.auxiliary_weight == 0 and getattr(self.model, "auxiliary_head", None) is not None
        self.train_model = wrap_data_parallel(self.model, self.ranks, self.device, find_unused_parameters=unused)
        self.params_m = count_parameters_m(self.model)
        benchmark = self.space.family.benchmark
        table = benchmark.load(cfg.nb201_table) if benchmark is not None and cfg.nb201_table else None
        self.arch_metrics = architecture_metrics(self.space, self.architecture, table)
        self.epoch = 0
        self.history: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ schedules

    def lr_at(self, epoch: int) -> float:
        o = self.cfg.optim
        return learning_rate(o.schedule, o.lr, o.lr_min, epoch, self.cfg.epochs, o.warmup_epochs, o.warmup)

    def drop_prob_at(self, epoch: int) -> float:
        """The scheduled probability, or 0 for networks without drop-path (NB201)."""
        if not hasattr(self.model, "drop_path_prob"):
            return 0.0
        return drop_path_probability(self.cfg.network.drop_path, epoch, self.cfg.epochs)

    # ------------------------------------------------------------------ checkpoints

    def state(self) -> dict[str, Any]:
        return {
            "kind": STATE_KIND, "epoch": self.epoch, "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "schedule": {"name": self.cfg.optim.schedule, "epoch": self.epoch,
                         "lr": self.lr_at(max(self.epoch - 1, 0))},
            "architecture": self.architecture.to_str(), "seeds": self.seeds,
            "last_metrics": json.dumps(self.history[-1], default=str) if self.history else "",
        }

    def save(self, directory: str) -> None:
        save_checkpoint(directory, self.state(), eval_to_yaml(self.cfg))

    def restore(self, directory: str) -> None:
        state = load_checkpoint(directory, self.device)
        if state.get("kind") != STATE_KIND:
            raise ValueError(f"{directory} does not hold an evaluation checkpoint")
        if state["architecture"] != self.architecture.to_str():
            raise ValueError(f"the checkpoint in {directory} trained {state['architecture']}, not "
                             f"{self.architecture.to_str()}")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.epoch = int(state["epoch"])
        set_rng_state(state["rng"])
        if state.get("last_metrics"):
            self.history.append(json.loads(state["last_metrics"]))
        log.info("resumed evaluation from %s at epoch %d", directory, self.epoch)

    # ------------------------------------------------------------------ training

    def autocast(self):
        return autocast(self.cfg.amp, self.device)

    def prepare_batch(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if self.cfg.channels_last else x

    def train_epoch(self, epoch: int) -> dict[str, float]:
        cfg, ranks = self.cfg, self.ranks
        self.model.train()
        if ranks.distributed:  # independent drop-path masks per rank; the epoch stays the whole RNG state
            torch.manual_seed(epoch_seed(cfg.seed, epoch, ranks.rank))
        limit = cfg.data.max_batches
        n_batches = min(self.data.num_batches("train", ranks.world_size), limit or 10**9)
        total = StepStats(0.0, 0, 0)
        batches = self.data.train_batches(cfg.seed, epoch, limit, ranks.rank, ranks.world_size)
        for i, (x, y) in enumerate(batches):
            s = train_step(self.train_model, self.optimizer, self.prepare_batch(x), y,
                           auxiliary_weight=cfg.network.auxiliary_weight, label_smoothing=cfg.optim.label_smoothing,
                           grad_clip=cfg.optim.grad_clip, autocast=self.autocast())
            total = StepStats(total.loss_sum + s.loss_sum, total.correct + s.correct, total.count + s.count)
            if ranks.main and n_batches >= 10 and (i + 1) % max(1, n_batches // 5) == 0:
                log.info("epoch %d: %d/%d batches", epoch + 1, i + 1, n_batches)
        loss_sum, correct, count = all_reduce([total.loss_sum, total.correct, total.count], ranks, self.device)
        n = max(count, 1)
        return {"train_loss": loss_sum / n, "train_acc": 100.0 * correct / n, "images": count}

    @torch.no_grad()
    def test(self) -> dict[str, float]:
        """Loss and top-1/top-5 accuracy on the test split, eval mode (no drop-path, no auxiliary head); ranks
        test every world_size-th batch on the bare model (no DDP collectives) and the sums are reduced."""
        self.model.eval()
        loss = 0.0
        correct = correct5 = count = 0
        for x, y in self.data.test_batches(self.cfg.data.eval_batches, self.ranks.rank, self.ranks.world_size):
            with self.autocast():
                logits, _ = split_output(self.model(self.prepare_batch(x)))
            logits = logits.float()
            loss += float(F.cross_entropy(logits, y, reduction="sum"))
            top = logits.topk(min(5, logits.shape[1]), dim=1).indices  # (B, 5)
            correct += int((top[:, 0] == y).sum())
            correct5 += int((top == y[:, None]).any(dim=1).sum())
            count += len(y)
        self.model.train()
        loss, correct, correct5, count = all_reduce([loss, correct, correct5, count], self.ranks, self.device)
        n = max(count, 1)
        return {"test_loss": loss / n, "test_acc": 100.0 * correct / n, "test_acc_top5": 100.0 * correct5 / n}

    def run_epoch(self) -> dict[str, Any]:
        cfg, epoch = self.cfg, self.epoch
        lr = self.lr_at(epoch)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        drop_prob = self.drop_prob_at(epoch)
        if hasattr(self.model, "drop_path_prob"):
            self.model.drop_path_prob = drop_prob
        reset_peak(self.device)
        start = time.perf_counter()
        train = self.train_epoch(epoch)
        train_seconds = time.perf_counter() - start
        metrics: dict[str, Any] = {"kind": "eval", "epoch": epoch + 1, "epochs": cfg.epochs, "protocol": cfg.protocol,
                                   "lr": lr, "drop_prob": drop_prob, "train_loss": train["train_loss"],
                                   "train_acc": train["train_acc"]}
        metrics.update(self.test())
        metrics["epoch_seconds"] = time.perf_counter() - start
        metrics["images_per_second"] = train["images"] / max(train_seconds, 1e-9)
        metrics["peak_memory_mb"] = all_reduce([peak_memory_mb(self.device)], self.ranks, self.device, "max")[0]
        metrics["params_m"] = self.params_m
        metrics["network"] = type(self.model).__name__
        metrics.update(self.arch_metrics)
        self.epoch = epoch + 1
        return metrics

    def run(self, on_epoch: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        restore = self.reporter.restore_dir()
        if restore:
            self.restore(restore)
        last: dict[str, Any] = self.history[-1] if self.history else {}  # a run restored at its end
        persists = getattr(self.reporter, "persists_checkpoints", True)
        while self.epoch < self.cfg.epochs:
            last = self.run_epoch()
            self.history.append(last)
            due = self.epoch % self.cfg.checkpoint_every == 0 or self.epoch == self.cfg.epochs
            if due and persists and self.ranks.main:
                with tempfile.TemporaryDirectory(prefix="dartsweep-eval-") as tmp:
                    self.save(tmp)
                    self.reporter.report(last, tmp)
            else:
                self.reporter.report(last, None)
            if on_epoch:
                on_epoch(last)
        return last


def evaluate_trainable(config: dict[str, Any], reporter: Reporter | None = None,
                       ranks: Ranks | None = None) -> dict[str, Any]:
    """The evaluation as a plain function: validated :class:`EvalConfig` dict in, final metrics out (``ranks``:
    one rank of a data-parallel run, see :class:`EvalRun`)."""
    cfg = EvalConfig.model_validate(config)
    return EvalRun(cfg, reporter, ranks=ranks).run()
