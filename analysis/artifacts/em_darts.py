"""EM-DARTS (shared/papers/000_22d82a67052fd1e7.txt): Tables 1, 3, 4, 5 and 6."""

from __future__ import annotations

from analysis.artifacts.base import Artifact, register
from analysis.artifacts.figures import epoch_curves, figure, value_curves
from analysis.artifacts.grid import Select, grid, nb201_columns, with_epoch_total

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

TABLE4_SEARCH = "sweeps/em_darts/table4_search.yaml"

register(Artifact(
    paper="em_darts", number="Table 4", kind="table", reference="Table 4", statistic="mean",
    caption="NB201 CIFAR-10: growth strategy of the mutation probability p, NB201 CIFAR-10 valid accuracy",
    sweeps=(TABLE1_SEARCH, TABLE4_SEARCH),
    build=grid({
        "linear": Select({"sweep": TABLE1_SWEEP, "method": "em-darts", "method.mutation.growth": "linear"}),
        **{g: Select({"sweep": "em_darts_table4_search", "method.mutation.growth": g})
           for g in ("exponential", "cosine")},
    }, {"accuracy": Select(metric="nb201_cifar10_valid")}, "mean"),
    notes=("linear: Table 1's EM-DARTS trials (em_darts_table1_search; linear is the preset's growth).",
           "Accuracy: NB201 CIFAR-10 valid of the derived cell (the paper's linear 91.55 is Table 1's EM-DARTS "
           "CIFAR-10 valid)."),
))

register(Artifact(
    paper="em_darts", number="Table 5", kind="table", reference="Table 5", statistic="value",
    caption="p_max per search space and data set, as the em-darts preset resolved it in the Table 3 searches",
    sweeps=("sweeps/em_darts/table3_search.yaml",),
    build=grid({label: Select({"dataset": key}) for label, key in _DATASETS.items()},
               {s: Select({"space": s}, "method.mutation.p_max") for s in _SPACES}, "value"),
    notes=("read from the method.mutation.p_max column of the search trials (the resolved config).",),
))

TABLE6_SWEEP = "em_darts_table6_search"

register(Artifact(
    paper="em_darts", number="Table 6", kind="table", reference="Table 6", statistic="mean", digits=3,
    caption="DARTS space, CIFAR-10: EM-DARTS search cost in GPU days for p_max 0, 0.5 and 1",
    sweeps=("sweeps/em_darts/table6_search.yaml",),
    build=with_epoch_total(grid(
        {f"EM-DARTS (p_max = {p:g})": Select({"sweep": TABLE6_SWEEP, "method.mutation.p_max": p})
         for p in (0.0, 0.5, 1.0)},
        {"cost_days": Select(metric="search_days")}, "mean"), "search_days", scale=1 / 86400),
    notes=("ours: the search's epoch_seconds (its epochs' training, evaluation and arch metrics) summed per trial "
           "/ 86400, measured on our hardware (one search per GPU), not on the paper's GTX 1080 Ti: compare the "
           "rows with each other, not the days with the paper's.",
           "Search Cost of the p_max rows only; the other rows and the Test Acc / Params columns are quoted."),
))


# ---------------------------------------------------------------- figures (§4.4 ablation)

FIGURE2 = "sweeps/em_darts/figure2_search.yaml"
FIGURE3A = "sweeps/em_darts/figure3a_search.yaml"
FIGURE3B = "sweeps/em_darts/figure3b_search.yaml"
_LINEAR = Select({"sweep": TABLE1_SWEEP, "method": "em-darts", "method.mutation.growth": "linear"})
"""Table 1's EM-DARTS trials: linear growth to p_max 0.2 over 50 epochs, the point every ablation varies from."""
_ACC = "NB201 CIFAR-10 test accuracy (%)"
_EM_LINEAR = Select({"method": "em-darts", "method.mutation.growth": "linear"})
"""Every EM-DARTS search with linear growth among an artifact's sweeps (Table 1's and the ablation's)."""

register(Artifact(
    paper="em_darts", number="Figure 2", kind="figure", statistic="mean",
    caption="NB201 CIFAR-10 test accuracy of the derived cell during search: no mutation, mutation phases, "
            "fixed p, linear growth",
    sweeps=(TABLE1_SEARCH, FIGURE2),
    build=epoch_curves({
        "no mutation (DARTS)": NB201_DARTS,
        **{f"{phase} phase (p 0.2)": Select({"sweep": "em_darts_figure2_search", "method.mutation.growth": phase})
           for phase in ("early", "middle", "late")},
        **{f"fixed p {p}": Select({"sweep": "em_darts_figure2_search", "method.mutation.growth": "fixed",
                                   "method.mutation.p_max": p}) for p in (0.1, 0.2)},
        "linear 0 → 0.2": _LINEAR,
    }, "nb201_cifar10_test"),
    render=figure("search epoch", _ACC, "without mutation the search collapses; every variant with edge mutation "
                  "ends above 90%, and the growth strategy finds its best architecture early and keeps it (§4.4)"),
    notes=("the no-mutation and linear curves are Table 1's DARTS and EM-DARTS trials.",),
))

register(Artifact(
    paper="em_darts", number="Figure 3a", kind="figure", statistic="mean",
    caption="NB201 CIFAR-10 test accuracy of the final derived cell against p_max",
    sweeps=(TABLE1_SEARCH, FIGURE3A),
    build=value_curves({"EM-DARTS": _EM_LINEAR}, "method.mutation.p_max", "nb201_cifar10_test"),
    render=figure("p_max", _ACC, "accuracy rises with p_max up to 0.2, then falls (§4.4)"),
    notes=("p_max 0.2 is Table 1's EM-DARTS trials.",),
))

register(Artifact(
    paper="em_darts", number="Figure 3b", kind="figure", statistic="mean",
    caption="NB201 CIFAR-10 test accuracy of the final derived cell against the search length",
    sweeps=(TABLE1_SEARCH, FIGURE3B),
    build=value_curves({"EM-DARTS": _EM_LINEAR}, "epochs", "nb201_cifar10_test"),
    render=figure("search epochs", _ACC, "best at 100 epochs, 0.1% lower at 300 and 0.7% lower at 400 (§4.4)"),
    notes=("50 epochs is Table 1's EM-DARTS trials; p ramps over the first 50 epochs in every search "
           "(EM's train_search.py).",),
))
