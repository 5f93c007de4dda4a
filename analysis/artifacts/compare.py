"""Ours beside the paper's: one tidy row per (paper row, column) with our value, the paper's and the difference.

Rows come in the paper's order (every row of the reference table, the baselines it quotes included), then the
rows only we have (a baseline the paper does not print, e.g. random sampling). A row we do not produce shows
the paper's value only; a cell the paper leaves blank ("-") shows ours only. ``difference`` = ours − paper
(mean against mean).
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.references import RefTable

COMPARE_COLUMNS = ("row", "column", "n", "ours_mean", "ours_std", "paper", "paper_mean", "paper_std", "difference")


def compare(ours: pd.DataFrame, reference: RefTable | None) -> pd.DataFrame:
    """``ours`` (a builder's frame: row, column key, n, mean, std) joined with the reference table."""
    labels = {c.key: c.label for c in reference.columns} if reference else {}
    mine = {(r.row, r.column): r for r in ours.itertuples(index=False)}
    out = []

    def add(row: str, key: str, paper: str | None, paper_mean: float | None, paper_std: float | None) -> None:
        o = mine.get((row, key))
        ours_mean = o.mean if o is not None else math.nan
        diff = ours_mean - paper_mean if o is not None and paper_mean is not None else math.nan
        out.append((row, labels.get(key, key), o.n if o is not None else 0, ours_mean,
                    o.std if o is not None else math.nan, paper,
                    math.nan if paper_mean is None else paper_mean, math.nan if paper_std is None else paper_std,
                    diff))

    seen: set[tuple[str, str]] = set()
    if reference is not None:
        for r in reference.rows:
            for c, v in zip(reference.columns, r.values, strict=True):
                add(r.row, c.key, None if v.blank else v.text, v.mean, v.std)
                seen.add((r.row, c.key))
            for key in dict.fromkeys(o.column for o in ours.itertuples() if o.row == r.row):
                if (r.row, key) not in seen:  # a column the paper does not have for this row
                    add(r.row, key, None, None, None)
                    seen.add((r.row, key))
    for o in ours.itertuples(index=False):
        if (o.row, o.column) not in seen:
            add(o.row, o.column, None, None, None)
            seen.add((o.row, o.column))
    frame = pd.DataFrame(out, columns=list(COMPARE_COLUMNS))
    frame["n"] = frame["n"].astype(int)
    return frame
