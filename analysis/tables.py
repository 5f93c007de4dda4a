"""Mean ± std, or the best of N, over seeds of a sweep's final metrics, grouped by the swept keys (pandas only).

Reads ``trials.parquet`` (one row per trial, written by ``dartsweep run``/``collect``). The papers report two
statistics over independent search seeds: mean ± standard deviation (EM-DARTS 000_… Tables 2 "avg" and 7,
DARTS-PT 001_… Table 2 "avg", IS-DARTS 002_… Table 2) and the best of N runs (EM-DARTS Table 3 "the
best-performing architecture of 4 independent runs", DARTS-PT Table 3 after RobustDARTS, the "(best)" rows of
EM-DARTS / DARTS-PT Table 2). ``stat="mean"``: the sample std (ddof 1), a group with one seed shows its mean
alone. ``stat="best"``: per group the trial with the highest ``rank_by`` (test accuracy by default) and every
metric *of that trial*, so a best row is one real architecture, not a column-wise max. Only trials that
finished (status TERMINATED) count unless ``statuses`` says otherwise. Markdown headers are the column names
(what ``--by`` and ``--metrics`` take); LaTeX headers are the labels and units of :mod:`analysis.columns`,
ready for a paper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.columns import axis_label

DEFAULT_METRICS = (
    "test_acc", "params_m", "val_acc", "train_acc", "n_skip", "n_parametric", "alpha_entropy",
    "nb201_cifar10_test", "nb201_cifar100_test", "nb201_imagenet16_test",
)
"""Shown by default when present: an evaluation's test accuracy and size (the papers' tables of trained
architectures), supernet accuracy, the collapse indicators of the papers (skip count, α entropy) and NB201
ground truth of the derived architecture (EM-DARTS / IS-DARTS Table 1 columns)."""

FORMATS = ("md", "latex", "csv")
STATS = ("mean", "best")
"""``mean``: mean ± sample std per group; ``best``: the group's best trial by ``rank_by`` (best of N)."""
RANK_BY = "test_acc"
"""The best of N is the best *test* accuracy among a group's seeds (EM-DARTS / DARTS-PT Table 3)."""
TRIAL = "trial_id"

LATEX_ESCAPES = {"\\": r"\textbackslash{}", "_": r"\_", "%": r"\%", "&": r"\&", "#": r"\#", "$": r"\$",
                 "α": r"$\alpha$", "β": r"$\beta$", "λ": r"$\lambda$"}
"""Characters of labels that LaTeX would misread (or pdfLaTeX cannot typeset as Unicode)."""


def load_trials(path: str | Path) -> pd.DataFrame:
    """``trials.parquet``, given the file or the sweep directory holding it."""
    path = Path(path)
    if path.is_dir():
        path = path / "trials.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found; `dartsweep collect DIR` rebuilds it from the trials' outputs")
    return pd.read_parquet(path)


def default_metrics(trials: pd.DataFrame) -> list[str]:
    return [m for m in DEFAULT_METRICS if m in trials.columns and trials[m].notna().any()]


def default_rank_by(trials: pd.DataFrame, metrics: Sequence[str]) -> str:
    """``test_acc`` when the table has it (evaluations), else the first metric shown."""
    return RANK_BY if RANK_BY in trials.columns else metrics[0]


