"""Single-DARTS (shared/papers/003_9ca3b6938e57daad.txt): Tables 2 and 3, the searched DARTS-space cells trained
from scratch on ImageNet and CIFAR-10; Tables 4 and 5, the §5.3 ablations on NB201 CIFAR-10 (Table 1 is with the
other NB201 tables in ``nb201_tables``); and Figure 3 (∂L/∂p_i during search, from the ``edge_weight_grad``
probe).

Both print the derived cell's NB201 test accuracy (Table 5's Single-DARTS 94.36 / 73.51 are Table 1's test
columns). Rows are picked by sweep and the swept config columns (``method.level``, ``method``,
``method.activation``, ``optim.lr``, ``method.arch_optim.optimizer``, ``method.alpha_init_value``), not by data
set, so the smoke setting (the embedded digits data) fills them too.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.artifacts.base import Artifact, register
from analysis.artifacts.figures import epoch_curves, figure
from analysis.artifacts.grid import Select, grid
from analysis.artifacts.trained import concat, trained_row

TABLE2_SEARCH = "sweeps/single_darts/table2_search.yaml"
TABLE2_EVAL = "sweeps/single_darts/table2_eval.yaml"
TABLE3_EVAL = "sweeps/single_darts/table3_eval.yaml"
_PROXY = ("searched on ImageNet16-120 (16 px, 120 classes, the paper's batch 360), not on ImageNet-1k as the "
          "paper: dartsweep's search holds its data in memory (table2_search.yaml).")


def _trained(sweep: str) -> Select:
    return Select({"sweep": sweep, "source.method": "single-darts"})


register(Artifact(
    paper="single_darts", number="Table 2", kind="table", reference="Table 2", statistic="mean",
    caption="DARTS space, ImageNet: top-1 accuracy (%) and params of the searched cells trained from scratch, "
            "their mean (†) and the best (*)",
    sweeps=(TABLE2_SEARCH, TABLE2_EVAL),
    build=concat(
        trained_row("Single-DARTS* (best)", _trained("single_darts_table2_eval"), "best",
                    values={"params_m": "params_m", "top1": "test_acc"}),
        trained_row("Single-DARTS† (mean)", _trained("single_darts_table2_eval"), "mean",
                    values={"params_m": "params_m", "top1": "test_acc"}),
    ),
    notes=("Single-DARTS* (best): the evaluation with the best top-1 and its params; Single-DARTS† (mean): mean ± "
           "std over every searched cell (5 seeds), as the paper's † averages the searched architectures.",
           _PROXY,
           "FLOPs: not recorded by the evaluation trials; `dartsweep params --space darts --arch <genotype> "
           "--dataset imagenet` with the protocol's --layers / --channels gives them per cell.",
           "Single-DARTS* (scaled): not run (the best cell's trial again with --set network.channels=<C> below 600 M "
           "FLOPs); the other rows are quoted from the paper."),
))

register(Artifact(
    paper="single_darts", number="Table 3", kind="table", reference="Table 3", statistic="best",
    caption="DARTS space, CIFAR-10: test accuracy (%) and params of the best searched cell trained from scratch "
            "(14 cells)",
    sweeps=(TABLE2_SEARCH, TABLE3_EVAL),
    build=trained_row("Single-DARTS", _trained("single_darts_table3_eval"), "best",
                      values={"params_m": "params_m", "top1": "test_acc"}),
    notes=("the best of the 5 searched cells by CIFAR-10 test accuracy (the paper prints one number), with its "
           "params; trained with single-darts-cifar (14 cells, C = 36, 600 epochs).",
           _PROXY,
           "the other rows are quoted from the paper."),
))


TABLE4_SEARCH = "sweeps/single_darts/table4_search.yaml"
TABLE5_SEARCH = "sweeps/single_darts/table5_search.yaml"
_T4, _T5 = "single_darts_table4_search", "single_darts_table5_search"
_LN7 = -math.log(7.0)
"""Single-DARTS' sigmoid α init (sigmoid(α) = 0.125, 003_… §5.1.2); Table 5's ``Sigmoid*`` starts from 0."""
_RUNS = "mean ± std over 5 seeds (003_… §5.3: 'We run each experiment 5 times')."


def _test(*datasets: str) -> dict[str, Select]:
    return {d: Select(metric=f"nb201_{d}_test") for d in datasets}


def _level(level: str) -> Select:
    return Select({"sweep": _T4, "method.level": level})


register(Artifact(
    paper="single_darts", number="Table 4", kind="table", reference="Table 4", statistic="mean",
    caption="NB201 CIFAR-10, softmax, SGD 0.005 for w and α: the α step on another subset (bi-level), another "
            "batch of the weight subset, or the weight batch itself (single level)",
    sweeps=(TABLE4_SEARCH,),
    build=grid({"bi-level": _level("bilevel"), "same subset": _level("same_subset"), "same batch": _level("single")},
               _test("cifar10", "cifar100", "imagenet16"), "mean"),
    notes=(_RUNS,
           "every row: the single-darts preset with softmax and SGD (lr 0.005, momentum 0.9, weight decay 3e-4) for "
           "w and α; only method.level differs (bilevel, same_subset, single).",
           "accuracy: NB201 test accuracy of the derived cell (the paper does not name the split; its Table 5 "
           "numbers are Table 1's test columns)."),
))


def _t5(method: str, activation: str, lr: float = 0.005, optimizer: str = "sgd", **more: object) -> Select:
    return Select({"sweep": _T5, "method": method, "method.activation": activation, "optim.lr": lr,
                   "method.arch_optim.optimizer": optimizer, **more})


def _darts(activation: str = "softmax", **kw: object) -> Select:
    return _t5("darts", activation, **kw)


def _single(alpha: float = _LN7, **kw: object) -> Select:
    return _t5("single-darts", "sigmoid", **kw, **{"method.alpha_init_value": alpha})


register(Artifact(
    paper="single_darts", number="Table 5", kind="table", reference="Table 5", statistic="mean",
    caption="NB201 CIFAR-10: DARTS and Single-DARTS by learning rate, activation and α optimiser",
    sweeps=(TABLE4_SEARCH, TABLE5_SEARCH),
    build=grid({
        **{f"DARTS, lr {lr:g}": _darts(lr=lr) for lr in (0.001, 0.005, 0.025)},
        **{f"Single-DARTS, lr {lr:g}": _single(lr=lr) for lr in (0.001, 0.005, 0.025)},
        "DARTS, Softmax": _darts(),
        "DARTS, Sigmoid": _darts("sigmoid"),
        "Single-DARTS, Softmax": _level("single"),
        "Single-DARTS, Sigmoid": _single(),
        "Single-DARTS, Sigmoid*": _single(0.0),
        "DARTS, SGD": _darts(),
        "DARTS, Adam": _darts(optimizer="adam"),
        "Single-DARTS, SGD": _single(),
        "Single-DARTS, Adam": _single(optimizer="adam"),
    }, _test("cifar10", "cifar100"), "mean"),
    notes=(_RUNS,
           "lr rows: SGD for w and α at that lr; other rows lr 0.005. DARTS: the darts preset (softmax, bi-level); "
           "Single-DARTS: the single-darts preset (sigmoid, α = -ln 7, single level); cells derived without "
           "'none' in every row.",
           "one setting fills every row the paper prints it in: 'DARTS, Softmax' and 'DARTS, SGD' are the "
           "'DARTS, lr 0.005' trials, 'Single-DARTS, Sigmoid' and 'Single-DARTS, SGD' the 'Single-DARTS, lr "
           "0.005' ones.",
           "'Single-DARTS, Softmax': Table 4's same-batch trials (single_darts_table4_search, method.level single).",
           "'DARTS, Sigmoid': α initialised to -ln 7 as Single-DARTS' sigmoid (the paper does not say for DARTS).",
           "the paper's 'DARTS, lr 0.025' reads 39.77 / 54.30: Table 1's DARTS CIFAR-10 valid / test, not a "
           "CIFAR10 / CIFAR100 pair."),
))


FIGURE3_SEARCH = "sweeps/single_darts/figure3_search.yaml"
_F3 = "single_darts_figure3_search"
_NB201_OPS = ("skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
"""The ops of NB201's edge 3<-2 that Figure 3 draws (``none`` is never computed: its ∂L/∂p is 0)."""


def _figure3(trials, epochs):
    parts = [epoch_curves({f"{label}: {op}": Select({"sweep": _F3, "method": method})}, f"dL_dp_{op}")(trials, epochs)
             for label, method in (("DARTS", "darts"), ("Single-DARTS", "single-darts")) for op in _NB201_OPS]
    return pd.concat(parts, ignore_index=True)


register(Artifact(
    paper="single_darts", number="Figure 3", kind="figure", statistic="mean",
    caption="∂L/∂p_i of each op on NB201's edge 3←2 in the last (15th) cell during search: DARTS vs Single-DARTS",
    sweeps=(FIGURE3_SEARCH,),
    build=_figure3,
    render=figure("search epoch", "∂L/∂p_i (mean over the epoch's α updates)",
                  "for DARTS the parameter-free ops' ∂L/∂p_i stay below the learnable ops' and the gap widens as the "
                  "search goes on; Single-DARTS shows no such gap (§4)"),
    notes=("recorded by the edge_weight_grad probe (searchcore/probes) on the last cell's own copy of the weights.",
           "the figure shows one run per method; ours: 4 seeds with 95% confidence bands."),
))
