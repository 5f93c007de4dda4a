"""A synthetic NAS-Bench-201 table for tests: every one of the 15,625 cells, made-up accuracies.

Real NB201 numbers live outside the repo (``../shared``; tests that need them skip when absent). This
table has the layout ``NB201Table.load`` reads (a CSV with its ``COLUMNS``) and accuracies that are a
simple function of the cell's ops, so a test can compute the expected value of any cell by hand.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd

from searchcore.architectures.nb201 import NB201_OPS, nb201_arch_str

OP_SCORE = {"none": 0.0, "skip_connect": 1.0, "nor_conv_1x1": 2.0, "nor_conv_3x3": 3.0, "avg_pool_3x3": 0.5}
"""Points per op; a cell's synthetic accuracy is 40 + 3 x its points (``synthetic_accuracy``)."""
SPLIT_OFFSET = {"cifar10_valid": 0.0, "cifar10_test": 1.0, "cifar100_valid": -20.0, "cifar100_test": -19.0,
                "imagenet16_valid": -35.0, "imagenet16_test": -34.0}


def synthetic_accuracy(ops: tuple[str, ...], column: str = "cifar10_test") -> float:
    """The made-up accuracy (%) of a cell (6 ops in edge order) in one benchmark column."""
    return 40.0 + 3.0 * sum(OP_SCORE[op] for op in ops) + SPLIT_OFFSET[column]


def write_synthetic_nb201_table(path: Path) -> Path:
    """A CSV with all 5^6 cells (``index``, ``arch``, six accuracies, params, FLOPs) at ``path``."""
    rows = []
    for index, ops in enumerate(itertools.product(NB201_OPS, repeat=6)):
        row = {"index": index, "arch": nb201_arch_str(ops)}
        row.update({column: synthetic_accuracy(ops, column) for column in SPLIT_OFFSET})
        row.update(params_m=0.1 * sum(op.startswith("nor_conv") for op in ops), flops_m=float("nan"))
        rows.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path
