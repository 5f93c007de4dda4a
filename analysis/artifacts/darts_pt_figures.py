"""DARTS-PT (shared/papers/001_2e99d543156ece01.txt): the figures about operation selection.

* Figure 1 (§3.1): α against "discretization accuracy at convergence" of every op on 3 edges of a DARTS supernet,
  from the select trainable's discretisation trials (``discretize_edge`` / ``discretize_op``: the edge committed to
  the op, the rest tuned 5 epochs; ``discretize_alpha``, and the last epoch's ``val_acc``).
* Figure 2 (§3.1): on S2, per normal-cell edge, the share of supernets whose strongest op is ``sep_conv_3x3`` by α
  (2a) and by discretization accuracy at convergence (2b), from the same kind of trials.
* Figure 4 (§5.2) / Figure 8 (App. A.6): NB201 test accuracy on CIFAR-10, CIFAR-100 and ImageNet16-120 against
  the search epoch, of the α-argmax cell (``nb201_*``) and of the cell PT selects from that epoch's snapshot
  (``pt_nb201_*``, the ``pt_trajectory`` probe).
* Figure 6 (§6.2): the supernet's validation accuracy (``val_acc`` after each tuning epoch) during the operation
  decisions on S2, pt against pt-mag.
* Figure 9 (App. A.7): NB201 test accuracy of the pt-selected cell against the tuning epochs between decisions.

Figures print no numbers: each renders our curves with the paper's statement (``analysis.artifacts.figures``);
Figure 1 labels every point with its op (:func:`op_scatter`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.artifacts.base import OURS_COLUMNS, Artifact, Builder, register  # noqa: E402
from analysis.artifacts.darts_pt import TABLE4_SEARCH, TABLE4_SELECT  # noqa: E402
from analysis.artifacts.figures import epoch_curves, figure, figure_files, value_curves  # noqa: E402
from analysis.artifacts.grid import Select, _matching  # noqa: E402
from analysis.plots import STYLE  # noqa: E402
from analysis.references import RefTable  # noqa: E402

KEYS = ["sweep", "trial_id"]
NB201_SETS = {"CIFAR-10": "cifar10", "CIFAR-100": "cifar100", "ImageNet16-120": "imagenet16"}
"""The three panels of Figures 4 and 8 (left to right), as the ``nb201_<key>_test`` columns name them."""


def _finished(trials: pd.DataFrame) -> pd.DataFrame:
    return trials[trials["status"] == "TERMINATED"] if "status" in trials else trials


# ---------------------------------------------------------------- discretisation (Figures 1 and 2)

DISCRETIZED = ("discretize_edge", "discretize_op", "discretize_alpha", "val_acc")
"""What a discretisation trial reports (its final row): the edge, the op it was committed to, that op's α weight
before the commit, and the supernet's validation accuracy after the tuning epochs."""


def discretized(trials: pd.DataFrame, where: Mapping[str, object]) -> pd.DataFrame:
    """The finished discretisation trials matching ``where``: supernet (``source.seed``), edge, op, α, accuracy."""
    chosen = _matching(_finished(trials), where)
    if chosen.empty or not set(DISCRETIZED) <= set(chosen):
        return pd.DataFrame(columns=["seed", "edge", "op", "alpha", "acc"])
    seed = chosen["source.seed"] if "source.seed" in chosen else pd.Series(0, index=chosen.index)
    out = pd.DataFrame({"seed": pd.to_numeric(seed, errors="coerce").fillna(0).astype(int),
                        "edge": pd.to_numeric(chosen["discretize_edge"]).astype(int),
                        "op": chosen["discretize_op"].astype(str),
                        "alpha": pd.to_numeric(chosen["discretize_alpha"], errors="coerce"),
                        "acc": pd.to_numeric(chosen["val_acc"], errors="coerce")})
    return out.dropna(subset=["alpha", "acc"])


