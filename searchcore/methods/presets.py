"""Paper presets: named override dictionaries on the method axes, each default citing its source.

A preset is a function ``(space, dataset) -> Preset``; its ``overrides`` are dotted keys of
:class:`searchcore.config.SearchConfig`. Anything can be overridden after the preset, so
"EM-DARTS with the BER regulariser" is ``method: em-darts`` plus
``set: {method.regularizer.kind: entropy, method.regularizer.lam: 0.1}``. Values a paper fixes per space
family or per space (EM-DARTS' p_max, IS-DARTS' schedule) live with the family or space
(``paper_values``); a preset merges them in with :func:`with_paper_values`. ``resolve.py`` applies presets.
"""

from __future__ import annotations

import math
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
        {"method.name": "darts", "data.split": "ordered"},
        {
            "data.split": "weights on the first half of the training set by index, α on the second: "
                          "quark0/darts train_search.py (reference-notes §1.1)",
            "optim.*": "SGD 0.025 cosine to 0.001, momentum 0.9, wd 3e-4, clip 5: " + _DARTS_SRC,
            "method.arch_optim.*": "Adam 3e-4, betas (0.5, 0.999), wd 1e-3: " + _DARTS_SRC,
            "method.order": "alpha_first: " + _DARTS_SRC,
            "epochs": "50: " + _DARTS_SRC,
        },
        "first-order DARTS: bi-level, softmax, mixed forward, argmax selection",
    )


@PRESETS.decorator("darts-2nd")
def darts_2nd(space: str, dataset: str) -> Preset:
    """``darts`` with the unrolled α gradient: quark0/darts runs the same train_search.py with ``--unrolled``,
    which changes only the architect's step. DARTS-PT's architect refuses second order (reference-notes
    §2.2) and EM-DARTS' crashes with it on the DARTS space (§9), so only DARTS itself reports it."""
    base = darts(space, dataset)
    return Preset(
        {**base.overrides, "method.name": "darts-2nd", "method.arch_gradient": "second_order"},
        {**base.sources,
         "method.arch_gradient": "one virtual SGD step (lr, momentum, wd of the weight optimiser), "
                                 "finite-difference Hessian-vector product with ε = 0.01/‖∇_w' L_val‖: DARTS "
                                 "(Liu et al. 2019) §2.3 Eq. 6-8; quark0/darts train_search.py --unrolled, "
                                 "cnn/architect.py (reference-notes §3.2)"},
        "second-order DARTS: first-order DARTS' settings, α gradient through one unrolled weight step",
    )


@PRESETS.decorator("darts-autodl")
def darts_autodl(space: str, dataset: str) -> Preset:
    return Preset(
        {"method.name": "darts-autodl", "method.order": "weights_first", "optim.weight_decay": 5e-4,
         "optim.nesterov": True},
        {"method.order": "weight step first: AutoDL DARTS-V1 (reference-notes §2.1)",
         "optim.weight_decay": "5e-4: AutoDL DARTS.config (reference-notes §2.1)",
         "optim.nesterov": "nesterov SGD: AutoDL DARTS.config (reference-notes §2.1)"},
        "AutoDL's DARTS-V1 as NAS-Bench-201 ran it",
    )


@PRESETS.decorator("em-darts")
def em_darts(space: str, dataset: str) -> Preset:
    """p_max (and NB201's α lr) come from the family / space: EM-DARTS README and Table 5."""
    overrides: dict[str, Any] = {
        "method.name": "em-darts", "method.forward": "edge_mutation", "method.mutation.growth": "linear",
        "method.mutation.ramp_epochs": 50, "method.selection": "argmax-no-none", "epochs": 50,
        "data.split": "ordered",
    }
    sources = {
        "method.forward": "edge mutation in weight steps only: 000_… Eq. 8-9, Algorithm 1",
        "method.mutation.growth": "linear growth: 000_… Algorithm 1 step 2 (Table 4 compares the others)",
        "method.mutation.ramp_epochs": "ramp hard-coded to 50 epochs: EM train_search.py (reference-notes §9)",
        "method.selection": "top-1 but never 'none': EM genotype rule (reference-notes §2.2)",
        "data.split": "dataset split in half (000_… A.5); by index in EM train_search.py (reference-notes §1.1)",
        "optim.*": "SGD 0.025 cosine to 0.001, momentum 0.9, wd 3e-4 (NB201: 5e-4): 000_… A.5.1/A.5.2",
        "method.arch_optim.*": "Adam 3e-4 (NB201: 1e-4), wd 1e-3, betas (0.5, 0.999): 000_… A.5.1/A.5.2",
        "epochs": "50: 000_… A.5.1/A.5.2",
    }
    overrides, sources = with_paper_values("em-darts", space, dataset, overrides, sources)
    return Preset(overrides, sources, "EM-DARTS: edge mutation in weight steps, p grows 0 -> p_max")


