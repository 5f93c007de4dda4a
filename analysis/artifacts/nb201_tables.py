"""The NAS-Bench-201 tables of IS-DARTS (002_…), Single-DARTS (003_…) and r-DARTS (004_…): Table 1 of each.

Every one quotes first-order DARTS; its row is filled from the DARTS trials of EM-DARTS Table 1's search sweep
(4 seeds), so DARTS is searched once for all four tables.
"""

from __future__ import annotations

from analysis.artifacts.base import Artifact, register
from analysis.artifacts.em_darts import NB201_DARTS, TABLE1_SEARCH
from analysis.artifacts.grid import Select, grid, nb201_columns

_COST = {"cost_hours": Select(metric="cost_hours")}
"""IS-DARTS and r-DARTS Table 1 print the search cost in (GPU-)hours: ours is the measured wall time."""
_DARTS_NOTE = "DARTS (1st): the 4 DARTS seeds of sweeps/em_darts/table1_search.yaml."
_COST_NOTE = "cost: our measured wall time per search in hours (on whatever device ran it)."


def _nb201(method: str, **where: object) -> Select:
    return Select({"method": method, "space": "nb201", **where})


register(Artifact(
    paper="ber", number="Table 1", kind="table", reference="Table 1", statistic="mean",
    caption="NB201, 10 runs: r-DARTS at the table's (lambda, search data set, epochs) rows",
    sweeps=("sweeps/ber/table1_search.yaml", TABLE1_SEARCH),
    build=grid({
        "DARTS (1st)": NB201_DARTS,
        "r-DARTS (λ=0.50, C10, e=15)": _nb201("r-darts", **{"method.regularizer.lam": 0.5, "dataset": "cifar10"}),
        "r-DARTS (λ=0.75, C10, e=5)": _nb201("r-darts", **{"method.regularizer.lam": 0.75, "dataset": "cifar10"}),
        "r-DARTS (λ=0.75, C100, e=5)": _nb201("r-darts", **{"method.regularizer.lam": 0.75, "dataset": "cifar100"}),
    }, _COST | nb201_columns(), "mean"),
    notes=(_DARTS_NOTE + " (the paper averages 10 runs)", _COST_NOTE),
))

register(Artifact(
    paper="is_darts", number="Table 1", kind="table", reference="Table 1", statistic="mean",
    caption="NB201, 4 runs: IS-DARTS searched on CIFAR-10",
    sweeps=("sweeps/is_darts/table1_search.yaml", TABLE1_SEARCH),
    build=grid({"DARTS (1st)": NB201_DARTS, "IS-DARTS": Select({"sweep": "is_darts_table1_search"})},
               _COST | nb201_columns(), "mean"),
    notes=(_DARTS_NOTE, _COST_NOTE),
))

register(Artifact(
    paper="single_darts", number="Table 1", kind="table", reference="Table 1", statistic="mean",
    caption="NB201: Single-DARTS searched on CIFAR-10",
    sweeps=("sweeps/single_darts/table1_search.yaml", TABLE1_SEARCH),
    build=grid({"DARTS": NB201_DARTS, "Single-DARTS": Select({"sweep": "single_darts_table1_search"})},
               nb201_columns(), "mean"),
    notes=(_DARTS_NOTE, "4 seeds: the paper gives no run count for this table."),
))
