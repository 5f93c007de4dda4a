"""The figures drawn from the probes' per-epoch columns (``searchcore/probes``, epochs.parquet): Single-DARTS
(shared/papers/003_9ca3b6938e57daad.txt) Figure 2, IS-DARTS (002_41682aa8afc599da.txt) Figure 4 and r-DARTS
(004_da8990a55e41d3eb.txt) Figure 4.

Each reads the columns of its probe by name pattern (nodes, edges, ops and image counts come from the results, not
from here) and selects trials by sweep and method, so the smoke setting (the embedded digits data) fills them too.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.artifacts.base import OURS_COLUMNS, Artifact, register
from analysis.artifacts.figures import epoch_curves
from analysis.artifacts.grid import Select, _matching
from analysis.artifacts.panels import heatmaps, panel_lines, panel_row


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame([], columns=list(OURS_COLUMNS))


def _done(trials: pd.DataFrame, where: dict[str, object]) -> pd.DataFrame:
    done = trials[trials["status"] == "TERMINATED"] if "status" in trials else trials
    return _matching(done, where)


# ---------------------------------------------------------------- Single-DARTS Figure 2

SD_FIGURE2_SEARCH = "sweeps/single_darts/figure2_search.yaml"
_SD_F2 = "single_darts_figure2_search"
_CELLS = ("first", "middle", "last")
"""003_… Figure 2: "different nodes of the first, the middle, and the last cells"."""
_PAIRINGS = {"bilevel": ("darts", "DARTS (bi-level)"), "single": ("single-darts", "Single-DARTS (single level)")}
"""Each method with the pairing its own update uses (003_… §5.2.1: solid bi-level, dashed single level)."""
_NODE = re.compile(r"^grad_corr_bilevel_(?P<cell>[a-z]+)_n(?P<node>\d+)$")


def _figure2(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
    nodes = sorted({(m["cell"], int(m["node"])) for c in epochs.columns if (m := _NODE.match(str(c)))},
                   key=lambda cn: (_CELLS.index(cn[0]) if cn[0] in _CELLS else len(_CELLS), cn[1]))
    parts = []
    for cell, node in nodes:
        for pairing, (method, label) in _PAIRINGS.items():
            series = {panel_row(f"{cell} cell", f"node {node}, {label}"): Select({"sweep": _SD_F2, "method": method})}
            parts.append(epoch_curves(series, f"grad_corr_{pairing}_{cell}_n{node}")(trials, epochs))
    return _concat(parts)


register(Artifact(
    paper="single_darts", number="Figure 2", kind="figure", statistic="mean",
    caption="Eq. 8 gradient correlation per node of the first, middle and last NB201 cell during search: DARTS' "
            "α batch × weight batch (bi-level) vs Single-DARTS' weight batch × itself (single level)",
    sweeps=(SD_FIGURE2_SEARCH,),
    build=_figure2,
    render=panel_lines("search epoch", "gradient correlation (Eq. 8 / NM)",
                       "the bi-level correlation stays near zero and far below the single-level one on every node "
                       "(§5.2.1)",
                       style=lambda series: {"linestyle": "--" if "single level" in series else "-"}),
    notes=("recorded by the grad_correlation probe (searchcore/probes/grad_correlation.py) at the end of each epoch "
           "on one fresh weight batch and one α batch of the search's batch size: Eq. 8 divided by N·M, x = the "
           "node's predecessor maps, g = ∂(summed batch loss)/∂(node output) through BatchNorm's batch statistics.",
           "each method is drawn with its own pairing (DARTS: α batch × weight batch; Single-DARTS: weight batch × "
           "itself); every trial also records the other pairing and a cosine (grad_corr_*, grad_cos_* in "
           "epochs.parquet).",
           "the figure shows one run per method; ours: 4 seeds with 95% confidence bands. The paper does not say "
           "how it normalises Eq. 8 or on which batches it measures it."),
))


# ---------------------------------------------------------------- IS-DARTS Figure 4

IS_FIGURE4_SEARCH = "sweeps/is_darts/figure4_search.yaml"
_IS_F4 = "is_darts_figure4_search"
PANEL_EPOCHS = (1, 10, 20, 25, 27, 30)
"""The epochs 002_… §4 "Stability" discusses (10: skip connections lead; ~20: IIMs decline; 25 and 27: after two
shrinking steps) with the first and the last (30) of the NB201 search; the last epoch present is always drawn."""
_IIM = re.compile(r"^iim_(?P<cell>[^_]+)_(?P<source>\d+)to(?P<target>\d+)_(?P<op>.+)_n(?P<count>\d+)$")


def _figure4_is(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
    keys = ["sweep", "trial_id"]
    columns = {c: m for c in epochs.columns if (m := _IIM.match(str(c)))}
    if epochs.empty or not columns or not set(keys) <= set(trials):
        return _concat([])
    rows = epochs.merge(_done(trials, {"sweep": _IS_F4})[keys], on=keys)
    if rows.empty:
        return _concat([])
    present = sorted(set(pd.to_numeric(rows["epoch"]).astype(int)))
    panels = [e for e in PANEL_EPOCHS if e in present] + ([present[-1]] if present[-1] not in PANEL_EPOCHS else [])
    cells = {m["cell"] for m in columns.values()}
    out = []
    for epoch in panels:
        at = rows[pd.to_numeric(rows["epoch"]).astype(int) == epoch]
        for column, m in columns.items():
            values = pd.to_numeric(at[column], errors="coerce").dropna()
            if values.empty:
                continue  # pruned before this epoch (or never reached this many images)
            cell = f"{m['cell']} " if len(cells) > 1 else ""
            series = f"{cell}{m['target']}←{m['source']} {m['op']}"
            std = float(values.std()) if len(values) > 1 else float("nan")
            out.append((panel_row(f"epoch {epoch}", series), m["count"], len(values), float(values.mean()), std))
    return pd.DataFrame(out, columns=list(OURS_COLUMNS))


register(Artifact(
    paper="is_darts", number="Figure 4", kind="figure", statistic="mean",
    caption="IIM of every op on every NB201 edge at several epochs of the IS-DARTS search, against the number of "
            "images it is averaged over",
    sweeps=(IS_FIGURE4_SEARCH,),
    build=_figure4_is,
    render=heatmaps("images", "edge (target←input) and op", "IIM",
                    "IIMs rise early in the search and decline from about epoch 20; skip connections lead by far at "
                    "epoch 10 and fall sharply once pruning removes ops (epochs 25, 27); the measure is stable from "
                    "about 200 images (§4 'Stability')"),
    notes=("recorded by the iim_by_images probe (searchcore/probes/iim_by_images.py) at the end of each epoch, before "
           "that epoch's pruning step, with the shrink rule's own measure (method.shrink.measure: the released "
           "code's 3(x−μ)²/σ⁶) on the images the pruning step reads (the training images, augmented); pruned ops "
           "leave the map.",
           "panels: epochs 1, 10, 20, 25, 27 and 30 where present (the epochs the paper discusses), and the last epoch "
           "of the results; colour: log scale when every value is positive. none has no row (its IIM is +inf by "
           "definition).",
           "the paper draws one search; ours: the mean over the sweep's seeds (1 by default)."),
))


# ---------------------------------------------------------------- r-DARTS Figure 4

BER_FIGURE4_SEARCH = "sweeps/ber/figure4_search.yaml"
_BER_F4 = "ber_figure4_search"
_KINDS = {"parametric": "parametric ops (mean)", "free": "parameter-free ops (mean)"}
_OP_WEIGHT = re.compile(r"^op_weight_(?P<cell>[^_]+)_(?P<name>.+)$")


def _figure4_ber(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
    found: dict[str, list[str]] = {}
    for c in epochs.columns:
        if (m := _OP_WEIGHT.match(str(c))) and m["name"] != "none":
            found.setdefault(m["cell"], []).append(m["name"])
    parts = []
    select = Select({"sweep": _BER_F4})
    for cell, names in found.items():
        ordered = [k for k in _KINDS if k in names] + [n for n in names if n not in _KINDS]
        for name in ordered:
            series = {panel_row(f"{cell} cell", _KINDS.get(name, name)): select}
            parts.append(epoch_curves(series, f"op_weight_{cell}_{name}")(trials, epochs))
    return _concat(parts)


def _kind_style(series: str) -> dict[str, object]:
    return {"linewidth": 2.5} if series in _KINDS.values() else {"linewidth": 0.9, "linestyle": ":"}


register(Artifact(
    paper="ber", number="Figure 4", kind="figure", statistic="mean",
    caption="mean architecture weight softmax(α) of the parametric and the parameter-free ops (and of each op) per "
            "cell type during a first-order DARTS search on the DARTS space, CIFAR-10",
    sweeps=(BER_FIGURE4_SEARCH,),
    build=_figure4_ber,
    render=panel_lines("search epoch", "mean weight softmax(α)",
                       "early epochs favour the parametric ops (feature extraction); later the mean weight of the "
                       "parameter-free ops grows until it dominates (compression) (§3)",
                       style=_kind_style),
    notes=("recorded by the op_weights probe (searchcore/probes/op_weights.py): the edge weights the search uses, "
           "averaged over the cell type's edges per op, and per op of a kind over every (edge, op) pair; none is "
           "left out of the parameter-free mean.",
           "the paper's figure is not in the text extraction: what it plots is read from §3 (the mean weights of "
           "parametric vs parameter-free ops over the search's epochs); its search settings (App. A) are not in "
           "the text either: DARTS' (50 epochs, batch 64).",
           "ours: 2 seeds with 95% confidence bands; the paper names no run count."),
))
