"""DARTS-PT (shared/papers/001_2e99d543156ece01.txt): Table 4's NAS-Bench-201 row.

The paper prints its NB201 results in one place: the "NAS-Bench-201" row of Table 4 (CIFAR-10 test error of
the cell DARTS, DARTS+PT and DARTS+PT (fix α) select; Figure 4 / 8 only plot trajectories). All three come from
NB201 lookups, so the row needs searches and selections only: DARTS is the α-argmax cell of the darts-pt
supernets, DARTS+PT and DARTS+PT (fix α) the cells pt / pt-fix-alpha select from them (the ``nb201_*`` columns
of the select trials). The DARTS Space row needs training from scratch (sweeps/darts_pt/table2_*.yaml,
table4_*.yaml) and shows the paper's numbers only.

Figure 3 (§3.2) plots mean(α_skip − α_conv) (softmaxed) against the supernet's validation accuracy during a DARTS
search on a two-op cell (skip, conv): RobustDARTS' S2, whose supernets Table 3's search trains.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from analysis.artifacts.base import OURS_COLUMNS, Artifact, Builder, register
from analysis.artifacts.figures import figure
from analysis.artifacts.grid import Select, _matching, grid

TABLE4_SEARCH = "sweeps/darts_pt/table4_search_nb201.yaml"
TABLE4_SELECT = "sweeps/darts_pt/table4_select_nb201.yaml"
TABLE4_SELECT_FIX_ALPHA = "sweeps/darts_pt/table4_select_nb201_fix_alpha.yaml"
_TEST = "nb201_cifar10_test"

register(Artifact(
    paper="darts_pt", number="Table 4", kind="table", reference="Table 4", statistic="mean",
    caption="NB201 CIFAR-10 test error (%) of the cell selected by α (DARTS), by pt and by pt on fixed-α supernets",
    sweeps=(TABLE4_SEARCH, TABLE4_SELECT, TABLE4_SELECT_FIX_ALPHA),
    build=grid({"NAS-Bench-201": Select()}, {
        "darts": Select({"sweep": "darts_pt_table4_search_nb201", "method": "darts-pt"}, _TEST),
        "darts_pt": Select({"sweep": "darts_pt_table4_select_nb201", "select_rule": "pt"}, _TEST),
        "darts_pt_fix_alpha": Select({"sweep": "darts_pt_table4_select_nb201_fix_alpha",
                                      "select_rule": "pt-fix-alpha"}, _TEST),
    }, "mean", error=True),
    notes=("NAS-Bench-201 row: error = 100 - NB201 CIFAR-10 test accuracy of the cell, mean ± std over 4 seeds "
           "(the paper prints one number per cell and no run count).",
           "DARTS: the α-argmax cell of the same darts-pt supernets (100 epochs) that DARTS+PT selects from, "
           "not EM-DARTS Table 1's DARTS (1st) trials (50 epochs, AutoDL settings).",
           "DARTS Space row: the paper's numbers only (its sweeps, table2_* and table4_*, train from scratch)."),
))


# ---------------------------------------------------------------- Figure 3 (§3.2, Proposition 1)

S2_OPS = ("skip_connect", "sep_conv_3x3")
"""The op order of every edge on RobustDARTS' S2 (searchcore/families/darts.py; checked against it in the tests):
DARTS-PT's two-op cell of Proposition 1 (skip, conv) is S2's."""
TABLE3_SEARCH = "sweeps/darts_pt/table3_search.yaml"
_S2_DARTS = Select({"sweep": "darts_pt_table3_search", "method": "darts-pt", "space": "s2", "dataset": "cifar10"})


def skip_conv_gap(select: Select, cell: str = "normal") -> Builder:
    """Per search epoch, the mean over the ``cell`` edges of softmax(α)_skip − softmax(α)_conv (the epochs'
    ``edge_weights``), against the supernet's validation accuracy that epoch: mean over seeds of both (``column`` =
    the mean accuracy, so the points run along the x axis as the supernet gets better)."""

    def build(trials: pd.DataFrame, epochs: pd.DataFrame) -> pd.DataFrame:
        keys = ["sweep", "trial_id"]
        if epochs.empty or "edge_weights" not in epochs or not set(keys) <= set(trials):
            return pd.DataFrame(columns=list(OURS_COLUMNS))
        done = trials[trials["status"] == "TERMINATED"] if "status" in trials else trials
        rows = epochs.merge(_matching(done, select.where)[keys], on=keys)
        skip, conv = S2_OPS.index("skip_connect"), S2_OPS.index("sep_conv_3x3")
        gap = rows["edge_weights"].map(lambda text: float(np.mean([w[skip] - w[conv] for w in json.loads(text)[cell]])))
        stats = pd.DataFrame({"epoch": rows["epoch"], "gap": gap, "acc": pd.to_numeric(rows["val_acc"])}).groupby(
            "epoch").agg(n=("gap", "count"), mean=("gap", "mean"), std=("gap", "std"), acc=("acc", "mean"))
        return pd.DataFrame([("DARTS on S2", f"{s.acc:g}", int(s.n), float(s.mean), float(s.std))
                             for s in stats.itertuples()], columns=list(OURS_COLUMNS))

    return build


register(Artifact(
    paper="darts_pt", number="Figure 3", kind="figure", statistic="mean",
    caption="mean softmax(α) gap skip − conv over the normal cell's edges against the supernet's validation "
            "accuracy, per epoch of DARTS on S2",
    sweeps=(TABLE3_SEARCH,),
    build=skip_conv_gap(_S2_DARTS),
    render=figure("supernet validation accuracy (%)", "mean(α_skip − α_conv), softmaxed",
                  "the gap grows as the supernet gets better (§3.2, Proposition 1)"),
    notes=("the darts-pt supernets of Table 3's S2 / CIFAR-10 searches (4 seeds), one point per epoch: the epoch's "
           "mean validation accuracy over seeds (x) and the mean gap with its 95% CI (y).",
           "S2's edges hold exactly the two ops of Proposition 1 (skip_connect, sep_conv_3x3)."),
))
