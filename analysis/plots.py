"""Plots of sweep results (pandas + matplotlib only; no torch, no Ray).

Each function takes data frames read from a sweep's Parquet files and returns a matplotlib Figure:

* :func:`curves` — a per-epoch metric (test accuracy of the derived arch, skip-connections, α entropy,
  p …) against the epoch, one line per group with a band of the 95% confidence interval of the mean over seeds
  (:func:`ci95`, as the papers draw theirs): the collapse plots.
* :func:`ablation` — a final metric against a swept value (p_max, λ, lr), one line per group
  (growth strategy, method), mean with 95% CI error bars over seeds: the EM-DARTS / r-DARTS ablation figures.
* :func:`trajectory` — DARTS-PT / IS-DARTS per-decision accuracy.

Axis labels and units come from :mod:`analysis.columns`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis.columns import axis_label  # noqa: E402

T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
"""Student's t quantile 0.975 for 1–30 degrees of freedom (standard tables); 1.96 beyond."""
STYLE = {"figure.figsize": (6.4, 4.0), "axes.grid": True, "grid.alpha": 0.3, "legend.fontsize": 8,
         "savefig.dpi": 150}
"""One look for every figure (``dartsweep plot``, the report's figure artifacts)."""


def ci95(std: float, n: int) -> float:
    """Half-width of the 95% confidence interval of a mean over ``n`` runs with sample std ``std`` (NaN: n < 2)."""
    if n < 2 or math.isnan(std):
        return math.nan
    t = T975[n - 2] if n - 1 <= len(T975) else 1.96
    return t * std / math.sqrt(n)


def _group_name(keys: Sequence[str], values: object) -> str:
    values = values if isinstance(values, tuple) else (values,)
    return ", ".join(f"{k.split('.')[-1]}={v}" for k, v in zip(keys, values))


def _mean_ci(frame: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Per value of ``x``: mean, std, count and the 95% CI half-width of ``y`` (0 where one run has no interval)."""
    stats = frame.groupby(x)[y].agg(["mean", "std", "count"]).reset_index()
    stats["ci95"] = [ci95(s, int(n)) for s, n in zip(stats["std"], stats["count"])]
    stats["ci95"] = stats["ci95"].fillna(0.0)
    return stats


def curves(epochs: pd.DataFrame, metric: str, by: Sequence[str] = (), x: str = "epoch",
           title: str | None = None) -> Figure:
    """Mean ± 95% CI over the rows sharing (group, epoch): seeds are averaged."""
    _require(epochs, [x, metric, *by])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
    groups = epochs.groupby(list(by)) if by else [((), epochs)]
    for key, frame in groups:
        stats = _mean_ci(frame.dropna(subset=[metric]), x, metric)
        name = _group_name(by, key) if by else metric
        line, = ax.plot(stats[x], stats["mean"], label=f"{name} (n={int(stats['count'].max())})")
        ax.fill_between(stats[x], stats["mean"] - stats["ci95"], stats["mean"] + stats["ci95"], alpha=0.2,
                        color=line.get_color())
    return _finish(fig, ax, x, metric, title or f"{axis_label(metric)} per {x}", legend=bool(by))


def ablation(trials: pd.DataFrame, x: str, metric: str, by: Sequence[str] = (),
             title: str | None = None) -> Figure:
    """Final ``metric`` against swept ``x``: error bars are the 95% CI over seeds."""
    _require(trials, [x, metric, *by])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
    groups = trials.groupby(list(by)) if by else [((), trials)]
    for key, frame in groups:
        stats = _mean_ci(frame.dropna(subset=[metric]), x, metric).sort_values(x)
        ax.errorbar(stats[x], stats["mean"], yerr=stats["ci95"], marker="o", capsize=3,
                    label=_group_name(by, key) if by else metric)
    return _finish(fig, ax, x, metric, title or f"{axis_label(metric)} vs {axis_label(x)}", legend=bool(by))


def _finish(fig: Figure, ax, x: str, metric: str, title: str, legend: bool) -> Figure:
    ax.set_xlabel(axis_label(x))
    ax.set_ylabel(axis_label(metric))
    ax.set_title(title)
    ax.grid(alpha=STYLE["grid.alpha"])
    if legend:
        ax.legend(fontsize=STYLE["legend.fontsize"])
    fig.tight_layout()
    return fig


def trajectory(epochs: pd.DataFrame, by: Sequence[str] = ("trial_id",), metric: str = "decision_acc") -> Figure:
    """Accuracy after each selection decision (rows with a ``decision`` index)."""
    rows = epochs.dropna(subset=["decision", metric]) if "decision" in epochs else epochs.iloc[0:0]
    if rows.empty:
        raise ValueError("no per-decision rows (columns 'decision' and "
                         f"'{metric}'): is this a DARTS-PT / IS-DARTS sweep?")
    return curves(rows, metric, by=[b for b in by if b in rows], x="decision",
                  title="selection trajectory")


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"columns {missing} not in the results; available: {sorted(frame.columns)[:40]} …")
