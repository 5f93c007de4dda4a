"""Paper presets: named override dictionaries on the method axes, each default citing its source.

A preset is a function ``(space, dataset) -> Preset``; its ``overrides`` are dotted keys of
:class:`searchcore.config.SearchConfig`. Anything can be overridden after the preset, so
"EM-DARTS with the BER regulariser" is ``method: em-darts`` plus
``set: {method.regularizer.kind: entropy, method.regularizer.lam: 0.1}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from searchcore.config import SearchConfig, deep_merge, set_dotted
from searchcore.registry import Registry
from searchcore.spaces import get_space


@dataclass(frozen=True)
class Preset:
    overrides: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)
    summary: str = ""


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


# EM-DARTS README / reference-notes §9: p_max per (space, dataset); NB201 0.2; DARTS and S5 0.125.
_EM_PMAX_REDUCED = {
    ("s1", "cifar10"): 0.2, ("s2", "cifar10"): 0.25, ("s3", "cifar10"): 0.2, ("s4", "cifar10"): 0.2,
    ("s1", "cifar100"): 0.4, ("s2", "cifar100"): 0.2, ("s3", "cifar100"): 0.2, ("s4", "cifar100"): 0.4,
    ("s1", "svhn"): 0.4, ("s2", "svhn"): 0.4, ("s3", "svhn"): 0.2, ("s4", "svhn"): 0.4,
}


def em_darts_p_max(space: str, dataset: str) -> tuple[float, str]:
    if space == "nb201":
        return 0.2, "EM-DARTS README: NB201 p_max 0.2 (reference-notes §9)"
    if (space, dataset) in _EM_PMAX_REDUCED:
        return _EM_PMAX_REDUCED[(space, dataset)], f"EM-DARTS Table 5 ({space}, {dataset}) (reference-notes §9)"
    if space in {"s1", "s2", "s3", "s4"}:
        return 0.2, f"EM-DARTS Table 5 has no {dataset}; CIFAR-10's S1-S4 value family (0.2) used"
    return 0.125, "EM-DARTS README/argparse: DARTS space and S5 p_max 0.125 (reference-notes §9)"


@PRESETS.decorator("em-darts")
def em_darts(space: str, dataset: str) -> Preset:
    p_max, p_src = em_darts_p_max(space, dataset)
    overrides: dict[str, Any] = {
        "method.name": "em-darts", "method.forward": "edge_mutation", "method.mutation.p_max": p_max,
        "method.mutation.growth": "linear", "method.mutation.ramp_epochs": 50,
        "method.derive_exclude_none": True, "epochs": 50,
    }
    sources = {
        "method.mutation.p_max": p_src,
        "method.mutation.growth": "linear growth: EM-DARTS main setting (reference-notes §9)",
        "method.mutation.ramp_epochs": "ramp hard-coded to 50 epochs: EM train_search.py (reference-notes §9)",
        "method.derive_exclude_none": "top-1 but never 'none': EM genotype rule (reference-notes §2.2)",
    }
    if space == "nb201":
        overrides["method.arch_optim.lr"] = 1e-4
        sources["method.arch_optim.lr"] = "Adam lr 1e-4 on NB201: EM-DARTS NB201 setting"
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


def resolve_config(
    method: str = "darts", space: str = "nb201", dataset: str = "digits",
    overrides: dict[str, Any] | None = None,
) -> SearchConfig:
    """Defaults <- preset(space, dataset) <- user overrides (dotted keys), validated."""
    get_space(space)
    preset = PRESETS.get(method)(space, dataset)
    tree: dict[str, Any] = {"space": space, "data": {"dataset": dataset}}
    for key, value in preset.overrides.items():
        set_dotted(tree, key, value)
    user: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        set_dotted(user, key, value)
    return SearchConfig.model_validate(deep_merge(tree, user))


_IS_SRC = "IS-DARTS (He et al. 2024) ISDARTS.py, search_model_isdarts*.py (reference-notes §6)"


@PRESETS.decorator("is-darts")
def is_darts(space: str, dataset: str) -> Preset:
    nb201 = get_space(space).family == "nb201"
    epochs, steps, interval, samples = (30, 4, 2, 200) if nb201 else (50, 7, 3, 600)
    script = "isdarts_nasbench.sh + DARTS.config" if nb201 else "isdarts_darts.sh + DARTS-NASNet-CIFAR.config"
    return Preset(
        {"method.name": "is-darts", "method.activation": "uniform", "data.use_full_train": True,
         "method.shrink.enabled": True, "method.shrink.steps": steps, "method.shrink.interval": interval,
         "method.shrink.samples": samples, "epochs": epochs, "optim.nesterov": True, "optim.weight_decay": 3e-4,
         "supernet.track_running_stats": False},
        {
            "method.activation": "α-free: Σ mask·op(x)/|O|, divisor stays |O| after pruning: " + _IS_SRC,
            "data.use_full_train": "weights train on the whole training set, no α split: " + _IS_SRC,
            "method.shrink.*": f"{steps} steps every {interval} epochs, keep 1 per NB201 edge / 2 per DARTS node, "
            f"IIM over {samples} images (the paper's K; the code uses the whole loader): {script}",
            "epochs": f"{epochs}: {script} (reference-notes §6)",
            "optim.*": "SGD 0.025 cosine to 0.001, nesterov, wd 3e-4, batch 64: " + script,
            "supernet.track_running_stats": "BN argument defaults to 0 in ISDARTS.py (reference-notes §6)",
        },
        "IS-DARTS: α-free supernet on train+val, prune the highest-IIM candidates on a fixed schedule",
    )
