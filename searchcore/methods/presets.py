"""Paper presets: named override dictionaries on the method axes, each default citing its source.

A preset is a function ``(space, dataset) -> Preset``; its ``overrides`` are dotted keys of
:class:`searchcore.config.SearchConfig`. Anything can be overridden after the preset, so
"EM-DARTS with the BER regulariser" is ``method: em-darts`` plus
``set: {method.regularizer.kind: entropy, method.regularizer.lam: 0.1}``. Values a paper fixes per space
family or per space (EM-DARTS' p_max, IS-DARTS' schedule) live with the family or space
(``paper_values``); a preset merges them in with :func:`with_paper_values`. ``resolve.py`` applies presets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from searchcore.families import paper_values
from searchcore.registry import Registry
from searchcore.spaces import get_space


@dataclass(frozen=True)
class Preset:
    overrides: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)
    summary: str = ""


def with_paper_values(preset: str, space: str, dataset: str, overrides: dict[str, Any],
                      sources: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """``overrides`` and ``sources`` plus the values the family and the space fix for ``preset``."""
    values = paper_values(get_space(space), preset, dataset)
    return ({**overrides, **{k: v.value for k, v in values.items()}},
            {**sources, **{k: v.source for k, v in values.items()}})


PresetFn = Callable[[str, str], Preset]
PRESETS: Registry[PresetFn] = Registry("method preset")

_DARTS_SRC = "DARTS (Liu et al. 2019) first order; quark0/darts train_search.py (reference-notes §3.2)"


@PRESETS.decorator("darts")
def darts(space: str, dataset: str) -> Preset:
    return Preset(
        {"method.name": "darts"},
        {
            "optim.*": "SGD 0.025 cosine to 0.001, momentum 0.9, wd 3e-4, clip 5: " + _DARTS_SRC,
            "method.arch_optim.*": "Adam 3e-4, betas (0.5, 0.999), wd 1e-3: " + _DARTS_SRC,
            "method.order": "alpha_first: " + _DARTS_SRC,
            "epochs": "50: " + _DARTS_SRC,
        },
        "first-order DARTS: bi-level, softmax, mixed forward, argmax selection",
    )


@PRESETS.decorator("darts-autodl")
def darts_autodl(space: str, dataset: str) -> Preset:
    return Preset(
        {"method.name": "darts-autodl", "method.order": "weights_first", "optim.weight_decay": 5e-4,
         "optim.nesterov": True},
        {"method.order": "weight step first: AutoDL DARTS-V1 (reference-notes §2.1)",
         "optim.weight_decay": "5e-4 + nesterov: AutoDL DARTS.config (reference-notes §2.1)"},
        "AutoDL's DARTS-V1 as NAS-Bench-201 ran it",
    )


@PRESETS.decorator("em-darts")
def em_darts(space: str, dataset: str) -> Preset:
    """p_max (and NB201's α lr) come from the family / space: EM-DARTS README and Table 5."""
    overrides: dict[str, Any] = {
        "method.name": "em-darts", "method.forward": "edge_mutation", "method.mutation.growth": "linear",
        "method.mutation.ramp_epochs": 50, "method.selection": "argmax-no-none", "epochs": 50,
    }
    sources = {
        "method.mutation.growth": "linear growth: EM-DARTS main setting (reference-notes §9)",
        "method.mutation.ramp_epochs": "ramp hard-coded to 50 epochs: EM train_search.py (reference-notes §9)",
        "method.selection": "top-1 but never 'none': EM genotype rule (reference-notes §2.2)",
    }
    overrides, sources = with_paper_values("em-darts", space, dataset, overrides, sources)
    return Preset(overrides, sources, "EM-DARTS: edge mutation in weight steps, p grows 0 -> p_max")


@PRESETS.decorator("single-darts")
def single_darts(space: str, dataset: str) -> Preset:
    return Preset(
        {"method.name": "single-darts", "method.level": "single", "method.activation": "sigmoid",
         "method.alpha_init": "constant", "method.single_update": "two_optimizers"},
        {
            "method.level": "same batch updates w and α: Single-DARTS abstract (arXiv 2108.08128)",
            "method.activation": "sigmoid [UNVERIFIED: code unreachable, reference-notes §7]",
            "method.alpha_init": "constant −ln(|O|−1) so σ = 1/|O| [UNVERIFIED, reference-notes §7]",
            "method.single_update": "two optimisers on one batch [UNVERIFIED; 'combined' offered]",
        },
        "Single-DARTS: single-level optimisation with sigmoid weights",
    )


@PRESETS.decorator("r-darts")
def r_darts(space: str, dataset: str) -> Preset:
    return Preset(
        {"method.name": "r-darts", "method.regularizer.kind": "entropy", "method.regularizer.lam": 1.0,
         "method.regularizer.schedule": "constant"},
        {
            "method.regularizer.kind": "entropy of softmax(α) in the α loss: r-DARTS/BER (AAAI 2026)",
            "method.regularizer.lam": "1.0 [UNVERIFIED: the paper's Table 1 values could not be retrieved; "
            "sweep method.regularizer.lam] (reference-notes §8)",
        },
        "r-DARTS / BER: entropy regulariser on softmax(α)",
    )


@PRESETS.decorator("beta-darts")
def beta_darts(space: str, dataset: str) -> Preset:
    return Preset(
        {"method.name": "beta-darts", "method.regularizer.kind": "beta_decay", "method.regularizer.lam": 50.0,
         "method.regularizer.schedule": "linear", "method.regularizer.ramp_epochs": 100},
        {"method.regularizer.*": "λ = 50·epoch/100, logsumexp(α) mean: Beta-DARTS architect.py "
         "(reference-notes §8)"},
        "β-DARTS: beta-decay regularisation (a baseline in the tables)",
    )


@PRESETS.decorator("darts-fix-alpha")
def darts_fix_alpha(space: str, dataset: str) -> Preset:
    return Preset(
        {"method.name": "darts-fix-alpha", "method.arch_optim.fix_alpha": True},
        {"method.arch_optim.fix_alpha": "α stays at its 1e-3·N(0,1) init: DARTS-PT 'blank' (reference-notes §5.1)"},
        "supernet with α fixed (DARTS-PT's fixed-α variant, for pt-fix-alpha selection)",
    )


_IS_SRC = "IS-DARTS (He et al. 2024) ISDARTS.py, search_model_isdarts*.py (reference-notes §6)"


@PRESETS.decorator("is-darts")
def is_darts(space: str, dataset: str) -> Preset:
    """The pruning schedule and epochs come from the family (isdarts_nasbench.sh / isdarts_darts.sh)."""
    overrides: dict[str, Any] = {
        "method.name": "is-darts", "method.activation": "uniform", "data.use_full_train": True,
        "method.selection": "shrink", "optim.nesterov": True, "optim.weight_decay": 3e-4,
        "supernet.track_running_stats": False,
    }
    sources = {
        "method.activation": "α-free: Σ mask·op(x)/|O|, divisor stays |O| after pruning: " + _IS_SRC,
        "data.use_full_train": "weights train on the whole training set, no α split: " + _IS_SRC,
        "method.selection": "prune the highest-IIM candidates, keep the family's survivors: " + _IS_SRC,
        "optim.*": "SGD 0.025 cosine to 0.001, nesterov, wd 3e-4, batch 64: IS-DARTS scripts (reference-notes §6)",
        "supernet.track_running_stats": "BN argument defaults to 0 in ISDARTS.py (reference-notes §6)",
    }
    overrides, sources = with_paper_values("is-darts", space, dataset, overrides, sources)
    return Preset(overrides, sources,
                  "IS-DARTS: α-free supernet on train+val, prune the highest-IIM candidates on a fixed schedule")