def summarise(trials: pd.DataFrame, by: Sequence[str], metrics: Sequence[str],
              statuses: Sequence[str] | None = ("TERMINATED",), stat: str = "mean",
              rank_by: str | None = None) -> pd.DataFrame:
    """One row per group of ``by`` with ``n`` (trials). ``stat="mean"``: ``<metric>_mean`` / ``<metric>_std``
    (ddof 1). ``stat="best"``: ``trial_id`` of the group's trial with the highest ``rank_by`` (default
    :func:`default_rank_by`; trials without a value never win, ties go to the first in sweep order) and
    ``<metric>_best``, that trial's value of every metric."""
    if stat not in STATS:
        raise ValueError(f"unknown statistic {stat!r}; allowed: {', '.join(STATS)}")
    rank_by = rank_by or (default_rank_by(trials, metrics) if stat == "best" else None)
    missing = [c for c in dict.fromkeys([*by, *metrics, *([rank_by] if rank_by else [])]) if c not in trials.columns]
    if missing:
        raise KeyError(f"no column(s) {', '.join(missing)} in the trials table; "
                       f"columns: {', '.join(map(str, trials.columns))}")
    df = trials if statuses is None or "status" not in trials else trials[trials["status"].isin(statuses)]
    data = pd.DataFrame({k: df[k].astype(object).where(df[k].notna(), "—") for k in by}, index=df.index)
    for m in metrics:
        data[m] = pd.to_numeric(df[m], errors="coerce")
    keys = list(by) or ["_all"]
    if not by:
        data["_all"] = "all"
    if stat == "best":
        data["_rank"] = pd.to_numeric(df[rank_by], errors="coerce")
        data[TRIAL] = df[TRIAL].astype(object) if TRIAL in df else df.index.astype(str)
        best = _best_rows(data.groupby(keys, sort=False), keys, metrics)
        return best.drop(columns="_all") if not by else best
    grouped = data.groupby(keys, sort=False)  # sweep order; mixed-type keys need not sort
    agg = grouped[list(metrics)].agg(["mean", "std"])
    agg.columns = [f"{m}_{stat}" for m, stat in agg.columns]
    agg.insert(0, "n", grouped.size())
    agg = agg.reset_index()
    return agg.drop(columns="_all") if not by else agg


def _best_rows(grouped, keys: list[str], metrics: Sequence[str]) -> pd.DataFrame:
    """Per group: n, the best trial's id and its metrics (NaN when no trial of the group has a rank value)."""
    rows = []
    for key, group in grouped:
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        row["n"] = len(group)
        ranked = group["_rank"].dropna()
        winner = group.loc[ranked.idxmax()] if len(ranked) else None
        row[TRIAL] = winner[TRIAL] if winner is not None else "—"
        for m in metrics:
            row[f"{m}_best"] = winner[m] if winner is not None else float("nan")
        rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, "n", TRIAL, *(f"{m}_best" for m in metrics)])


def _cell(mean: float, std: float, n: int, digits: int, pm: str) -> str:
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "—"
    if n < 2 or std is None or math.isnan(std):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} {pm} {std:.{digits}f}"


def format_table(summary: pd.DataFrame, by: Sequence[str], metrics: Sequence[str], fmt: str = "md",
                 digits: int = 2) -> str:
    """Markdown or LaTeX with ``mean ± std`` cells (or, for a best-of-N summary, the best trial's id and its
    values), or CSV with the summary's own columns."""
    if fmt == "csv":
        return summary.to_csv(index=False)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
    pm = "±" if fmt == "md" else r"$\pm$"
    best = TRIAL in summary.columns and all(f"{m}_best" in summary.columns for m in metrics)
    header = [*by, "n", *([TRIAL] if best else []), *metrics]
    rows = []
    for _, r in summary.iterrows():
        cells = [str(r[k]) for k in by] + [str(int(r["n"]))]
        if best:
            cells += [str(r[TRIAL])] + [_cell(r[f"{m}_best"], float("nan"), 1, digits, pm) for m in metrics]
        else:
            cells += [_cell(r[f"{m}_mean"], r[f"{m}_std"], int(r["n"]), digits, pm) for m in metrics]
        rows.append(cells)
    if fmt == "md":
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(c) + " |" for c in rows]
        return "\n".join(lines) + "\n"
    esc = [_latex(axis_label(h)) if h != "n" else "n" for h in header]
    lines = [r"\begin{tabular}{" + "l" * len(by) + "r" * (len(header) - len(by)) + "}", r"\toprule",
             " & ".join(esc) + r" \\", r"\midrule"]
    lines += [" & ".join(c.replace("_", r"\_").replace("—", "--") for c in cells) + r" \\" for cells in rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def _latex(text: str) -> str:
    return "".join(LATEX_ESCAPES.get(ch, ch) for ch in text)
