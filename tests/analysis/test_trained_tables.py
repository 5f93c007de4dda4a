"""The tables of architectures trained from scratch (IS-DARTS Tables 2-3, Single-DARTS Tables 2-3, r-DARTS
Tables 2 and 4) on hand-made trials: which trials fill which cell, error = 100 - accuracy on the error columns
only, mean ± std or the best trial's own values, and the search cost in days from the search trials' wall time."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.artifacts import ARTIFACTS
from analysis.artifacts.compare import compare
from analysis.artifacts.grid import Select
from analysis.artifacts.trained import concat, trained_row

DAY = 86400.0


def _search(sweep: str, method: str, days: list[float]) -> list[dict]:
    return [{"sweep": sweep, "method": method, "seed": i, "status": "TERMINATED", "wall_seconds": d * DAY}
            for i, d in enumerate(days)]


def _evals(sweep: str, method: str, rows: list[tuple[float, float, float]]) -> list[dict]:
    """rows: (test_acc, test_acc_top5, params_m) per evaluation."""
    return [{"sweep": sweep, "source.method": method, "source.seed": i, "status": "TERMINATED", "test_acc": a,
             "test_acc_top5": a5, "params_m": p, "wall_seconds": 99 * DAY} for i, (a, a5, p) in enumerate(rows)]


def _cells(key: str, trials: list[dict]) -> dict[tuple[str, str], pd.Series]:
    ours = ARTIFACTS[key].build(pd.DataFrame(trials), pd.DataFrame())
    return {(r["row"], r["column"]): r for _, r in ours.iterrows()}


def test_is_darts_table2_error_params_and_search_days():
    trials = (_search("is_darts_table2_search", "is-darts", [0.4, 0.5])
              + _evals("is_darts_table2_eval", "is-darts", [(97.0, 99.0, 4.0), (98.0, 99.5, 4.5)])
              + [{**_evals("is_darts_table2_eval", "is-darts", [(10.0, 10.0, 9.0)])[0], "status": "ERROR"}])
    cells = _cells("is_darts/table2", trials)
    assert set(cells) == {("IS-DARTS", "test_error"), ("IS-DARTS", "params_m"), ("IS-DARTS", "cost_days")}
    err = cells[("IS-DARTS", "test_error")]
    assert (err["n"], err["mean"]) == (2, pytest.approx(2.5))  # 100 - mean(97, 98); the failed trial left out
    assert err["std"] == pytest.approx(math.sqrt(0.5))
    assert cells[("IS-DARTS", "params_m")]["mean"] == pytest.approx(4.25)  # params as they are, not 100 - x
    cost = cells[("IS-DARTS", "cost_days")]
    assert (cost["n"], cost["mean"]) == (2, pytest.approx(0.45))  # the searches' wall time, not the evals'
    compared = compare(ARTIFACTS["is_darts/table2"].build(pd.DataFrame(trials), pd.DataFrame()),
                       ARTIFACTS["is_darts/table2"].reference_table())
    mine = compared[(compared["row"] == "IS-DARTS") & (compared["column"] == "test error")].iloc[0]
    assert mine["paper"] == "2.56 ± 0.04" and mine["difference"] == pytest.approx(2.5 - 2.56)


def test_is_darts_table3_top1_top5_errors_from_its_own_evaluation():
    trials = (_search("is_darts_table2_search", "is-darts", [0.42])
              + _evals("is_darts_table2_eval", "is-darts", [(97.0, 99.0, 4.0)])
              + _evals("is_darts_table3_eval", "is-darts", [(75.0, 92.5, 6.5)]))
    cells = _cells("is_darts/table3", trials)
    assert cells[("IS-DARTS (C)", "top1_error")]["mean"] == pytest.approx(25.0)
    assert cells[("IS-DARTS (C)", "top5_error")]["mean"] == pytest.approx(7.5)
    assert cells[("IS-DARTS (C)", "params_m")]["mean"] == pytest.approx(6.5)
    assert cells[("IS-DARTS (C)", "cost_days")]["mean"] == pytest.approx(0.42)


def test_single_darts_table2_best_row_is_one_trial_and_mean_row_averages():
    trials = _evals("single_darts_table2_eval", "single-darts", [(76.0, 92.0, 6.0), (77.0, 93.0, 5.0),
                                                                 (75.0, 91.0, 7.0)])
    cells = _cells("single_darts/table2", trials)
    best, mean = "Single-DARTS* (best)", "Single-DARTS† (mean)"
    assert cells[(best, "top1")]["mean"] == 77.0 and cells[(best, "params_m")]["mean"] == 5.0  # the best's params
    assert math.isnan(cells[(best, "top1")]["std"])
    assert cells[(mean, "top1")]["mean"] == pytest.approx(76.0) and cells[(mean, "params_m")]["mean"] == 6.0
    assert cells[(mean, "top1")]["std"] == pytest.approx(1.0)
    assert not any(col == "flops_m" or row == "Single-DARTS* (scaled)" for row, col in cells)


def test_single_darts_table3_is_the_best_cifar_cell():
    trials = (_evals("single_darts_table3_eval", "single-darts", [(97.1, 99.0, 3.1), (97.6, 99.0, 3.4)])
              + _evals("single_darts_table2_eval", "single-darts", [(99.9, 99.9, 9.9)]))  # ImageNet: not here
    cells = _cells("single_darts/table3", trials)
    assert (cells[("Single-DARTS", "top1")]["mean"], cells[("Single-DARTS", "params_m")]["mean"]) == (97.6, 3.4)
    assert cells[("Single-DARTS", "top1")]["n"] == 2


def test_ber_table2_accuracy_params_and_cost_and_table4_top5():
    trials = (_search("ber_table2_search", "r-darts", [0.2, 0.3]) + _search("ber_table3_search", "darts", [5.0])
              + _evals("ber_table2_eval", "r-darts", [(76.5, 93.0, 4.8)]))
    cells = _cells("ber/table2", trials)
    row = "r-DARTS (λ=1, C10)"
    assert cells[(row, "top1")]["mean"] == 76.5 and cells[(row, "params_m")]["mean"] == 4.8  # accuracy, not error
    assert cells[(row, "cost_days")]["mean"] == pytest.approx(0.25)  # r-DARTS searches only
    assert (row, "flops_m") not in cells
    t4 = _cells("ber/table4", _search("ber_table4_mobilenet", "r-darts", [1.0])
                + _evals("ber_table4_eval", "r-darts", [(78.0, 94.0, 6.3)])
                + _evals("ber_table4_eval", "darts", [(10.0, 20.0, 1.0)]))
    assert {k: v["mean"] for k, v in t4.items()} == {("r-DARTS (λ=1)", "top1"): 78.0,
                                                     ("r-DARTS (λ=1)", "top5"): 94.0,
                                                     ("r-DARTS (λ=1)", "params_m"): 6.3}


def test_trained_row_without_trials_gives_an_empty_frame_with_the_columns():
    build = concat(trained_row("x", Select({"sweep": "none"}), "mean", errors={"e": "test_acc"},
                               search=Select({"sweep": "none"})))
    out = build(pd.DataFrame([{"sweep": "other", "status": "TERMINATED", "test_acc": 1.0, "wall_seconds": 1.0}]),
                pd.DataFrame())
    assert out.empty and list(out.columns) == ["row", "column", "n", "mean", "std"]
