"""The row of a paper table of architectures trained from scratch: accuracy or error of the evaluations, their
size, and the search cost of the sweep the cells came from.

The papers print these side by side (IS-DARTS 002_… Tables 2-3, Single-DARTS 003_… Tables 2-3, r-DARTS 004_…
Tables 2 and 4): test error or accuracy and params of the trained network (the ``evaluate`` trials' ``test_acc``,
``test_acc_top5``, ``params_m``), and the search cost in GPU-days of the *search* (its trials' measured
``wall_seconds`` / 86400, one trial per GPU). A row is therefore cells from two sweeps: :func:`trained_row`
builds each group with :func:`analysis.artifacts.grid.grid` (error cells with ``error=True``, the others as
they are) and concatenates them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.artifacts.base import OURS_COLUMNS, Builder
from analysis.artifacts.grid import Select, grid

SEARCH_DAYS = "search_days"
"""The search cost of a trial in days: its measured ``wall_seconds`` (all attempts) / 86400 on one GPU."""


def concat(*builders: Builder) -> Builder:
    """The cells of every builder, in order (a row whose columns come from different sweeps or statistics)."""

    def build(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
        parts = [b(trials, epochs) for b in builders]
        parts = [p for p in parts if not p.empty]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(OURS_COLUMNS))

    return build


def with_search_days(build: Builder) -> Builder:
    """``build`` on trials with :data:`SEARCH_DAYS` from ``wall_seconds`` (NaN where a trial has none)."""

    def build_with_days(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
        if "wall_seconds" in trials:
            trials = trials.assign(**{SEARCH_DAYS: pd.to_numeric(trials["wall_seconds"], errors="coerce") / 86400.0})
        return build(trials, epochs)

    return build_with_days


def trained_row(row: str, evaluations: Select, statistic: str, *, errors: Mapping[str, str] = {},
                values: Mapping[str, str] = {}, search: Select | None = None,
                cost: str = "cost_days") -> Builder:
    """One table row: per ``errors`` column key, 100 − the evaluations' metric; per ``values`` key, the
    evaluations' metric as it is (both by ``statistic``: ``mean`` or ``best`` by test accuracy, so a best row's
    params are the best trial's); and, with ``search``, the ``cost`` column: the search trials' mean
    :data:`SEARCH_DAYS` (every search the cells came from, whatever the evaluations' statistic)."""
    parts: list[Builder] = []
    if errors:
        parts.append(grid({row: evaluations}, {k: Select(metric=m) for k, m in errors.items()}, statistic,
                          error=True))
    if values:
        parts.append(grid({row: evaluations}, {k: Select(metric=m) for k, m in values.items()}, statistic))
    if search is not None:
        parts.append(with_search_days(grid({row: search}, {cost: Select(metric=SEARCH_DAYS)}, "mean")))
    return concat(*parts)
