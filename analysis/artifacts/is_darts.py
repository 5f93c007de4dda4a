"""IS-DARTS (shared/papers/002_41682aa8afc599da.txt): Tables 2 and 3, the DARTS-space cells trained from scratch
on CIFAR-10 and ImageNet (Table 1 is with the other NB201 tables in ``nb201_tables``, Figure 4 in
``probe_figures``).

Both rows come from one search sweep (is_darts_table2_search: 4 seeds on CIFAR-10): Table 2 trains all 4 cells
on CIFAR-10 (is_darts_table2_eval, mean ± std: "obtained on 4 independent runs"), Table 3 one of them on
ImageNet (is_darts_table3_eval). The Cost column of both is the search's, as the paper's 0.42 GPU-days is.
"""

from __future__ import annotations

from analysis.artifacts.base import Artifact, register
from analysis.artifacts.grid import Select
from analysis.artifacts.trained import trained_row

TABLE2_SEARCH = "sweeps/is_darts/table2_search.yaml"
TABLE2_EVAL = "sweeps/is_darts/table2_eval.yaml"
TABLE3_EVAL = "sweeps/is_darts/table3_eval.yaml"
_SEARCH = Select({"sweep": "is_darts_table2_search", "method": "is-darts"})
_COST = ("Cost: our measured wall time of each search (wall_seconds, all attempts) / 86400, one search per GPU, "
         "mean over the 4 searches, on our device, not the paper's RTX 3090 (002_… Experiments): compare with "
         "care.")

register(Artifact(
    paper="is_darts", number="Table 2", kind="table", reference="Table 2", statistic="mean",
    caption="DARTS space, CIFAR-10: test error (%) of the IS-DARTS cells trained from scratch, params, search cost",
    sweeps=(TABLE2_SEARCH, TABLE2_EVAL),
    build=trained_row("IS-DARTS", Select({"sweep": "is_darts_table2_eval", "source.method": "is-darts"}), "mean",
                      errors={"test_error": "test_acc"}, values={"params_m": "params_m"}, search=_SEARCH),
    notes=("IS-DARTS row only: error = 100 - test acc. of each of the 4 cells trained with is-darts-cifar, mean ± "
           "std over the 4 (the paper: 4 independent runs); params of the trained networks, mean ± std.",
           _COST,
           "the other rows are quoted from the paper."),
))

register(Artifact(
    paper="is_darts", number="Table 3", kind="table", reference="Table 3", statistic="mean",
    caption="DARTS space, ImageNet: top-1 / top-5 test error (%) of a CIFAR-10 IS-DARTS cell trained from scratch",
    sweeps=(TABLE2_SEARCH, TABLE3_EVAL),
    build=trained_row("IS-DARTS (C)", Select({"sweep": "is_darts_table3_eval", "source.method": "is-darts"}), "mean",
                      errors={"top1_error": "test_acc", "top5_error": "test_acc_top5"},
                      values={"params_m": "params_m"}, search=_SEARCH),
    notes=("IS-DARTS (C) row only: one CIFAR-10 cell (table3_eval.yaml picks the search of seed 0; pick the best "
           "Table 2 cell there) trained with is-darts-imagenet; error = 100 - top-1 / top-5 accuracy on the "
           "ImageNet validation images.",
           _COST + " As in the paper, it is the CIFAR-10 search's cost.",
           "the other rows are quoted from the paper."),
))
