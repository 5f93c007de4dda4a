"""DARTS-PT (shared/papers/001_2e99d543156ece01.txt): Table 4's NAS-Bench-201 row.

The paper prints its NB201 results in one place: the "NAS-Bench-201" row of Table 4 (CIFAR-10 test error of
the cell DARTS, DARTS+PT and DARTS+PT (fix α) select; Figure 4 / 8 only plot trajectories). All three come from
NB201 lookups, so the row needs searches and selections only: DARTS is the α-argmax cell of the darts-pt
supernets, DARTS+PT and DARTS+PT (fix α) the cells pt / pt-fix-alpha select from them (the ``nb201_*`` columns
of the select trials). The DARTS Space row needs training from scratch (sweeps/darts_pt/table2_*.yaml,
table4_*.yaml) and shows the paper's numbers only.
"""

from __future__ import annotations

from analysis.artifacts.base import Artifact, register
from analysis.artifacts.grid import Select, grid

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
