"""r-DARTS / BER (shared/papers/004_da8990a55e41d3eb.txt): Table 2 (a CIFAR-10 DARTS-space cell trained on
ImageNet), Table 3 (the GPU memory of the search on CIFAR-10) and Table 4 (a MobileNet-like chain trained on
ImageNet), Figure 5 (mean α entropy of parametric and parameter-free ops after the search, from the same
searches); Table 1 is with the other NB201 tables in ``nb201_tables``.

Tables 2 and 4 print one architecture each: the evaluation chained after the search of seed 0
(ber_table2_eval, ber_table4_eval); Table 2's search cost is the mean measured wall time of its 4 searches.

Table 3 is measured: each search's largest per-epoch ``peak_memory_mb`` (epochs.parquet), mean over seeds. The
DARTS-space row compares first-order DARTS (ber_table3_search) with r-DARTS (ber_table2_search) in the same
setting; the NAS-Bench-201 row DARTS (1st) of EM-DARTS Table 1's search with Table 1's r-DARTS searches on
CIFAR-10.
"""

from __future__ import annotations

import pandas as pd

from analysis.artifacts.base import Artifact, Builder, register
from analysis.artifacts.em_darts import NB201_DARTS, TABLE1_SEARCH
from analysis.artifacts.figures import bars
from analysis.artifacts.grid import Select, grid, with_epoch_total
from analysis.artifacts.trained import trained_row

TABLE2_SEARCH = "sweeps/ber/table2_search.yaml"
TABLE2_EVAL = "sweeps/ber/table2_eval.yaml"
TABLE4_SEARCH = "sweeps/ber/table4_search_mobilenet.yaml"
TABLE4_EVAL = "sweeps/ber/table4_eval.yaml"
_UNVERIFIED = "r-DARTS' training settings (App. A/B) are not in the text: the protocol is the {} one ({})."

register(Artifact(
    paper="ber", number="Table 2", kind="table", reference="Table 2", statistic="mean",
    caption="DARTS space, ImageNet: top-1 accuracy (%) and params of a CIFAR-10 r-DARTS (λ = 1) cell trained from "
            "scratch, search cost",
    sweeps=(TABLE2_SEARCH, TABLE2_EVAL),
    build=trained_row("r-DARTS (λ=1, C10)", Select({"sweep": "ber_table2_eval", "source.method": "r-darts"}), "mean",
                      values={"top1": "test_acc", "params_m": "params_m"},
                      search=Select({"sweep": "ber_table2_search", "method": "r-darts"})),
    notes=("r-DARTS row only: the cell of the seed-0 search (table2_eval.yaml; pick the best CIFAR-10 cell there) "
           "trained with darts-imagenet; top-1 on the ImageNet validation images.",
           _UNVERIFIED.format("mobile-setting PC-DARTS", "darts-imagenet: 14 cells, C = 48, 250 epochs"),
           "Search Cost: our measured wall time of each search (wall_seconds, all attempts) / 86400, one search per "
           "GPU, mean over the 4 searches, on our device (the paper names none): compare with care.",
           "FLOPs: not recorded by the evaluation trials; `dartsweep params --space darts --arch <genotype> "
           "--dataset imagenet --layers 14 --channels 48` gives them.",
           "the other rows are quoted from the paper."),
))

register(Artifact(
    paper="ber", number="Table 4", kind="table", reference="Table 4", statistic="mean",
    caption="MobileNet-like space, ImageNet: top-1 / top-5 accuracy (%) and params of an r-DARTS (λ = 1) chain "
            "trained from scratch",
    sweeps=(TABLE4_SEARCH, TABLE4_EVAL),
    build=trained_row("r-DARTS (λ=1)", Select({"sweep": "ber_table4_eval", "source.method": "r-darts"}), "mean",
                      values={"top1": "test_acc", "top5": "test_acc_top5", "params_m": "params_m"}),
    notes=("r-DARTS row only: the chain of the seed-0 r-DARTS search of table4_search_mobilenet.yaml, trained by "
           "table4_eval.yaml; top-1 / top-5 on the ImageNet validation images.",
           "searched on ImageNet16-120 (16 px) as a proxy, not on ImageNet-1k as the paper: the search holds its "
           "data in memory (table4_search_mobilenet.yaml, docs/spaces.md); the DARTS searches beside it fill no row.",
           _UNVERIFIED.format("space's own (ProxylessNAS)", "proxylessnas-imagenet: 300 epochs, batch 512"),
           "the other rows are quoted from the paper."),
))