_SINGLE = "Single-DARTS (Hou et al.) 003_…"


@PRESETS.decorator("single-darts")
def single_darts(space: str, dataset: str) -> Preset:
    """The NB201 lr (0.005) and the ImageNet batch (360) come from the family (003_… §5.1.1, §5.1.2).

    Derivation never picks ``none``: under sigmoid weights ``none``'s α gets no gradient (its output is 0
    and the sigmoid does not couple it to the other ops), so its α stays at the init while the others move,
    and plain argmax derives an all-``none`` (dead) cell whenever the others sink below the init. The
    paper's NB201 results (Table 1, 94.36 on CIFAR-10) are cells without ``none``; on the DARTS space the
    DARTS rule never keeps ``none`` anyway.
    """
    overrides: dict[str, Any] = {
        "method.name": "single-darts", "method.level": "single", "method.activation": "sigmoid",
        "method.single_update": "combined", "method.alpha_init": "constant",
        "method.alpha_init_value": -math.log(7.0), "method.arch_optim.weight_decay": 0.0,
        "method.selection": "argmax-no-none", "epochs": 50,
    }
    sources = {
        "method.level": f"one batch updates w and α, Eq. 16: {_SINGLE} §4.3",
        "method.single_update": f"one gradient of L_train w.r.t. (α, w), Eq. 16 ('two_optimizers' = two "
                                f"steps on the batch, an ablation): {_SINGLE} §4.3",
        "method.activation": f"sigmoid instead of softmax: {_SINGLE} §4.3 (Table 5 compares both)",
        "method.alpha_init": f"every α the same constant: {_SINGLE} §5.1.2",
        "method.alpha_init_value": f"α = −ln 7 so sigmoid(α) = 0.125: {_SINGLE} §5.1.2 (stated for the DARTS "
                                   "space and kept on NB201; Table 5's 'Sigmoid*' = 0; null = −ln(|O|−1))",
        "method.arch_optim.weight_decay": f"0, 'to avoid extra gradients on zero operations': {_SINGLE} §5.1.2",
        "method.arch_optim.*": f"Adam 3e-4 fixed, betas (0.5, 0.999): {_SINGLE} §5.1.1",
        "optim.*": f"SGD momentum 0.9, wd 3e-4, cosine (lr: family): {_SINGLE} §5.1.1; lr_min 0.001 and "
                   "grad clip 5: paper silent, DARTS defaults",
        "method.selection": "argmax without 'none' (see the preset's docstring)",
        "epochs": f"50 epochs, batch 64: {_SINGLE} §5.1.1",
        "data.*": "paper silent on the split: weights and α train on the weight half (data.use_full_train: "
                  "true trains both on the whole training set)",
    }
    overrides, sources = with_paper_values("single-darts", space, dataset, overrides, sources)
    return Preset(overrides, sources, "Single-DARTS: single-level optimisation with sigmoid weights")


