"""EM-DARTS (shared/papers/000_22d82a67052fd1e7.txt): Tables 1, 3 and 5."""

from __future__ import annotations

from analysis.artifacts.base import Artifact, register
from analysis.artifacts.grid import Select, grid, nb201_columns

TABLE1_SEARCH = "sweeps/em_darts/table1_search.yaml"
TABLE1_RANDOM = "sweeps/em_darts/table1_random.yaml"
TABLE1_SWEEP = "em_darts_table1_search"
NB201_DARTS = Select({"sweep": TABLE1_SWEEP, "method": "darts"})
"""First-order DARTS searched on NB201 CIFAR-10 (em_darts_table1_search): the DARTS (1st) row of every NB201
table (000_… / 002_… / 004_… Table 1 quote the same 39.77 ± 0.00). Rows are picked by sweep and method, not by
data set, so the smoke setting (docs/reproduce.md: the embedded digits data) fills them too."""

register(Artifact(
    paper="em_darts", number="Table 1", kind="table", reference="Table 1", statistic="mean",
    caption="NB201: search on CIFAR-10, NB201 accuracies of the derived cell on three data sets",
    sweeps=(TABLE1_SEARCH, TABLE1_RANDOM),
    build=grid({
        "DARTS (1st)": NB201_DARTS,
        "EM-DARTS": Select({"sweep": TABLE1_SWEEP, "method": "em-darts"}),
        "random sampling": Select({"sweep": "em_darts_table1_random", "method": "random"}),
    }, nb201_columns(), "mean"),
    notes=("random sampling: ours only (uniform NB201 cell per seed; the paper quotes no random row).",),
))

_SPACES = ("s1", "s2", "s3", "s4")
_DATASETS = {"CIFAR-10": "cifar10", "CIFAR-100": "cifar100", "SVHN": "svhn"}

register(Artifact(
    paper="em_darts", number="Table 3", kind="table", reference="Table 3", statistic="best",
    caption="S1-S4 x CIFAR-10/100/SVHN: test error (%) of the best of 4 searches, trained from scratch",
    sweeps=("sweeps/em_darts/table3_search.yaml", "sweeps/em_darts/table3_eval_cifar10.yaml",
            "sweeps/em_darts/table3_eval_small.yaml"),
    build=grid({f"{label} {s.upper()}": Select({"source.dataset": key, "source.space": s})
                for label, key in _DATASETS.items() for s in _SPACES},
               {"em_darts": Select(metric="test_acc")}, "best", error=True),
    notes=("EM-DARTS column only; the other columns are quoted from their papers.",
           "best of 4 by test accuracy of the evaluations (table3_eval_*), error = 100 - test acc."),
))

register(Artifact(
    paper="em_darts", number="Table 5", kind="table", reference="Table 5", statistic="value",
    caption="p_max per search space and data set, as the em-darts preset resolved it in the Table 3 searches",
    sweeps=("sweeps/em_darts/table3_search.yaml",),
    build=grid({label: Select({"dataset": key}) for label, key in _DATASETS.items()},
               {s: Select({"space": s}, "method.mutation.p_max") for s in _SPACES}, "value"),
    notes=("read from the method.mutation.p_max column of the search trials (the resolved config).",),
))
