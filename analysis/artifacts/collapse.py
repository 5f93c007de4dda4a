"""Beyond the papers: the performance collapse at CPU scale (docs/collapse.md).

Every search method on NAS-Bench-201 with a reduced supernet (the papers' depth N = 5, C = 8) on Fashion-MNIST
resized to 16 px, 3 seeds each (sweeps/collapse/nb201_fashion_search.yaml). The papers' indicators, per epoch:
the skip-connections in the derived cell (the collapse of 000_… §1, 001_… §3) and the NB201 accuracy of the
derived architecture (the ground truth of the cell, independent of our reduced data). The paper key is
``collapse``: no paper prints these numbers, so there is no reference table.
"""

from __future__ import annotations

from analysis.artifacts.base import Artifact, register
from analysis.artifacts.figures import epoch_curves, figure
from analysis.artifacts.grid import Select, grid

SEARCH = "sweeps/collapse/nb201_fashion_search.yaml"
SEARCH_IS_DARTS = "sweeps/collapse/nb201_fashion_search_is_darts.yaml"
"""IS-DARTS in its own file: its pruning schedule fitted to the 8 epochs (4 steps one epoch apart)."""
METHODS = {"DARTS": "darts", "EM-DARTS": "em-darts", "Single-DARTS": "single-darts", "r-DARTS": "r-darts",
           "IS-DARTS": "is-darts"}
"""Row / series label -> the method preset of the sweep's trials."""
_SERIES = {label: Select({"method": m}) for label, m in METHODS.items()}
_CURVES = {label: select for label, select in _SERIES.items() if label != "IS-DARTS"}
"""The per-epoch figures leave IS-DARTS out: it has no α, so its derived cell before the last pruning step (epoch
7 of 8) is a tie among the ops left on each edge, not a choice; Table 1 has its final cell."""
_SETTING = ("NB201 supernet with N = 5 cells per stage and C = 8 on 20,000 Fashion-MNIST images resized to 16 px, "
            "8 epochs of 157 iterations, each method's own optimisers (sweeps/collapse/nb201_fashion_search.yaml).",
            "IS-DARTS keeps no α: its derived cell is what its IIM pruning leaves (4 steps, one epoch apart at "
            "epochs 4-7 to fit the 8 epochs; sweeps/collapse/nb201_fashion_search_is_darts.yaml), so the figures "
            "leave it out and Table 1 has its final cell.")

register(Artifact(
    paper="collapse", number="Figure 1", kind="figure", statistic="mean",
    caption="skip-connections in the derived NB201 cell per search epoch, DARTS, EM-DARTS, Single-DARTS and "
            "r-DARTS at CPU scale",
    sweeps=(SEARCH, SEARCH_IS_DARTS),
    build=epoch_curves(_CURVES, "n_skip"),
    render=figure("search epoch", "skip-connections in the derived cell (of 6 edges)",
                  "DARTS' derived cell fills with skip-connections as the search goes on (000_… §1, 001_… §3)",
                  ylim=(-0.2, 6.2)),
    notes=_SETTING,
))

register(Artifact(
    paper="collapse", number="Figure 2", kind="figure", statistic="mean",
    caption="NB201 CIFAR-10 test accuracy of the derived cell per search epoch, DARTS, EM-DARTS, Single-DARTS "
            "and r-DARTS at CPU scale",
    sweeps=(SEARCH, SEARCH_IS_DARTS),
    build=epoch_curves(_CURVES, "nb201_cifar10_test"),
    render=figure("search epoch", "NB201 CIFAR-10 test accuracy (%)",
                  "on NB201 DARTS ends at the all-skip cell, 54.30% (000_… Table 1)", ylim=(0.0, 100.0)),
    notes=(*_SETTING, "the accuracy is the NB201 table's (200-epoch CIFAR-10 training of the derived cell), a "
           "ground truth independent of the reduced search data."),
))

register(Artifact(
    paper="collapse", number="Table 1", kind="table", statistic="mean",
    caption="the last epoch of each method: skip-connections, NB201 test accuracies of the derived cell, search cost",
    sweeps=(SEARCH, SEARCH_IS_DARTS),
    build=grid(_SERIES, {"n_skip": Select(metric="n_skip"),
                         **{f"{d}_test": Select(metric=f"nb201_{d}_test") for d in ("cifar10", "cifar100",
                                                                                     "imagenet16")},
                         "cost_hours": Select(metric="cost_hours")}, "mean"),
    notes=(*_SETTING, "cost: measured wall time per search in hours on the machine that ran it (docs/collapse.md)."),
))
