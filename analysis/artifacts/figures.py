"""Figure artifacts: curves of our numbers with 95% confidence bands, as the papers draw them.

A figure's builder returns the same tidy frame as a table's (:data:`analysis.artifacts.base.OURS_COLUMNS`): one
row per (series, x) with the trials aggregated (n, mean, sample std); ``column`` holds the x value. The renderer
draws one line per series with the band mean ± t₀.₉₇₅(n−1)·std/√n, the papers' "95% confidence interval over N
runs" (000_… Figures 2 and 3), and writes PNG and PDF, the plotted points as CSV, and a Markdown page with the
image, the points and the paper's statement where it gives one (figures print no numbers).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.artifacts.base import OURS_COLUMNS, Builder  # noqa: E402
from analysis.artifacts.grid import Select, _matching  # noqa: E402
from analysis.artifacts.render import markdown  # noqa: E402
from analysis.plots import STYLE, ci95  # noqa: E402
from analysis.references import RefTable  # noqa: E402


def epoch_curves(series: Mapping[str, Select], metric: str) -> Builder:
    """A per-epoch metric of each series' finished trials (their rows of epochs.parquet), mean ± std per epoch
    (``column`` = the epoch)."""

    def build(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
        out = []
        keys = ["sweep", "trial_id"]
        if epochs.empty or metric not in epochs or not set(keys) <= set(epochs) or not set(keys) <= set(trials):
            return pd.DataFrame(out, columns=list(OURS_COLUMNS))
        done = trials[trials["status"] == "TERMINATED"] if "status" in trials else trials
        for label, select in series.items():
            chosen = _matching(done, select.where)[keys]
            rows = epochs.merge(chosen, on=keys)
            values = pd.to_numeric(rows[metric], errors="coerce")
            stats = values.groupby(rows["epoch"]).agg(["count", "mean", "std"])
            for epoch, s in stats.iterrows():
                if s["count"]:
                    out.append((label, str(int(epoch)), int(s["count"]), float(s["mean"]), float(s["std"])))
        return pd.DataFrame(out, columns=list(OURS_COLUMNS))

    return build


def value_curves(series: Mapping[str, Select], x: str, metric: str) -> Builder:
    """A final metric of each series' finished trials against the value of their column ``x`` (a swept p_max, the
    number of epochs), mean ± std per value (``column`` = the value): every value the results hold is a point."""

    def build(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
        out = []
        done = trials[trials["status"] == "TERMINATED"] if "status" in trials else trials
        for label, select in series.items():
            chosen = _matching(done, select.where)
            if x not in chosen or metric not in chosen:
                continue
            values = pd.to_numeric(chosen[metric], errors="coerce")
            stats = values.groupby(pd.to_numeric(chosen[x], errors="coerce")).agg(["count", "mean", "std"])
            for value, s in stats.iterrows():
                if s["count"]:
                    out.append((label, f"{value:g}", int(s["count"]), float(s["mean"]), float(s["std"])))
        return pd.DataFrame(out, columns=list(OURS_COLUMNS))

    return build


def figure(x_label: str, y_label: str, statement: str = "",
           ylim: tuple[float, float] | None = None) -> Callable[..., Mapping[str, str | bytes]]:
    """The renderer of a figure artifact with these axis labels; ``statement``: what the paper says of it;
    ``ylim``: the metric's possible range (a t-interval over 3 seeds can reach past 100% or below 0 skip-connections:
    the axes clip the band there, the CSV keeps it whole)."""

    def render(artifact, ours: pd.DataFrame, reference: RefTable | None) -> Mapping[str, str | bytes]:
        points = ours.assign(x=pd.to_numeric(ours["column"]))
        points["ci95"] = [ci95(s, int(n)) for s, n in zip(points["std"], points["n"])]
        with plt.rc_context(STYLE):
            fig, ax = plt.subplots()
            for label in dict.fromkeys(points["row"]):
                s = points[points["row"] == label].sort_values("x")
                line, = ax.plot(s["x"], s["mean"], marker="o" if len(s) < 12 else None, markersize=4,
                                label=f"{label} (n={int(s['n'].max())})")
                band = s["ci95"].fillna(0.0)
                ax.fill_between(s["x"], s["mean"] - band, s["mean"] + band, alpha=0.2, color=line.get_color())
            ax.set_xlabel(x_label)
            ax.set_ylabel(y_label)
            if ylim is not None:
                ax.set_ylim(*ylim)
            ax.set_title(textwrap.fill(f"{artifact.number} ({artifact.paper}): {artifact.caption}", 90), fontsize=9)
            if len(points):
                ax.legend()
            fig.tight_layout()
        table = points.rename(columns={"row": "series", "x": x_label})[["series", x_label, "n", "mean", "std", "ci95"]]
        return figure_files(artifact, fig, table, statement)

    return render


def bars(y_label: str, statement: str = "") -> Callable[..., Mapping[str, str | bytes]]:
    """The renderer of a bar chart: one group of bars per row of ours, one bar per column, each the mean with its
    95% CI over seeds as an error bar (final values compared across settings: r-DARTS 004_… Figure 5). Cells no
    trial filled are left out."""

    def render(artifact, ours: pd.DataFrame, reference: RefTable | None) -> Mapping[str, str | bytes]:
        points = ours[ours["n"] > 0].copy()
        points["ci95"] = [ci95(s, int(n)) for s, n in zip(points["std"], points["n"])]
        groups, kinds = list(dict.fromkeys(points["row"])), list(dict.fromkeys(points["column"]))
        width = 0.8 / max(1, len(kinds))
        with plt.rc_context(STYLE):
            fig, ax = plt.subplots()
            for i, kind in enumerate(kinds):
                s = points[points["column"] == kind].set_index("row").reindex(groups)
                xs = [g + (i - (len(kinds) - 1) / 2) * width for g in range(len(groups))]
                ax.bar(xs, s["mean"], width, yerr=s["ci95"].fillna(0.0), capsize=3, label=kind)
            ax.set_xticks(range(len(groups)), groups, fontsize=8)
            ax.set_ylabel(y_label)
            ax.set_title(textwrap.fill(f"{artifact.number} ({artifact.paper}): {artifact.caption}", 90), fontsize=9)
            if len(points):
                ax.legend()
            fig.tight_layout()
        table = points.rename(columns={"row": "group", "column": "bar"})[["group", "bar", "n", "mean", "std", "ci95"]]
        return figure_files(artifact, fig, table, statement)

    return render


def figure_files(artifact, fig, table: pd.DataFrame, statement: str, fmt: str = ".2f",
                 ours: str = "mean ± 95% CI over seeds") -> dict[str, str | bytes]:
    """PNG and PDF of a drawn figure (closed here), its points as CSV, and the Markdown page: the image, what the
    paper says of the figure, what our points are (``ours``), our notes and the points (numbers as ``fmt``)."""
    files: dict[str, str | bytes] = {}
    for ext in ("png", "pdf"):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=ext)
        files[ext] = buffer.getvalue()
    plt.close(fig)
    base = artifact.key.replace("/", "_")
    notes = "".join(f"* {n}\n" for n in artifact.notes)
    said = f"paper: {statement}\n\n" if statement else "paper: the figure only (no numbers printed)\n\n"
    shown = table.astype(object).where(table.notna(), "—").map(lambda v: format(v, fmt) if isinstance(v, float) else v)
    files["md"] = (f"# {artifact.number} ({artifact.paper}): {artifact.caption}\n\n![{artifact.number}]({base}.png)"
                   f"\n\n{said}ours: {ours} ({', '.join(artifact.sweeps)})\n\n{notes}"
                   f"{chr(10) if notes else ''}{markdown(shown)}")
    files["csv"] = table.to_csv(index=False)
    return files
