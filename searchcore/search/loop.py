"""The search loop: a plain trainable ``search_trainable(config, reporter)`` (no Ray here).

One epoch = a pass over the weight split, each iteration an α step and a weight step (order per
``method.order``), or single-level steps; then an evaluation pass over the α split; then metrics and a
checkpoint. Resuming restores weights, α, masks, optimisers, every RNG and the epoch (which fixes the
data order), so an interrupted run continues on exactly the uninterrupted trajectory.
"""

from __future__ import annotations

import json
import logging
import math
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn

from searchcore.architectures import Architecture
from searchcore.config import SearchConfig, to_yaml
from searchcore.device import autocast, resolve_device
from searchcore.memory import peak_memory_mb, reset_peak
from searchcore.methods.activations import ACTIVATIONS
from searchcore.methods.mutation import EdgeMutator
from searchcore.methods.regularizers import regularizer_weight
from searchcore.methods.schedules import mutation_probability
from searchcore.probes import PROBES
from searchcore.run_api import EpochHook
from searchcore.search.checkpoint import load_checkpoint, save_checkpoint, seed_everything, set_rng_state
from searchcore.search.data import SearchData, build_search_data, epoch_generator
from searchcore.search.divergence import check_finite
from searchcore.search.metrics import architecture_metrics, weight_metrics
from searchcore.search.reporter import NullReporter, Reporter
from searchcore.search.steps import StepStats, arch_step, combined_step, weight_step
from searchcore.search.unrolled import unrolled_arch_step
from searchcore.selection.rules import SELECTION_RULES
from searchcore.spaces import get_space
from searchcore.supernets import Supernet, build_supernet

log = logging.getLogger(__name__)


def cosine_lr(base: float, minimum: float, epoch: int, epochs: int) -> float:
    """lr at integer epoch e (AutoDL/DARTS evaluate the cosine once per epoch, e = 0..T-1)."""
    return minimum + (base - minimum) * (1 + math.cos(math.pi * epoch / epochs)) / 2


def build_arch_optimizer(model: Supernet, cfg: SearchConfig) -> torch.optim.Optimizer | None:
    a = cfg.method.arch_optim
    if a.fix_alpha or not ACTIVATIONS.get(cfg.method.activation).trainable:
        for p in model.arch_parameters():
            p.requires_grad_(False)
        return None
    if a.optimizer == "adam":
        return torch.optim.Adam(model.arch_parameters(), lr=a.lr, betas=a.betas, weight_decay=a.weight_decay)
    return torch.optim.SGD(model.arch_parameters(), lr=a.lr, momentum=a.momentum, weight_decay=a.weight_decay)


def build_weight_optimizer(model: Supernet, cfg: SearchConfig, lr: float | None = None) -> torch.optim.SGD:
    o = cfg.optim
    return torch.optim.SGD(list(model.weight_parameters()), lr=o.lr if lr is None else lr, momentum=o.momentum,
                           weight_decay=o.weight_decay, nesterov=o.nesterov)