def alpha_vs_accuracy(where: Mapping[str, object]) -> Builder:
    """One series per (supernet, edge): each op a point at x = its α weight, y = its discretisation accuracy at
    convergence (n = 1: every point is one trial); ``label`` carries the op for the plot."""

    def build(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
        points = discretized(trials, where)
        several = points["seed"].nunique() > 1
        rows = [(f"edge {p.edge}" + (f" (supernet seed {p.seed})" if several else ""), f"{p.alpha:.6g}", 1,
                 float(p.acc), float("nan"), p.op) for p in points.sort_values(["seed", "edge", "alpha"]).itertuples()]
        return pd.DataFrame(rows, columns=[*OURS_COLUMNS, "label"])

    return build


def strongest_op_share(where: Mapping[str, object], op: str) -> Builder:
    """Per edge (x), the share of supernets whose strongest op is ``op`` by α ('largest α') and by discretisation
    accuracy at convergence; edges with both ops measured only."""

    def build(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
        points = discretized(trials, where)
        out = []
        for label, column in (("largest α (2a)", "alpha"), ("highest discretization accuracy (2b)", "acc")):
            wins = []
            for (_seed, edge), group in points.groupby(["seed", "edge"]):
                if group["op"].nunique() < 2:
                    continue
                wins.append((edge, float(group.loc[group[column].idxmax(), "op"] == op)))
            frame = pd.DataFrame(wins, columns=["edge", "win"])
            for edge, s in frame.groupby("edge")["win"].agg(["count", "mean", "std"]).iterrows():
                out.append((label, str(int(edge)), int(s["count"]), float(s["mean"]), float(s["std"])))
        return pd.DataFrame(out, columns=list(OURS_COLUMNS))

    return build


def op_scatter(x_label: str, y_label: str, statement: str) -> Callable[..., Mapping[str, str | bytes]]:
    """The renderer of Figure 1: per series (an edge) its ops as labelled points, x = α, y = accuracy, joined in
    order of α (a line that rises throughout: α ranks the ops as their accuracy does). PNG, PDF, CSV, Markdown as
    :func:`analysis.artifacts.figures.figure`."""

    def render(artifact: Artifact, ours: pd.DataFrame, reference: RefTable | None) -> Mapping[str, str | bytes]:
        points = ours.assign(x=pd.to_numeric(ours["column"]))
        if "label" not in points:
            points["label"] = ""
        with plt.rc_context(STYLE):
            fig, ax = plt.subplots()
            for series in dict.fromkeys(points["row"]):
                s = points[points["row"] == series].sort_values("x")
                line, = ax.plot(s["x"], s["mean"], marker="o", markersize=4, label=series)
                for p in s.itertuples():
                    ax.annotate(str(p.label), (p.x, p.mean), fontsize=6, xytext=(3, 3), textcoords="offset points",
                                color=line.get_color())
            ax.set_xlabel(x_label)
            ax.set_ylabel(y_label)
            ax.set_title(textwrap.fill(f"{artifact.number} ({artifact.paper}): {artifact.caption}", 90), fontsize=9)
            if len(points):
                ax.legend()
            fig.tight_layout()
        table = points.rename(columns={"row": "series", "label": "op", "x": x_label})[
            ["series", "op", x_label, "n", "mean", "std"]]
        return figure_files(artifact, fig, table, statement, fmt=".4g", ours="one trial per point")

    return render


TABLE2_SEARCH = "sweeps/darts_pt/table2_search.yaml"
FIGURE1 = "sweeps/darts_pt/figure1_select.yaml"

register(Artifact(
    paper="darts_pt", number="Figure 1", kind="figure", statistic="mean",
    caption="α vs discretization accuracy at convergence of every op on 3 edges of a DARTS supernet (DARTS space, "
            "CIFAR-10)",
    sweeps=(TABLE2_SEARCH, FIGURE1),
    build=alpha_vs_accuracy({"sweep": "darts_pt_figure1_select"}),
    render=op_scatter("α (softmax weight of the op before discretising)",
                      "supernet validation accuracy after discretising and tuning (%)",
                      "the order of the α values does not follow the ops' discretization accuracy, and ops with "
                      "small α are sometimes the strongest (§3.1)"),
    notes=("each point: one trial committing a normal-cell edge of the seed-0 darts-pt supernet (table2_search) to "
           "one op and tuning the rest 5 epochs (001_… App. A.7: enough to converge again), α and weights trained "
           "as PT tunes; accuracy on the α split.",
           "edges 7, 8, 10 of the normal cell, drawn once with a fixed seed (the paper's edges are not named); the "
           "paper draws α and accuracy as two bar series per edge, we plot one against the other."),
))

TABLE3_SEARCH = "sweeps/darts_pt/table3_search.yaml"
FIGURE2 = "sweeps/darts_pt/figure2_select.yaml"
S2_PARAMETRIC = "sep_conv_3x3"
"""S2's parametric op (its other candidate is skip_connect; 001_… §3.1)."""

register(Artifact(
    paper="darts_pt", number="Figure 2", kind="figure", statistic="mean",
    caption="S2 normal cell: share of supernets whose strongest op on each edge is sep_conv_3x3, by α and by "
            "discretization accuracy at convergence",
    sweeps=(TABLE3_SEARCH, FIGURE2),
    build=strongest_op_share({"sweep": "darts_pt_figure2_select"}, S2_PARAMETRIC),
    render=figure("normal-cell edge", "supernets whose strongest op is sep_conv_3x3 (share)",
                  "by α, skip_connect is stronger on 12 of the 14 edges; by discretization accuracy at convergence, "
                  "sep_conv_3x3 is on half of them (§3.1)"),
    notes=("ours: the seed-0 darts-pt S2 CIFAR-10 supernet of table3_search; each edge committed to each op and the "
           "rest tuned 5 epochs (001_… App. A.7). With one supernet every point is 0 or 1: the mean over edges of "
           "each series is the paper's count / 14.",
           "the paper draws the two cells (2a, 2b) with the winning op on each edge."),
))

FIGURE4 = "sweeps/darts_pt/figure4_search.yaml"
FIGURE8 = "sweeps/darts_pt/figure8_search.yaml"
_TRAJECTORY_NOTES = (
    "searched on CIFAR-10 (DARTS-PT's NB201 script); the three data sets are the NB201 test accuracies of the same "
    "cell (the paper draws one panel each, we draw them on one axis).",
    "PT: the pt_trajectory probe runs the whole selection (5 tuning epochs between decisions) on a copy of the "
    "supernet every 10th epoch; the paper does not list its snapshot epochs.",
)


def _trajectories(sweep: str, series: Mapping[str, str]) -> Builder:
    """For each label -> column prefix ('' for the α-argmax cell, 'pt_' for PT's) and each NB201 data set, the
    per-epoch test accuracy of the sweep's searches."""
    builders = [epoch_curves({f"{label}, {name}": Select({"sweep": sweep})}, f"{prefix}nb201_{key}_test")
                for name, key in NB201_SETS.items() for label, prefix in series.items()]
    return lambda trials, epochs: pd.concat([b(trials, epochs) for b in builders], ignore_index=True)


register(Artifact(
    paper="darts_pt", number="Figure 4", kind="figure", statistic="mean",
    caption="NB201 test accuracy during the search of the cell α selects (DARTS) and of the cell PT selects from "
            "the same supernet's snapshot (DARTS+PT)",
    sweeps=(FIGURE4,),
    build=_trajectories("darts_pt_figure4_search", {"DARTS": "", "DARTS+PT": "pt_"}),
    render=figure("search epoch", "NB201 test accuracy (%)",
                  "the cell α selects degrades as the search goes on, while PT extracts better cells from the same "
                  "supernets throughout (§5.2)"),
    notes=_TRAJECTORY_NOTES,
))

register(Artifact(
    paper="darts_pt", number="Figure 8", kind="figure", statistic="mean",
    caption="NB201 test accuracy during the search of the cell PT selects from snapshots of supernets trained with "
            "α fixed (DARTS+PT, fix α)",
    sweeps=(FIGURE8,),
    build=_trajectories("darts_pt_figure8_search", {"DARTS+PT (fix α)": "pt_"}),
    render=figure("search epoch", "NB201 test accuracy (%)",
                  "without training α, PT on the supernet consistently finds strong cells (App. A.6)"),
    notes=(*_TRAJECTORY_NOTES, "rule pt-fix-alpha (α never updated while tuning), on darts-fix-alpha supernets."),
))

TABLE3_SELECT = "sweeps/darts_pt/table3_select.yaml"
FIGURE6 = "sweeps/darts_pt/figure6_select_mag.yaml"


def operation_phase(epochs: pd.DataFrame) -> pd.DataFrame:
    """The rows of each selection trial up to its first topology decision (its tuning epochs after operation
    decisions only: 001_… Figure 6 shows the operation-selection phase); trials without topology decisions keep
    every row."""
    if epochs.empty or not {"phase", "epoch", *KEYS} <= set(epochs):
        return epochs
    topology = epochs[epochs["phase"] == "topology"].groupby(KEYS, as_index=False)["epoch"].min()
    merged = epochs.merge(topology.rename(columns={"epoch": "_cutoff"}), on=KEYS, how="left")
    keep = merged["_cutoff"].isna() | (pd.to_numeric(merged["epoch"]) <= merged["_cutoff"])
    return merged[keep.to_numpy()].drop(columns="_cutoff")


def _figure6(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
    return epoch_curves({
        "DARTS+PT": Select({"sweep": "darts_pt_table3_select", "source.space": "s2", "source.dataset": "cifar10"}),
        "DARTS+PT-Mag": Select({"sweep": "darts_pt_figure6_select_mag"}),
    }, "val_acc")(trials, operation_phase(epochs))


register(Artifact(
    paper="darts_pt", number="Figure 6", kind="figure", statistic="mean",
    caption="S2, CIFAR-10: supernet validation accuracy after each tuning epoch of the operation selection, ops "
            "chosen by perturbation (DARTS+PT) or by α (DARTS+PT-Mag)",
    sweeps=(TABLE3_SEARCH, TABLE3_SELECT, FIGURE6),
    build=_figure6,
    render=figure("tuning epoch", "supernet validation accuracy (%)",
                  "the supernet keeps a higher accuracy when PT chooses the ops than when α does (§6.2)"),
    notes=("val_acc: the supernet on the α split after each tuning epoch (select trainable, eval_after_tune), up to "
           "the first topology decision; 4 darts-pt S2 CIFAR-10 supernets of table3_search, pt from table3_select, "
           "pt-mag from figure6_select_mag.",),
))

FIGURE9 = "sweeps/darts_pt/figure9_select.yaml"

register(Artifact(
    paper="darts_pt", number="Figure 9", kind="figure", statistic="mean",
    caption="NB201: test accuracy of the cell pt selects against the tuning epochs between decisions",
    sweeps=(TABLE4_SEARCH, TABLE4_SELECT, FIGURE9),
    build=lambda trials, epochs: pd.concat([
        value_curves({name: Select({"select_rule": "pt", "source.method": "darts-pt"})}, "tune_epochs",
                     f"nb201_{key}_test")(trials, epochs) for name, key in NB201_SETS.items()], ignore_index=True),
    render=figure("tuning epochs between decisions", "NB201 test accuracy (%)",
                  "tuning longer than 5 epochs gains little (App. A.7)"),
    notes=("5 epochs: table4_select_nb201's trials (Table 4's DARTS+PT); 1, 3, 7, 10: figure9_select; all on the 4 "
           "darts-pt NB201 CIFAR-10 supernets of table4_search_nb201.",),
))
