"""DARTS-PT selection as a trainable: ``select_trainable(config, reporter) -> dict`` (no Ray here).

It reloads a supernet checkpoint written by any search trial (``state.pt`` + ``config.yaml``), resets
the weight optimiser to lr 0.0025 (nasbench201/ and sota/cnn/projection.py), and walks the decision
schedule of the space's family (``SpaceFamily.pt_schedule``): before tuning epoch t it takes the decisions scheduled for
t, then tunes the supernet one epoch (α step + weight step as the search did; α only on undecided
edges, and never with ``pt-fix-alpha``). Each decision and each tuning epoch is one report with a full
checkpoint (supernet, masks, decisions so far, optimisers, RNG), so a killed trial resumes from
``reporter.restore_dir()`` without redoing finished decisions.

With ``discretize_edge`` / ``discretize_op`` the schedule is one committed edge followed by ``tune_epochs``
tuning epochs: the op's "discretization accuracy at convergence" (001_… §3.1, Figures 1 and 2) is the last
epoch's ``val_acc``, its α weight ``discretize_alpha`` (every row) and the accuracy right after the commit
``decision_acc``.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
import yaml

from searchcore.config import SearchConfig, deep_merge, from_yaml, to_yaml
from searchcore.search.checkpoint import load_checkpoint, save_checkpoint, seed_everything, set_rng_state
from searchcore.search.data import SearchData
from searchcore.search.loop import SearchRun, cosine_lr
from searchcore.search.reporter import NullReporter, Reporter
from searchcore.search.steps import frozen
from searchcore.selection.pt import (
    Decision,
    Score,
    decide_operation,
    decide_topology,
    discretize_operation,
    evaluate_supernet,
    magnitudes,
)
from searchcore.selection.rules import SELECTION_RULES
from searchcore.selection.schedule import Slot, single_edge_schedule
from searchcore.selection.select_config import SelectConfig, select_config

log = logging.getLogger(__name__)

STATE_KIND = "pt-select"
SELECT_FILE = "select.yaml"


def resolve_checkpoint_dir(path: str | Path) -> Path:
    """A checkpoint directory, or a run directory holding one in ``checkpoint/`` (``dartsweep search --out``)."""
    path = Path(path)
    if not (path / "state.pt").exists() and (path / "checkpoint" / "state.pt").exists():
        return path / "checkpoint"
    return path


def load_search_config(checkpoint: str | Path, scfg: SelectConfig) -> SearchConfig:
    """The search trial's config with the selection's overrides applied (validated again)."""
    path = Path(checkpoint) / "config.yaml"
    if not path.exists():
        raise FileNotFoundError(f"no config.yaml beside the checkpoint in {checkpoint}")
    tree = deep_merge(from_yaml(path.read_text()).model_dump(mode="json"), scfg.search_overrides())
    if scfg.nb201_table is not None:
        tree["nb201_table"] = scfg.nb201_table
    return SearchConfig.model_validate(tree)


class PTRun:
    """One DARTS-PT selection: the rebuilt search run, the schedule, and the decisions so far."""

    def __init__(self, scfg: SelectConfig, reporter: Reporter | None = None, data: SearchData | None = None) -> None:
        """``data``: the search data when the caller holds it already (a probe selecting from a running search's
        snapshot); by default rebuilt from the config (the same split: it is a function of the seed)."""
        self.scfg = scfg
        self.reporter = reporter or NullReporter()
        source = resolve_checkpoint_dir(scfg.checkpoint)
        self.cfg = load_search_config(source, scfg)
        self.run = SearchRun(self.cfg, data=data)  # data and supernet
        state = load_checkpoint(source, self.run.device)
        if state.get("kind") == STATE_KIND:
            raise ValueError(f"{source} is a selection checkpoint; start from a search checkpoint")
        self.run.model.load_state_dict(state["model"])
        self.search_epoch = int(state["epoch"])
        split = state.get("split", {}).get("val")
        if split is not None and not torch.equal(split.cpu(), torch.as_tensor(self.run.data.val_idx)):
            log.warning("the α split differs from the search's (changed data overrides?): scores use the new one")
        self.rule = SELECTION_RULES.get(scfg.rule)
        self.supernet_fixed_alpha = not self.run.trains_alpha  # α fixed (PT's 'blank') or α-free (uniform)
        self.update_alpha = self._update_alpha()
        if self.update_alpha and state.get("a_opt"):
            self.run.a_opt.load_state_dict(state["a_opt"])
        if not self.update_alpha:
            self.run.freeze_alpha()
        self.run.reset_weight_optimizer(scfg.lr)
        self.seed = self.cfg.seed if scfg.seed is None else scfg.seed
        seed_everything(self.seed)
        self.discretize = self._discretize_target()
        if self.discretize is None:
            self.slots, self.total = self.run.space.family.pt_schedule(self.run.space, scfg.tune_epochs, self.seed)
        else:
            self.slots, self.total = single_edge_schedule(self.discretize["discretize_cell"],
                                                          self.discretize["discretize_edge"], scfg.tune_epochs)
        self.epoch = 0  # tuning epochs completed
        self.decisions: list[Decision] = []

    def _discretize_target(self) -> dict[str, Any] | None:
        """Cell, edge, op and the op's α weight of a discretisation run (``discretize_*``), checked against the
        space; the weight is read before anything is committed or tuned."""
        s, space, model = self.scfg, self.run.space, self.run.model
        if s.discretize_edge is None:
            return None
        cell = s.discretize_cell or space.cells[0].name
        names = [c.name for c in space.cells]
        if cell not in names:
            raise ValueError(f"discretize_cell: {cell!r} is no cell type of space {space.name!r}; allowed: "
                             f"{', '.join(names)}")
        ops = space.cell(cell).edge_ops
        if s.discretize_edge >= len(ops):
            raise ValueError(f"discretize_edge: {s.discretize_edge} out of range; the {cell} cell has {len(ops)} edges")
        if s.discretize_op not in ops[s.discretize_edge]:
            raise ValueError(f"discretize_op: {s.discretize_op!r} is no candidate of {cell} edge {s.discretize_edge}; "
                             f"its ops: {', '.join(ops[s.discretize_edge])}")
        k = ops[s.discretize_edge].index(s.discretize_op)
        alpha = float(magnitudes(model, cell)[s.discretize_edge, k])
        return {"discretize_cell": cell, "discretize_edge": s.discretize_edge, "discretize_op": s.discretize_op,
                "discretize_alpha": alpha}

    def _update_alpha(self) -> bool:
        wanted = self.scfg.update_alpha
        if self.rule.fixed_alpha:
            if not self.cfg.method.arch_optim.fix_alpha:
                log.warning("rule %s on a supernet whose α was trained (method %s)", self.rule.name,
                            self.cfg.method.name)
            return False
        if wanted and self.supernet_fixed_alpha:
            log.warning("update_alpha ignored: the supernet's α is fixed or absent (method %s)", self.cfg.method.name)
        return (wanted is not False) and not self.supernet_fixed_alpha

    # ------------------------------------------------------------------ scoring and metrics

    def score(self) -> Score:
        run, s = self.run, self.scfg

        def batches():
            return run.batches("val", 0, augment=s.eval_augment, shuffle=s.eval_augment, limit=s.eval_batches)

        with run.autocast():
            return evaluate_supernet(run.model, batches, s.bn_train_mode, prepare=run.prepare_batch)

    def arch_metrics(self) -> dict[str, Any]:
        """The supernet's current argmax architecture (PT's final arch = argmax of projected weights)."""
        run = self.run
        architecture = self.rule.architecture(run.space, run.model)
        return {**run.architecture_metrics(architecture), **run.weight_metrics()}

    def common(self) -> dict[str, Any]:
        return {"select_rule": self.scfg.rule, "criterion": self.scfg.criterion, "epochs": self.total,
                "decisions_total": len(self.slots), "supernet_method": self.cfg.method.name,
                "supernet_epoch": self.search_epoch, "supernet_fixed_alpha": self.supernet_fixed_alpha,
                "update_alpha": self.update_alpha, **(self.discretize or {})}

    # ------------------------------------------------------------------ checkpoints

    def state(self) -> dict[str, Any]:
        run = self.run
        return {
            "kind": STATE_KIND, "epoch": self.search_epoch, "select_epoch": self.epoch,
            "model": run.model.state_dict(), "w_opt": run.w_opt.state_dict(),
            "a_opt": run.a_opt.state_dict() if run.a_opt else {},
            "decisions": [d.to_dict() for d in self.decisions],
            "slots": [s.__dict__ for s in self.slots], "seeds": run.seeds,
        }

    def save(self, directory: str) -> None:
        save_checkpoint(directory, self.state(), to_yaml(self.cfg))
        (Path(directory) / SELECT_FILE).write_text(yaml.safe_dump(self.scfg.model_dump(mode="json"), sort_keys=False))

    def restore(self, directory: str) -> None:
        state = load_checkpoint(directory, self.run.device)
        if state.get("kind") != STATE_KIND:
            raise ValueError(f"{directory} does not hold a selection checkpoint")
        if state["slots"] != [s.__dict__ for s in self.slots]:
            raise ValueError("the checkpoint's decision schedule differs from this config's (seed, tune_epochs?)")
        self.run.model.load_state_dict(state["model"])
        self.run.w_opt.load_state_dict(state["w_opt"])
        if self.run.a_opt and state["a_opt"]:
            self.run.a_opt.load_state_dict(state["a_opt"])
        self.epoch = int(state["select_epoch"])
        self.decisions = [Decision(**d) for d in state["decisions"]]
        set_rng_state(state["rng"])
        log.info("resumed selection at tuning epoch %d with %d/%d decisions", self.epoch, len(self.decisions),
                 len(self.slots))

    def report(self, metrics: dict[str, Any]) -> None:
        with tempfile.TemporaryDirectory(prefix="dartsweep-select-") as tmp:
            self.save(tmp)
            self.reporter.report(metrics, tmp)

    # ------------------------------------------------------------------ the loop

    def decide(self, slot: Slot) -> Decision:
        model, s = self.run.model, self.scfg
        by_mag = self.rule.by_magnitude
        start = time.perf_counter()
        if slot.phase == "operation" and self.discretize is not None:
            k, cands = discretize_operation(model, slot.cell, slot.edge, self.discretize["discretize_op"])
            op, removed, after = self.run.space.cell(slot.cell).edge_ops[slot.edge][k], [], self.score()
        elif slot.phase == "operation":
            k, cands = decide_operation(model, slot.cell, slot.edge, self.score, s.criterion, by_mag)
            op, removed, after = self.run.space.cell(slot.cell).edge_ops[slot.edge][k], [], self.score()
        else:
            removed, cands, last = decide_topology(model, slot.cell, slot.node, self.score, s.criterion, by_mag,
                                                   one_shot=s.topology == "one_shot")
            op, after = None, last if last is not None else self.score()
        d = Decision(len(self.decisions) + 1, slot.epoch, slot.phase, slot.cell, slot.edge, slot.node, op,
                     removed, cands, after[0], after[1])
        log.info("decision %d/%d (%s, %s, %s): %s, acc %.2f, %.1fs", d.index, len(self.slots), d.phase, d.cell,
                 f"edge {d.edge}" if d.edge is not None else f"node {d.node}",
                 op if op is not None else f"deleted edges {removed}", d.acc, time.perf_counter() - start)
        return d

    def decision_row(self, d: Decision) -> dict[str, Any]:
        return {**self.common(), "kind": "decision", "epoch": self.epoch, "decision": d.index, "phase": d.phase,
                "cell": d.cell, "edge": d.edge, "node": d.node, "op": d.op,
                "removed_edges": json.dumps(d.removed_edges), "decision_acc": d.acc, "decision_loss": d.loss,
                "candidates": json.dumps(d.candidates), **self.arch_metrics()}

    def lr_at(self, t: int) -> float:
        s = self.scfg
        schedule = s.lr_schedule
        if schedule == "auto":
            schedule = self.run.space.family.pt_lr_schedule
        return s.lr if schedule == "constant" else cosine_lr(s.lr, s.lr_min, t, self.total)

    def tune(self, t: int) -> dict[str, Any]:
        """One tuning epoch (data epoch = search epochs + t, so the order continues the search's)."""
        lr = self.lr_at(t)
        for group in self.run.w_opt.param_groups:
            group["lr"] = lr
        start = time.perf_counter()
        # e.g. every edge decided 'none': the logits no longer depend on α, so α steps are skipped
        update_alpha = self.run.trains_alpha and self.alpha_reaches_output()
        train = self.run.train_epoch(self.search_epoch + t, None, update_alpha=update_alpha)
        self.epoch = t + 1
        acc, loss = self.score() if self.scfg.eval_after_tune else (None, None)
        return {**self.common(), "kind": "tune", "epoch": self.epoch, "decision": len(self.decisions),
                "phase": "tune", "lr": lr, **{k: v for k, v in train.items() if k != "images"},
                "val_acc": acc, "val_loss": loss, "epoch_seconds": time.perf_counter() - start,
                **self.arch_metrics()}

    def alpha_reaches_output(self) -> bool:
        """Whether the logits still depend on α (a structural property, so one 2-image probe per epoch).

        Eval mode, so the probe leaves BN running statistics alone; weights frozen, so only α counts.
        """
        model, run = self.run.model, self.run
        x, _ = next(run.batches("val", 0, augment=False, shuffle=False, limit=1))
        was_training = model.training
        model.eval()
        try:
            with frozen(model.weight_parameters()), torch.enable_grad():
                return bool(model(run.prepare_batch(x[:2])).requires_grad)
        finally:
            model.train(was_training)

    def pending(self, t: int) -> list[Slot]:
        todo = self.slots[len(self.decisions):]
        if todo and todo[0].epoch < t:
            raise RuntimeError(f"decision {len(self.decisions) + 1} was due before tuning epoch {t}")
        return [s for s in todo if s.epoch == t]

    def run_all(self) -> dict[str, Any]:
        restore = self.reporter.restore_dir()
        if restore:
            self.restore(restore)
        last: dict[str, Any] = {}
        while self.epoch < self.total:
            t = self.epoch
            for slot in self.pending(t):
                decision = self.decide(slot)
                self.decisions.append(decision)
                self.report(self.decision_row(decision))
            last = self.tune(t)
            if self.epoch == self.total:
                last["trajectory"] = json.dumps([d.to_dict() for d in self.decisions])
            self.report(last)
        return last or {**self.common(), **self.arch_metrics(),
                        "trajectory": json.dumps([d.to_dict() for d in self.decisions])}


def select_trainable(config: dict[str, Any], reporter: Reporter | None = None) -> dict[str, Any]:
    """DARTS-PT selection as a plain function: config keys of :class:`SelectConfig` (plus search-config
    overrides, see :func:`select_config`) in; the final metrics (genotype, arch, NB201 lookups,
    ``trajectory``) out."""
    return PTRun(select_config(config), reporter).run_all()
