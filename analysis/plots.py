"""Plots of sweep results (pandas + matplotlib only; no torch, no Ray).

Each function takes data frames read from a sweep's Parquet files and returns a matplotlib Figure:

* :func:`curves` — a per-epoch metric (test accuracy of the derived arch, skip-connections, α entropy,
  p …) against the epoch, one line per group with a mean ± std band over seeds: the collapse plots.
* :func:`ablation` — a final metric against a swept value (p_max, λ, lr), one line per group
  (growth strategy, method), mean ± std over seeds: the EM-DARTS / r-DARTS ablation figures.
* :func:`trajectory` — DARTS-PT / IS-DARTS per-decision accuracy.

Axis labels and units come from :mod:`analysis.columns`.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis.columns import axis_label  # noqa: E402


def _group_name(keys: Sequence[str], values: object) -> str:
    values = values if isinstance(values, tuple) else (values,)
    return ", ".join(f"{k.split('.')[-1]}={v}" for k, v in zip(keys, values))


def _mean_std(frame: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    stats = frame.groupby(x)[y].agg(["mean", "std", "count"]).reset_index()
    stats["std"] = stats["std"].fillna(0.0)
    return stats


def curves(epochs: pd.DataFrame, metric: str, by: Sequence[str] = (), x: str = "epoch",
           title: str | None = None) -> Figure:
    """Mean ± std over the rows sharing (group, epoch): seeds are averaged."""
    _require(epochs, [x, metric, *by])
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    groups = epochs.groupby(list(by)) if by else [((), epochs)]
    for key, frame in groups:
        stats = _mean_std(frame.dropna(subset=[metric]), x, metric)
        name = _group_name(by, key) if by else metric
        ax.plot(stats[x], stats["mean"], label=f"{name} (n={int(stats['count'].max())})")
        ax.fill_between(stats[x], stats["mean"] - stats["std"], stats["mean"] + stats["std"], alpha=0.2)
    return _finish(fig, ax, x, metric, title or f"{axis_label(metric)} per {x}", legend=bool(by))


def ablation(trials: pd.DataFrame, x: str, metric: str, by: Sequence[str] = (),
             title: str | None = None) -> Figure:
    """Final ``metric`` against swept ``x``: error bars are the std over seeds."""
    _require(trials, [x, metric, *by])
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    groups = trials.groupby(list(by)) if by else [((), trials)]
    for key, frame in groups:
        stats = _mean_std(frame.dropna(subset=[metric]), x, metric).sort_values(x)
        ax.errorbar(stats[x], stats["mean"], yerr=stats["std"], marker="o", capsize=3,
                    label=_group_name(by, key) if by else metric)
    return _finish(fig, ax, x, metric, title or f"{axis_label(metric)} vs {axis_label(x)}", legend=bool(by))


def _finish(fig: Figure, ax, x: str, metric: str, title: str, legend: bool) -> Figure:
    ax.set_xlabel(axis_label(x))
    ax.set_ylabel(axis_label(metric))
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if legend:
        ax.legend(fontsize=8)
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