TABLE3_SEARCH = "sweeps/ber/table3_search.yaml"
PEAK = "search_peak_memory_mb"
"""The trial's largest ``peak_memory_mb`` over its epochs."""


def _rows(*builders: Builder) -> Builder:
    """One row per builder (a row whose columns come from different sweeps), in order."""
    return lambda trials, epochs: pd.concat([b(trials, epochs) for b in builders], ignore_index=True)


def _memory(row: str, darts: Select, r_darts: Select) -> Builder:
    return grid({row: Select()}, {"darts": Select(darts.where, PEAK), "r_darts": Select(r_darts.where, PEAK)},
                "mean")


register(Artifact(
    paper="ber", number="Table 3", kind="table", reference="Table 3", statistic="mean", digits=0,
    caption="peak memory of the search on CIFAR-10: DARTS and r-DARTS on the DARTS space and on NB201",
    sweeps=("sweeps/ber/table1_search.yaml", "sweeps/ber/table2_search.yaml", TABLE3_SEARCH, TABLE1_SEARCH),
    build=with_epoch_total(_rows(
        _memory("DARTS", Select({"sweep": "ber_table3_search", "method": "darts"}),
                Select({"sweep": "ber_table2_search", "method": "r-darts"})),
        _memory("NAS-Bench-201", NB201_DARTS,
                Select({"sweep": "ber_table1_search", "method": "r-darts", "dataset": "cifar10"})),
    ), PEAK, column="peak_memory_mb", how="max"),
    notes=("ours: each search's largest per-epoch peak_memory_mb in MiB, mean ± std over its seeds, measured on "
           "our device: on a GPU torch.cuda.max_memory_allocated (tensors only, without the CUDA context and the "
           "allocator's cache), on a CPU the worker process's peak RSS (which only grows, so a reused worker can "
           "carry an earlier trial's peak). The paper names neither its device nor how it measured: compare DARTS "
           "with r-DARTS within a row, not our MiB with its numbers.",
           "DARTS space: DARTS from ber_table3_search (1 seed), r-DARTS (λ = 1) from ber_table2_search (4 seeds), "
           "both batch 64, 8 cells, C = 16.",
           "NAS-Bench-201: DARTS (1st) from em_darts_table1_search (4 seeds); r-DARTS from the CIFAR-10 rows of "
           "ber_table1_search (λ 0.5 and 0.75, 20 searches).",
           "SNAS and DrNAS: the paper's numbers only."),
))

register(Artifact(
    paper="ber", number="Figure 5", kind="figure", statistic="mean",
    caption="mean α entropy of parametric and of parameter-free ops at the end of the search: DARTS and r-DARTS on "
            "the DARTS space and on NB201",
    sweeps=("sweeps/ber/table1_search.yaml", "sweeps/ber/table2_search.yaml", TABLE3_SEARCH, TABLE1_SEARCH),
    build=grid({
        "DARTS, DARTS space": Select({"sweep": "ber_table3_search", "method": "darts"}),
        "r-DARTS, DARTS space": Select({"sweep": "ber_table2_search", "method": "r-darts"}),
        "DARTS, NB201": NB201_DARTS,
        "r-DARTS, NB201": Select({"sweep": "ber_table1_search", "method": "r-darts", "dataset": "cifar10"}),
    }, {"parametric ops": Select(metric="alpha_entropy_parametric"),
        "parameter-free ops": Select(metric="alpha_entropy_free")}, "mean"),
    render=bars("mean α entropy (nat)", "r-DARTS lowers the entropy of the parametric ops on both spaces; on the "
                "DARTS space its parameter-free ops end below its parametric ones, 0.544 against 0.965 (§ Discussion)"),
    notes=("ours: each search's last-epoch alpha_entropy_parametric / alpha_entropy_free: the entropy of each edge's "
           "softmax(α) restricted to (and renormalised over) its parametric or its parameter-free ops, mean over "
           "edges. The paper does not say how it splits the entropy; this is our reading.",
           "the searches of Table 3 (DARTS space: DARTS 1 seed, r-DARTS 4 seeds) and of Table 1 (NB201: EM-DARTS "
           "Table 1's DARTS, r-DARTS' CIFAR-10 searches at λ 0.5 and 0.75)."),
))
