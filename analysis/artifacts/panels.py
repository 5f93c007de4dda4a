"""Figures drawn as several panels: curves per panel (Single-DARTS 003_… Figure 2: one panel per cell, r-DARTS 004_…
Figure 4 here: one per cell type) and heat maps per panel (IS-DARTS 002_… Figure 4: one per epoch).

The builder's tidy frame (:data:`analysis.artifacts.base.OURS_COLUMNS`) names the panel in the row label:
``"<panel> | <series>"`` (:data:`SEP`). Curves: ``column`` is the x value, drawn with the 95% band of
:func:`analysis.plots.ci95` as ``analysis.artifacts.figures`` does; heat maps: ``series`` is a row of the map,
``column`` a column of it, the colour the mean over seeds (log scale when every value is positive). Both write PNG
and PDF, the plotted points as CSV and a Markdown page, like the single-panel figures.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import LogNorm, Normalize  # noqa: E402

from analysis.artifacts.figures import figure_files  # noqa: E402
from analysis.plots import STYLE, ci95  # noqa: E402
from analysis.references import RefTable  # noqa: E402

SEP = " | "
"""Between the panel and the series in a row label."""

LineStyle = Callable[[str], Mapping[str, object]]
"""series label -> matplotlib line options (``linestyle``, ``linewidth``)."""


def panel_row(panel: str, series: str) -> str:
    return f"{panel}{SEP}{series}"


def _split(ours: pd.DataFrame) -> pd.DataFrame:
    parts = ours["row"].str.split(SEP, n=1, regex=False)
    return ours.assign(panel=parts.str[0], series=parts.str[1].fillna(""))


def _grid(count: int, width: float, height: float):
    cols = min(count, 3)
    rows = max(1, math.ceil(count / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:count])


def _title(fig, artifact) -> None:
    fig.suptitle(textwrap.fill(f"{artifact.number} ({artifact.paper}): {artifact.caption}", 120), fontsize=9)


def panel_lines(x_label: str, y_label: str, statement: str = "",
                style: LineStyle = lambda series: {}) -> Callable[..., Mapping[str, str | bytes]]:
    """Renderer: one axis per panel, one line (mean ± 95% CI) per series; ``style`` sets a series' line options."""

    def render(artifact, ours: pd.DataFrame, reference: RefTable | None) -> Mapping[str, str | bytes]:
        points = _split(ours).assign(x=pd.to_numeric(ours["column"]))
        points["ci95"] = [ci95(s, int(n)) for s, n in zip(points["std"], points["n"])]
        panels = list(dict.fromkeys(points["panel"])) or [""]
        with plt.rc_context(STYLE):
            fig, axes = _grid(len(panels), 5.0, 3.8)
            for ax, panel in zip(axes, panels):
                shown = points[points["panel"] == panel]
                for series in dict.fromkeys(shown["series"]):
                    s = shown[shown["series"] == series].sort_values("x")
                    line, = ax.plot(s["x"], s["mean"], marker="o" if len(s) < 12 else None, markersize=3,
                                    label=f"{series} (n={int(s['n'].max())})", **style(series))
                    band = s["ci95"].fillna(0.0)
                    ax.fill_between(s["x"], s["mean"] - band, s["mean"] + band, alpha=0.15, color=line.get_color())
                ax.set_title(panel, fontsize=9)
                ax.set_xlabel(x_label)
                ax.set_ylabel(y_label)
                if len(shown):
                    ax.legend(fontsize=6)
            _title(fig, artifact)
            fig.tight_layout()
        table = points.rename(columns={"x": x_label})[["panel", "series", x_label, "n", "mean", "std", "ci95"]]
        return figure_files(artifact, fig, table, statement, fmt=".4g", ours="mean over seeds")

    return render


def heatmaps(x_label: str, y_label: str, colour_label: str,
             statement: str = "") -> Callable[..., Mapping[str, str | bytes]]:
    """Renderer: one heat map per panel, rows = series (in the builder's order), columns = x values (in order of
    their numeric value), colour = the mean; cells without a finite value stay blank."""

    def render(artifact, ours: pd.DataFrame, reference: RefTable | None) -> Mapping[str, str | bytes]:
        points = _split(ours)
        panels = list(dict.fromkeys(points["panel"])) or [""]
        with plt.rc_context(STYLE):
            fig, axes = _grid(len(panels), 4.6, max(2.8, 0.9 + 0.16 * points["series"].nunique()))
            for ax, panel in zip(axes, panels):
                shown = points[points["panel"] == panel]
                rows = list(dict.fromkeys(shown["series"]))
                cols = sorted(dict.fromkeys(shown["column"]), key=float)
                grid = (shown.pivot_table(index="series", columns="column", values="mean", aggfunc="first")
                        .reindex(index=rows, columns=cols))
                values = grid.to_numpy(dtype=float)
                finite = values[np.isfinite(values)]
                norm = (LogNorm(finite.min(), finite.max()) if finite.size and finite.min() > 0 and
                        finite.max() > finite.min() else Normalize())
                image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", interpolation="nearest", norm=norm,
                                  cmap="viridis")
                ax.set_xticks(range(len(cols)), cols, fontsize=6)
                ax.set_yticks(range(len(rows)), rows, fontsize=5)
                ax.set_title(panel, fontsize=9)
                ax.set_xlabel(x_label)
                ax.set_ylabel(y_label)
                ax.grid(False)
                fig.colorbar(image, ax=ax, label=colour_label)
            _title(fig, artifact)
            fig.tight_layout()
        table = points.rename(columns={"column": x_label})[["panel", "series", x_label, "n", "mean", "std"]]
        return figure_files(artifact, fig, table, statement, fmt=".4g", ours="mean over seeds")

    return render