class SearchRun:
    """Holds everything a search trial needs; ``run()`` trains from the current epoch to the end.

    Its public methods are :class:`searchcore.run_api.SearchRunAPI`, what epoch hooks and the selection
    trainable use: batches, ``prepare_batch``, ``autocast``, ``train_epoch`` (with or without α updates),
    ``evaluate``, ``architecture`` and ``architecture_metrics``.
    """

    def __init__(self, cfg: SearchConfig, reporter: Reporter | None = None,
                 data: SearchData | None = None) -> None:
        self.cfg = cfg
        self.reporter = reporter or NullReporter()
        self.space = get_space(cfg.space)
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        self.device = resolve_device(cfg.device)
        self.seeds = seed_everything(cfg.seed)
        self.data = data or build_search_data(cfg.data, cfg.seed, self.device)
        self.model = build_supernet(cfg, self.data.num_classes)
        self.model.init_alphas(cfg.method.alpha_init, cfg.method.alpha_init_std, cfg.method.alpha_init_value,
                               torch.Generator().manual_seed(cfg.seed))
        self.model.to(self.device)
        if cfg.supernet.channels_last:
            self.model.to(memory_format=torch.channels_last)
        self.w_opt = build_weight_optimizer(self.model, cfg)
        self.a_opt = build_arch_optimizer(self.model, cfg)
        self.epoch = 0
        self.history: list[dict[str, Any]] = []
        self.rule = SELECTION_RULES.get(cfg.method.selection)
        benchmark = self.space.family.benchmark
        self.table = benchmark.load(cfg.nb201_table) if benchmark is not None and cfg.nb201_table else None
        self.epoch_hooks: list[EpochHook] = self.rule.hooks(cfg)
        self.probes = [PROBES.get(name).build(self, cfg.probes) for name in cfg.probes.names]

    # ------------------------------------------------------------------ checkpoints

    def state(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            # cloned: a fused replica's tensors are views of (K, ...) stacks, and torch.save writes whole storages
            "model": {k: v.clone() for k, v in self.model.state_dict().items()},
            "w_opt": self.w_opt.state_dict(),
            "a_opt": self.a_opt.state_dict() if self.a_opt else {},
            "split": {"train": torch.as_tensor(self.data.train_idx), "val": torch.as_tensor(self.data.val_idx),
                      "source": torch.as_tensor(self.data.source_idx)},
            "seeds": self.seeds,
            "last_metrics": json.dumps(self.history[-1], default=str) if self.history else "",
        }

    def save(self, directory: str) -> None:
        save_checkpoint(directory, self.state(), to_yaml(self.cfg))

    def restore(self, directory: str) -> None:
        state = load_checkpoint(directory, self.device)
        self.model.load_state_dict(state["model"])
        self.w_opt.load_state_dict(state["w_opt"])
        if self.a_opt and state["a_opt"]:
            self.a_opt.load_state_dict(state["a_opt"])
        self.epoch = int(state["epoch"])
        set_rng_state(state["rng"])
        if state.get("last_metrics"):
            self.history.append(json.loads(state["last_metrics"]))
        log.info("resumed from %s at epoch %d", directory, self.epoch)

    # ------------------------------------------------------------------ training

    def autocast(self):
        return autocast(self.cfg.amp, self.device)

    def prepare_batch(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last) if self.cfg.supernet.channels_last else x

    def batches(self, split: str, epoch: int, augment: bool = True, shuffle: bool = True,
                limit: int | None = None):
        return self.data.batches(split, self.cfg.seed, epoch, augment=augment, shuffle=shuffle, limit=limit)

    @property
    def trains_alpha(self) -> bool:
        """Whether this run has an α optimiser (False: α fixed, α-free, or frozen by :meth:`freeze_alpha`)."""
        return self.a_opt is not None

    def alpha_uses_val(self, update_alpha: bool = True) -> bool:
        """Whether α steps read the held-out α split (bi-level); single-level variants use the weight split."""
        return update_alpha and self.trains_alpha and self.cfg.method.level == "bilevel"

    def weight_split(self, update_alpha: bool = True) -> str:
        """``data.use_full_train`` (IS-DARTS' train+val) trains on every image once per epoch, unless α steps
        need the α half held out."""
        return "full" if self.cfg.data.use_full_train and not self.alpha_uses_val(update_alpha) else "train"

    def freeze_alpha(self) -> None:
        """Stop updating α for the rest of this run (DARTS-PT's fixed-α selection)."""
        self.a_opt = None
        for p in self.model.arch_parameters():
            p.requires_grad_(False)

    def reset_weight_optimizer(self, lr: float) -> None:
        """A fresh weight optimiser at ``lr`` (DARTS-PT tunes with lr 0.0025, projection.py)."""
        self.w_opt = build_weight_optimizer(self.model, self.cfg, lr=lr)

    def mutator(self, epoch: int) -> tuple[EdgeMutator | None, float]:
        m = self.cfg.method
        if m.forward != "edge_mutation":
            return None, 0.0
        p = mutation_probability(m.mutation.growth, epoch + m.mutation.epoch_offset, self.cfg.epochs,
                                 m.mutation.p_max, m.mutation.ramp_epochs)
        return EdgeMutator(p, epoch_generator(self.cfg.seed, epoch, "mutation"), m.mutation.compute_unselected), p

    def iteration_batches(
        self, epoch: int, update_alpha: bool = True,
    ) -> tuple[Iterator[tuple[torch.Tensor, torch.Tensor, tuple[torch.Tensor, torch.Tensor] | None]], int]:
        """(x, y, α batch or None) of every search iteration of ``epoch``, and how many there are: bi-level pairs
        a weight batch with an α-split batch, ``same_subset`` with another batch of the weight split, single
        level and α-free runs take weight batches alone."""
        cfg, data, m = self.cfg, self.data, self.cfg.method
        limit = cfg.data.max_batches
        trains_alpha = update_alpha and self.a_opt is not None
        train_split = self.weight_split(update_alpha)
        train_batches = data.batches(train_split, cfg.seed, epoch, limit=limit)
        n_batches = min(data.num_batches(train_split), limit or 10**9)
        if m.level == "bilevel" and trains_alpha:
            n_batches = min(n_batches, data.num_batches("val"))
            alpha_batches: Iterator | None = data.batches("val", cfg.seed, epoch, limit=limit)
        elif m.level == "same_subset" and trains_alpha:  # Single-DARTS Table 4: same subset, other batch
            alpha_batches = data.batches(train_split, cfg.seed, epoch, limit=limit, stream="alpha")
        else:
            alpha_batches = None
        if alpha_batches is None:
            return ((x, y, None) for x, y in train_batches), n_batches
        return ((x, y, val) for (x, y), val in zip(train_batches, alpha_batches)), n_batches

    def train_epoch(self, epoch: int, mutator: EdgeMutator | None = None,
                    update_alpha: bool = True) -> dict[str, Any]:
        """One pass of search iterations over the weight split (``update_alpha=False``: weight steps only)."""
        self.model.train()
        w_stats: list[StepStats] = []
        a_stats: list[StepStats] = []
        a_opt = self.a_opt if update_alpha else None
        iterations, n_batches = self.iteration_batches(epoch, update_alpha)
        images = 0
        for i, (x, y, val) in enumerate(iterations):
            x = self.prepare_batch(x)
            with self.autocast():
                images += self._iteration(x, y, val, epoch, mutator, a_opt, w_stats, a_stats)
            log_progress(epoch, i, n_batches)
        return summarise_epoch(w_stats, a_stats, images)

    def _iteration(self, x, y, val, epoch, mutator, a_opt, w_stats, a_stats) -> int:
        m, model = self.cfg.method, self.model
        if m.level == "single" and a_opt is not None:
            if m.single_update == "combined":
                w_stats.append(combined_step(model, self.w_opt, a_opt, x, y, m, self.cfg.optim, epoch, mutator))
            else:
                a_stats.append(arch_step(model, a_opt, x, y, m, epoch))
                w_stats.append(weight_step(model, self.w_opt, x, y, self.cfg.optim, mutator))
            return len(y)
        if val is None:  # α fixed or α-free: weight steps only
            w_stats.append(weight_step(model, self.w_opt, x, y, self.cfg.optim, mutator))
            return len(y)
        xv, yv = self.prepare_batch(val[0]), val[1]
        if m.order == "alpha_first":
            a_stats.append(self._bilevel_arch_step(a_opt, x, y, xv, yv, epoch))
            w_stats.append(weight_step(model, self.w_opt, x, y, self.cfg.optim, mutator))
        else:
            w_stats.append(weight_step(model, self.w_opt, x, y, self.cfg.optim, mutator))
            a_stats.append(self._bilevel_arch_step(a_opt, x, y, xv, yv, epoch))
        return len(y) + len(yv)

    def _bilevel_arch_step(self, a_opt, x, y, xv, yv, epoch) -> StepStats:
        """α step on the val batch; second order also unrolls a virtual step on this iteration's weight
        batch (x, y) at the current weight lr ξ (DARTS §2.3; quark0/darts train_search.py ``--unrolled``)."""
        m = self.cfg.method
        if m.arch_gradient == "second_order":
            return unrolled_arch_step(self.model, a_opt, self.w_opt, x, y, xv, yv, m, epoch)
        return arch_step(self.model, a_opt, xv, yv, m, epoch)

    @torch.no_grad()
    def evaluate(self, epoch: int) -> dict[str, float]:
        """Supernet loss/accuracy on the α split, eval mode, no mutation."""
        self.model.eval()
        loss = correct = count = 0.0
        weights = self.model.edge_weights()
        for x, y in self.data.batches("val", self.cfg.seed, epoch, augment=False, shuffle=False,
                                      limit=self.cfg.data.eval_batches):
            with self.autocast():
                logits = self.model(self.prepare_batch(x), weights=weights)
            loss += float(nn.functional.cross_entropy(logits.float(), y, reduction="sum"))
            correct += int((logits.argmax(1) == y).sum())
            count += len(y)
        self.model.train()
        return {"val_loss": loss / max(count, 1), "val_acc": 100.0 * correct / max(count, 1)}

    def architecture(self) -> Architecture:
        return self.rule.architecture(self.space, self.model)

    def architecture_metrics(self, architecture: Architecture | None = None) -> dict[str, Any]:
        return architecture_metrics(self.space, architecture or self.architecture(), self.table)

    def weight_metrics(self) -> dict[str, Any]:
        with torch.no_grad():
            weights = self.model.edge_weights()
        return weight_metrics(self.space, dict(self.model.alphas.items()), weights)

    def begin_epoch(self) -> tuple[float, EdgeMutator | None, float]:
        """Sets this epoch's weight lr (cosine, per epoch); returns it, the epoch's mutator and its p."""
        cfg, epoch = self.cfg, self.epoch
        lr = cosine_lr(cfg.optim.lr, cfg.optim.lr_min, epoch, cfg.epochs)
        for group in self.w_opt.param_groups:
            group["lr"] = lr
        mutator, p = self.mutator(epoch)
        return lr, mutator, p

    def finish_epoch(self, lr: float, mutator: EdgeMutator | None, p: float, train: dict[str, Any],
                     evaluation: dict[str, float], start: float, train_seconds: float) -> dict[str, Any]:
        """The epoch's metrics row after its training pass and evaluation; advances the epoch and runs the
        epoch hooks."""
        cfg, epoch = self.cfg, self.epoch
        metrics: dict[str, Any] = {"epoch": epoch + 1, "epochs": cfg.epochs, "lr": lr,
                                   "lr_alpha": cfg.method.arch_optim.lr if self.a_opt else 0.0,
                                   "method": cfg.method.name, "activation": cfg.method.activation}
        metrics.update({k: v for k, v in train.items() if k != "images"})
        metrics.update(evaluation)
        check_finite(epoch + 1, metrics, dict(self.model.alphas.items()))
        metrics.update(self.architecture_metrics())
        metrics.update(self.weight_metrics())
        for probe in self.probes:
            metrics.update(probe.epoch_metrics())
        metrics["p"] = p
        metrics["mutation_rate"] = mutator.realised_rate if mutator else 0.0
        metrics["reg_lambda"] = regularizer_weight(cfg.method.regularizer, epoch)
        metrics["epoch_seconds"] = time.perf_counter() - start  # search wall time (000_… Table 6)
        metrics["peak_memory_mb"] = peak_memory_mb(self.device)  # r-DARTS 004_… Table 3
        metrics["images_per_second"] = train["images"] / max(train_seconds, 1e-9)
        self.epoch = epoch + 1
        for hook in self.epoch_hooks:  # e.g. IS-DARTS pruning; may add metrics and change masks
            hook(self, metrics)
        return metrics

    def run_epoch(self) -> dict[str, Any]:
        lr, mutator, p = self.begin_epoch()
        reset_peak(self.device)
        start = time.perf_counter()
        train = self.train_epoch(self.epoch, mutator)
        train_seconds = time.perf_counter() - start
        return self.finish_epoch(lr, mutator, p, train, self.evaluate(self.epoch), start, train_seconds)

    def checkpoint_due(self) -> bool:
        return self.epoch % self.cfg.checkpoint_every == 0 or self.epoch == self.cfg.epochs

    def run(self, on_epoch: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        restore = self.reporter.restore_dir()
        if restore:
            self.restore(restore)
        last: dict[str, Any] = self.history[-1] if self.history else {}  # a run restored at its end
        persists = getattr(self.reporter, "persists_checkpoints", True)
        while self.epoch < self.cfg.epochs:
            last = self.run_epoch()
            self.history.append(last)
            if self.checkpoint_due() and persists:
                with tempfile.TemporaryDirectory(prefix="dartsweep-ckpt-") as tmp:
                    self.save(tmp)
                    self.reporter.report(last, tmp)
            else:
                self.reporter.report(last, None)
            if on_epoch:
                on_epoch(last)
        return last


def log_progress(epoch: int, i: int, n_batches: int) -> None:
    if n_batches >= 10 and (i + 1) % max(1, n_batches // 5) == 0:
        log.info("epoch %d: %d/%d iterations", epoch + 1, i + 1, n_batches)


def summarise_epoch(w_stats: list[StepStats], a_stats: list[StepStats], images: int) -> dict[str, Any]:
    """The training half of an epoch's metrics: weight-step (``train_*``) and α-step (``arch_*``) loss and
    accuracy, weighted by batch size, the mean regulariser value, and the images seen."""
    out: dict[str, Any] = _summarise(w_stats, "train")
    if a_stats:
        out.update(_summarise(a_stats, "arch"))
    out["images"] = images
    return out


def _summarise(stats: list[StepStats], prefix: str) -> dict[str, float]:
    if not stats:
        return {}
    n = sum(s.count for s in stats)
    out = {
        f"{prefix}_loss": sum(s.loss * s.count for s in stats) / n,
        f"{prefix}_acc": 100.0 * sum(s.correct for s in stats) / n,
    }
    regs = [s.reg for s in stats if s.reg is not None]
    if regs:
        out["reg_value"] = sum(regs) / len(regs)
    return out


def search_trainable(config: dict[str, Any], reporter: Reporter | None = None) -> dict[str, Any]:
    """The search as a plain function: validated ``SearchConfig`` dict in, final metrics out."""
    cfg = SearchConfig.model_validate(config)
    return SearchRun(cfg, reporter).run()
