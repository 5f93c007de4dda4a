"""r-DARTS / BER (shared/papers/004_da8990a55e41d3eb.txt): Table 3, the GPU memory of the search on CIFAR-10
(Table 1 is with the other NB201 tables in ``nb201_tables``).

Ours is measured: each search's largest per-epoch ``peak_memory_mb`` (epochs.parquet), mean over seeds. The
DARTS-space row compares first-order DARTS (ber_table3_search) with r-DARTS (ber_table2_search) in the same
setting; the NAS-Bench-201 row DARTS (1st) of EM-DARTS Table 1's search with Table 1's r-DARTS searches on
CIFAR-10.
"""

from __future__ import annotations

import pandas as pd

from analysis.artifacts.base import Artifact, Builder, register
from analysis.artifacts.em_darts import NB201_DARTS, TABLE1_SEARCH
from analysis.artifacts.grid import Select, grid, with_epoch_total

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
