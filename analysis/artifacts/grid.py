"""The builder of a paper table: each cell selects trials by column values and aggregates one metric.

A table is a grid of rows (the paper's row labels) and columns (the keys of its reference columns); a cell's
trials are those matching both its row's and its column's ``where``, its metric is the column's (or the row's)
metric. Aggregation is :func:`analysis.tables.summarise` (finished trials only): ``mean`` (mean ± std over
seeds), ``best`` (best of N by test accuracy; EM-DARTS 000_… Table 3) or ``value`` (a configured value every
trial shares: EM-DARTS Table 5's p_max). ``error=True`` reports 100 − accuracy (the papers' test error).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis.artifacts.base import OURS_COLUMNS, Builder
from analysis.tables import summarise

NB201_COLUMNS = tuple(f"{d}_{s}" for d in ("cifar10", "cifar100", "imagenet16") for s in ("valid", "test"))
"""The six columns of the NB201 tables (EM-DARTS / IS-DARTS / Single-DARTS / r-DARTS Table 1): the NB201
accuracies of the derived cell, ``nb201_<key>`` in trials.parquet."""

DERIVED = {"cost_hours": lambda t: pd.to_numeric(t["wall_seconds"], errors="coerce") / 3600.0}
"""Metrics computed from trials.parquet columns: the search cost in hours from the measured wall time."""


@dataclass(frozen=True)
class Select:
    """Trials whose columns equal ``where`` (all of them), and the metric their cell shows."""
    where: Mapping[str, object] = field(default_factory=dict)
    metric: str | None = None


def nb201_columns() -> dict[str, Select]:
    return {key: Select(metric=f"nb201_{key}") for key in NB201_COLUMNS}


def _matching(trials: pd.DataFrame, where: Mapping[str, object]) -> pd.DataFrame:
    mask = pd.Series(True, index=trials.index)
    for column, value in where.items():
        if column not in trials:
            return trials.iloc[0:0]
        mask &= trials[column].astype(object) == value
    return trials[mask]


def _cell(trials: pd.DataFrame, metric: str, statistic: str) -> tuple[int, float, float] | None:
    if metric in DERIVED and "wall_seconds" in trials:
        trials = trials.assign(**{metric: DERIVED[metric](trials)})
    if metric not in trials or trials.empty:
        return None
    stat = "best" if statistic == "best" else "mean"
    s = summarise(trials, [], [metric], stat=stat)
    if s.empty or int(s["n"].iloc[0]) == 0:
        return None
    n = int(s["n"].iloc[0])
    if stat == "best":
        return n, float(s[f"{metric}_best"].iloc[0]), math.nan
    mean, std = float(s[f"{metric}_mean"].iloc[0]), float(s[f"{metric}_std"].iloc[0])
    if statistic == "value":
        if not (math.isnan(std) or std == 0.0):
            raise ValueError(f"{metric}: the trials of a 'value' cell disagree (std {std:.4g})")
        std = math.nan
    return n, mean, std


def with_epoch_total(build: Builder, metric: str, column: str = "epoch_seconds", scale: float = 1.0,
                     how: str = "sum") -> Builder:
    """``build`` on trials with one more column, ``metric``: the trial's ``column`` summed over its rows of
    epochs.parquet, times ``scale`` (EM-DARTS Table 6: ``epoch_seconds`` / 86400 = search cost in days); ``how``
    another aggregation of them (``max``: r-DARTS Table 3's peak memory of a search). A trial without such rows
    has none (NaN), so its cell leaves it out."""

    def build_with_total(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
        keys = ["sweep", "trial_id"]
        if not epochs.empty and {column, *keys} <= set(epochs) and set(keys) <= set(trials):
            values = pd.to_numeric(epochs[column], errors="coerce") * scale
            grouped = epochs[keys].assign(**{metric: values}).groupby(keys, as_index=False)[metric]
            totals = grouped.sum(min_count=1) if how == "sum" else grouped.agg(how)
            trials = trials.drop(columns=[metric], errors="ignore").merge(totals, on=keys, how="left")
        return build(trials, epochs)

    return build_with_total


def grid(rows: Mapping[str, Select], columns: Mapping[str, Select], statistic: str,
         error: bool = False) -> Builder:
    """A builder filling the cells of ``rows`` x ``columns`` that have finished trials."""

    def build(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
        out = []
        for row, rsel in rows.items():
            for column, csel in columns.items():
                metric = csel.metric or rsel.metric
                if metric is None:
                    raise ValueError(f"cell ({row}, {column}): neither row nor column names a metric")
                cell = _cell(_matching(trials, {**rsel.where, **csel.where}), metric, statistic)
                if cell is None:
                    continue
                n, mean, std = cell
                out.append((row, column, n, 100.0 - mean if error else mean, std))
        return pd.DataFrame(out, columns=list(OURS_COLUMNS))

    return build
