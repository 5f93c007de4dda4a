"""Files of a table artifact: CSV (the tidy comparison, numbers only), Markdown (one line per row and column:
ours mean ± std, the paper's value as printed, the difference) and LaTeX (the paper's layout: rows by
columns, each column split into ours / paper / Δ), through pandas' Styler with LaTeX escaping and booktabs
rules.

Cells of the display frames are objects (our (mean, std, n), the paper's printed string, a difference) that
one formatter per format writes: escaping applies to labels, and the ``±`` becomes ``$\\pm$`` in LaTeX. pandas
writes Markdown only through the optional ``tabulate``, which is no dependency: :func:`markdown` writes the
pipe table of a frame of strings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.artifacts.compare import compare
from analysis.references import RefTable

OURS, PAPER, DIFF = "ours", "paper", "Δ"
MISSING = {"md": "—", "tex": "--"}
PM = {"md": "±", "tex": r"$\pm$"}


@dataclass(frozen=True)
class Ours:
    mean: float
    std: float
    n: int


@dataclass(frozen=True)
class Paper:
    text: str


@dataclass(frozen=True)
class Diff:
    value: float


def _formatter(fmt: str, digits: int):
    def show(cell: object) -> str:
        if isinstance(cell, Ours) and not math.isnan(cell.mean):
            if cell.n < 2 or math.isnan(cell.std):
                return f"{cell.mean:.{digits}f}"
            return f"{cell.mean:.{digits}f} {PM[fmt]} {cell.std:.{digits}f}"
        if isinstance(cell, Paper):
            return cell.text.replace("±", PM[fmt]) if fmt == "tex" else cell.text
        if isinstance(cell, Diff) and not math.isnan(cell.value):
            return f"{cell.value:+.{digits}f}"
        return MISSING[fmt]
    return show


def _cells(compared: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        OURS: [Ours(m, s, n) for m, s, n in zip(compared["ours_mean"], compared["ours_std"], compared["n"])],
        PAPER: [Paper(p) if isinstance(p, str) else None for p in compared["paper"]],
        DIFF: [Diff(d) for d in compared["difference"]],
    }, index=compared.index)


def long_display(compared: pd.DataFrame, digits: int, fmt: str = "md") -> pd.DataFrame:
    """row, column, n, ours, paper, Δ as strings (the Markdown layout)."""
    show = _formatter(fmt, digits)
    cells = _cells(compared).map(show)
    return pd.concat([compared[["row", "column"]], compared["n"].astype(str), cells], axis=1)


def wide(compared: pd.DataFrame) -> pd.DataFrame:
    """Rows by (column, ours/paper/Δ) cells, in the paper's order (the LaTeX layout)."""
    cells = pd.concat([compared[["row", "column"]], _cells(compared)], axis=1)
    frame = cells.pivot(index="row", columns="column", values=[OURS, PAPER, DIFF])
    frame = frame.swaplevel(0, 1, axis=1)
    columns = list(dict.fromkeys(compared["column"]))
    frame = frame.reindex(index=list(dict.fromkeys(compared["row"])),
                          columns=pd.MultiIndex.from_product([columns, [OURS, PAPER, DIFF]]))
    frame.index.name = None
    return frame


def markdown(frame: pd.DataFrame) -> str:
    """A GitHub pipe table of a frame of strings (header: the column names)."""
    cells = frame.astype(str).map(lambda s: s.replace("|", r"\|"))
    header = [str(c).replace("|", r"\|") for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def latex(compared: pd.DataFrame, digits: int) -> str:
    """A booktabs ``tabular`` (``\\usepackage{booktabs}``): row labels and column headers escaped."""
    frame = wide(compared)
    styler = frame.style.format(_formatter("tex", digits), na_rep=MISSING["tex"])
    styler = styler.format_index(escape="latex", axis=0).format_index(escape="latex", axis=1)
    return styler.to_latex(hrules=True, multicol_align="c", column_format="l" + "r" * frame.shape[1])


def table_files(artifact, ours: pd.DataFrame, reference: RefTable | None) -> Mapping[str, str]:
    """``md``, ``csv`` and ``tex`` contents of a table artifact."""
    compared = compare(ours, reference)
    title = f"{artifact.number} ({artifact.paper}): {artifact.caption}"
    unit = f" ({reference.quantity}, {reference.unit})" if reference and reference.unit else (
        f" ({reference.quantity})" if reference else "")
    source = f"paper: shared/papers/{reference.file}, {reference.table}" if reference else "paper: no reported numbers"
    notes = "".join(f"* {n}\n" for n in artifact.notes)
    md = (f"# {title}\n\n{source}; ours: {artifact.statistic} ({', '.join(artifact.sweeps)}){unit}\n\n"
          f"{notes}{chr(10) if notes else ''}{markdown(long_display(compared, artifact.digits))}")
    return {"md": md, "csv": compared.to_csv(index=False), "tex": latex(compared, artifact.digits)}
