"""Selection rules: how an architecture is read off a supernet, in one registry.

* Search-time rules (``method.selection``) derive the architecture reported every epoch and may act
  during the search through epoch hooks: ``argmax`` (DARTS), ``argmax-no-none`` (EM-DARTS' genotype
  rule, reference-notes §2.2), ``shrink`` (IS-DARTS' information-based shrinking, He et al. 2024).
* Selection-stage rules (``rule`` of the ``select`` trainable) run DARTS-PT's projection on a finished
  supernet (Wang et al. 2021): ``pt``, ``pt-mag`` (magnitude ablation) and ``pt-fix-alpha`` (α fixed).

Each entry carries the properties the code reads (whether ``none`` may win, whether PT ranks by
magnitude, whether α stays fixed), so no code branches on a rule's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import torch

from searchcore.architectures import Architecture
from searchcore.config import SearchConfig
from searchcore.registry import Registry
from searchcore.run_api import EpochHook
from searchcore.selection.shrink import ShrinkHook, is_final
from searchcore.spaces import SearchSpace
from searchcore.supernets.base import Supernet

Stage = Literal["search", "select"]


def _no_hooks(cfg: SearchConfig) -> list[EpochHook]:
    return []


@dataclass(frozen=True)
class SelectionRule:
    name: str
    stage: Stage
    summary: str
    source: str
    exclude_none: bool = False
    """Derivation never picks ``none``."""
    by_magnitude: bool = False
    """DARTS-PT: decide by the largest weight instead of by perturbation."""
    fixed_alpha: bool = False
    """DARTS-PT: α is never updated while tuning (for supernets trained with α fixed)."""
    hooks: Callable[[SearchConfig], list[EpochHook]] = field(default=_no_hooks)
    """Epoch hooks the rule installs in a search."""

    def architecture(self, space: SearchSpace, model: Supernet) -> Architecture:
        """The supernet's architecture under this rule: the family's derivation of the current weights."""
        with torch.no_grad():
            weights = model.edge_weights()
        return space.family.derive(space, weights, self.exclude_none)


@dataclass(frozen=True)
class ShrinkRule(SelectionRule):
    """IS-DARTS: once every comparison set is down to its survivors the masks *are* the architecture (two
    survivors may share an input, which DARTS' top-2 rule cannot express); before that, the argmax of the
    masked 1/|O| weights."""

    def architecture(self, space: SearchSpace, model: Supernet) -> Architecture:
        if is_final(space, model):
            return space.family.from_masks(space, model.op_masks())
        return super().architecture(space, model)


SELECTION_RULES: Registry[SelectionRule] = Registry("selection rule")


def register_rule(rule: SelectionRule) -> SelectionRule:
    return SELECTION_RULES.register(rule.name, rule)


def rule_names(stage: Stage) -> list[str]:
    return [name for name, rule in SELECTION_RULES.items() if rule.stage == stage]


_PT = "DARTS-PT (Wang et al. 2021) Alg. 1; exp_scripts darts-201.sh / darts-sota.sh (reference-notes §5)"

register_rule(SelectionRule("argmax", "search", "strongest op per edge (DARTS' top-2 inputs per node)",
                            "DARTS (Liu et al. 2019) §2.4; AutoDL genotype()"))
register_rule(SelectionRule("argmax-no-none", "search", "argmax, but never 'none'",
                            "EM-DARTS genotype rule (reference-notes §2.2)", exclude_none=True))
register_rule(ShrinkRule("shrink", "search", "IS-DARTS: prune the highest-IIM candidates on a fixed schedule",
                         "IS-DARTS (He et al. 2024) ISDARTS.py, shrink_metric.py (reference-notes §6)",
                         hooks=lambda cfg: [ShrinkHook(cfg)]))
register_rule(SelectionRule("pt", "select", "perturbation: keep the op whose removal hurts most (darts-proj)",
                            _PT))
register_rule(SelectionRule("pt-mag", "select", "progressive tuning, op with the largest weight (ablation)",
                            _PT + ", magnitude ablation", by_magnitude=True))
register_rule(SelectionRule("pt-fix-alpha", "select", "perturbation on a supernet trained with α fixed "
                            "(blank-proj)", _PT + ", fixed-α variant (§5.1)", fixed_alpha=True))