@PRESETS.decorator("r-darts")
def r_darts(space: str, dataset: str) -> Preset:
    """λ comes from the family: 0.5 on NB201 (Table 1), 1 on the DARTS space (Table 2) and on the MobileNet-like
    chain (Table 4)."""
    overrides: dict[str, Any] = {
        "method.name": "r-darts", "method.regularizer.kind": "entropy", "method.regularizer.lam": 1.0,
        "method.regularizer.schedule": "constant", "method.regularizer.sign": 1, "data.split": "ordered",
    }
    sources = {
        "method.regularizer.kind": "λ·mean over edges of the entropy of softmax(α_e) added to L_val: r-DARTS "
                                   "004_… Eq. 15, 17",
        "method.regularizer.sign": "+λ·r(α) (L*_val = L_val + λ·r): 004_… Eq. 15",
        "method.regularizer.lam": "1 (004_… Tables 2, 4) unless the family fixes it",
        "method.regularizer.schedule": "constant λ (no schedule in 004_… Eq. 15-20)",
        "data.split": "DARTS' halves by index; the paper's App. A (search settings) is not in the text",
        "epochs": "50 (DARTS); Table 1 reports convergence at e = 15 (λ 0.5) and e = 5 (λ 0.75)",
    }
    overrides, sources = with_paper_values("r-darts", space, dataset, overrides, sources)
    return Preset(overrides, sources, "r-DARTS / BER: entropy regulariser on softmax(α)")


@PRESETS.decorator("beta-darts")
def beta_darts(space: str, dataset: str) -> Preset:
    return Preset(
        {"method.name": "beta-darts", "method.regularizer.kind": "beta_decay", "method.regularizer.lam": 50.0,
         "method.regularizer.schedule": "linear", "method.regularizer.ramp_epochs": 100, "data.split": "ordered"},
        {"method.regularizer.*": "λ = 50·epoch/100, logsumexp(α) mean: Beta-DARTS architect.py "
         "(reference-notes §8)",
         "data.split": "first and second halves: Beta-DARTS train_search.py (reference-notes §8)"},
        "β-DARTS: beta-decay regularisation (a baseline in the tables)",
    )


@PRESETS.decorator("darts-pt")
def darts_pt(space: str, dataset: str) -> Preset:
    """DARTS-PT's supernet training (then ``select`` with a ``pt`` rule). Epochs and the NB201 supernet's
    BN come from the family: its scripts train 100 epochs on NB201, 50 on the DARTS space."""
    overrides: dict[str, Any] = {"method.name": "darts-pt", "data.split": "ordered"}
    sources = {
        "method.*": "first-order DARTS, α step first (its Architect refuses second order): DARTS-PT "
                    "nasbench201/ and sota/cnn/ train_search.py (reference-notes §2.2, §5.1)",
        "optim.*": "SGD 0.025 cosine to 0.001, momentum 0.9, no nesterov, wd 3e-4, batch 64: DARTS-PT "
                   "scripts (reference-notes §2.2)",
        "data.split": "first/second half by index: DARTS-PT train_search.py (reference-notes §1.1)",
    }
    overrides, sources = with_paper_values("darts-pt", space, dataset, overrides, sources)
    return Preset(overrides, sources, "DARTS-PT's supernet training (its reference scripts), for pt selection")


@PRESETS.decorator("darts-fix-alpha")
def darts_fix_alpha(space: str, dataset: str) -> Preset:
    """DARTS-PT's supernet training (``darts-pt``: same scripts, epochs and BN) with α never updated."""
    base = darts_pt(space, dataset)
    return Preset(
        {**base.overrides, "method.name": "darts-fix-alpha", "method.arch_optim.fix_alpha": True},
        {**base.sources,
         "method.arch_optim.fix_alpha": "α stays at its 1e-3·N(0,1) init: DARTS-PT 'blank' (reference-notes §5.1)"},
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
        "optim.*": "SGD 0.025 cosine to 0.001, nesterov, wd 3e-4, batch 64: IS-DARTS configs (reference-notes §6); "
                   "the paper (002_… §4.1) says 'as DARTS in NB201', whose wd is 5e-4: optim.weight_decay",
        "supernet.track_running_stats": "BN argument defaults to 0 in ISDARTS.py (reference-notes §6)",
    }
    overrides, sources = with_paper_values("is-darts", space, dataset, overrides, sources)
    return Preset(overrides, sources,
                  "IS-DARTS: α-free supernet on train+val, prune the highest-IIM candidates on a fixed schedule")
