"""Builders of DARTS-PT's operation-selection figures (analysis.artifacts.darts_pt_figures) on hand-made frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.artifacts import ARTIFACTS, render
from analysis.artifacts.darts_pt_figures import operation_phase


def _discretized(sweep: str, rows: list[tuple]) -> pd.DataFrame:
    """(seed, edge, op, α, accuracy) -> finished discretisation trials."""
    return pd.DataFrame([{"sweep": sweep, "trial_id": f"t{i}", "status": "TERMINATED", "source.seed": s,
                          "discretize_edge": e, "discretize_op": op, "discretize_alpha": a, "val_acc": acc}
                         for i, (s, e, op, a, acc) in enumerate(rows)])


def test_figure1_plots_each_ops_accuracy_against_its_alpha_per_edge():
    trials = _discretized("darts_pt_figure1_select", [(0, 7, "skip_connect", 0.3, 80.0),
                                                      (0, 7, "sep_conv_3x3", 0.1, 85.0),
                                                      (0, 8, "skip_connect", 0.2, 70.0)])
    trials.loc[len(trials)] = {**trials.iloc[0].to_dict(), "trial_id": "tx", "status": "ERROR", "val_acc": 1.0}
    artifact = ARTIFACTS["darts_pt/figure1"]
    ours = artifact.build(trials, pd.DataFrame())
    assert list(zip(ours["row"], ours["column"], ours["mean"], ours["label"])) == [
        ("edge 7", "0.1", 85.0, "sep_conv_3x3"), ("edge 7", "0.3", 80.0, "skip_connect"),
        ("edge 8", "0.2", 70.0, "skip_connect")]
    files = render(artifact, trials, pd.DataFrame())
    assert files["png"].startswith(b"\x89PNG") and "| edge 7 | sep_conv_3x3 | 0.1 | 1 | 85 |" in files["md"]


def test_figure2_shares_of_supernets_whose_strongest_op_is_the_conv():
    rows = [(0, 0, "skip_connect", 0.6, 80.0), (0, 0, "sep_conv_3x3", 0.4, 82.0),  # α: skip, accuracy: conv
            (1, 0, "skip_connect", 0.7, 85.0), (1, 0, "sep_conv_3x3", 0.3, 81.0),  # both skip
            (0, 1, "skip_connect", 0.4, 80.0), (0, 1, "sep_conv_3x3", 0.6, 90.0),  # both conv
            (0, 2, "skip_connect", 0.9, 80.0)]  # one op only: left out
    ours = ARTIFACTS["darts_pt/figure2"].build(_discretized("darts_pt_figure2_select", rows), pd.DataFrame())
    got = {(r.row[:10], r.column): (r.n, r.mean) for r in ours.itertuples()}
    assert got == {("largest α ", "0"): (2, 0.0), ("largest α ", "1"): (1, 1.0),
                   ("highest di", "0"): (2, 0.5), ("highest di", "1"): (1, 1.0)}


def test_figures_4_and_8_draw_the_alpha_cell_and_the_pt_cell_per_data_set():
    trials = pd.DataFrame([{"sweep": s, "trial_id": "t0", "status": "TERMINATED"}
                           for s in ("darts_pt_figure4_search", "darts_pt_figure8_search")])
    epochs = pd.DataFrame([{"sweep": s, "trial_id": "t0", "epoch": e, "nb201_cifar10_test": 90.0 - e,
                            "pt_nb201_cifar10_test": (93.0 + e) if e % 2 == 0 else math.nan,
                            "nb201_cifar100_test": 70.0, "pt_nb201_cifar100_test": 72.0 if e % 2 == 0 else math.nan}
                           for s in ("darts_pt_figure4_search", "darts_pt_figure8_search") for e in (1, 2, 3, 4)])
    four = ARTIFACTS["darts_pt/figure4"].build(trials, epochs)
    curve = four[four["row"] == "DARTS+PT, CIFAR-10"]
    assert list(curve["column"]) == ["2", "4"] and list(curve["mean"]) == [95.0, 97.0]  # snapshot epochs only
    assert list(four[four["row"] == "DARTS, CIFAR-10"]["mean"]) == [89.0, 88.0, 87.0, 86.0]
    assert set(four["row"]) == {"DARTS, CIFAR-10", "DARTS+PT, CIFAR-10", "DARTS, CIFAR-100", "DARTS+PT, CIFAR-100"}
    eight = ARTIFACTS["darts_pt/figure8"].build(trials, epochs)
    assert set(eight["row"]) == {"DARTS+PT (fix α), CIFAR-10", "DARTS+PT (fix α), CIFAR-100"}


def test_figure6_follows_val_acc_up_to_the_first_topology_decision():
    def trial(sweep, space, accs, topology_at):
        rows = [{"sweep": sweep, "trial_id": "t0", "epoch": e + 1, "phase": "tune", "val_acc": a}
                for e, a in enumerate(accs)]
        rows += [{"sweep": sweep, "trial_id": "t0", "epoch": t, "phase": p, "val_acc": math.nan}
                 for t, p in ((0, "operation"), (topology_at, "topology"))]
        return {"sweep": sweep, "trial_id": "t0", "status": "TERMINATED", "source.space": space,
                "source.dataset": "cifar10"}, rows

    pt, pt_rows = trial("darts_pt_table3_select", "s2", [80.0, 81.0, 82.0, 60.0], 2)
    mag, mag_rows = trial("darts_pt_figure6_select_mag", "s2", [70.0, 71.0, 50.0, 50.0], 3)
    other, other_rows = trial("darts_pt_table3_select", "s1", [10.0] * 4, 2)
    other["trial_id"] = "t1"
    other_rows = [{**r, "trial_id": "t1"} for r in other_rows]
    epochs = pd.DataFrame(pt_rows + mag_rows + other_rows)
    assert sorted(operation_phase(epochs)["epoch"].tolist()) == sorted([0, 1, 2, 2, 0, 1, 2, 3, 3, 0, 1, 2, 2])
    ours = ARTIFACTS["darts_pt/figure6"].build(pd.DataFrame([pt, mag, other]), epochs)
    got = {(r.row, r.column): r.mean for r in ours.itertuples()}
    assert got == {("DARTS+PT", "1"): 80.0, ("DARTS+PT", "2"): 81.0, ("DARTS+PT-Mag", "1"): 70.0,
                   ("DARTS+PT-Mag", "2"): 71.0, ("DARTS+PT-Mag", "3"): 50.0}


def test_figure9_accuracy_against_the_tuning_epochs_of_both_sweeps():
    trials = pd.DataFrame([{"sweep": s, "trial_id": f"t{i}", "status": "TERMINATED", "select_rule": "pt",
                            "source.method": "darts-pt", "tune_epochs": t, "nb201_cifar10_test": acc}
                           for i, (s, t, acc) in enumerate((("darts_pt_table4_select_nb201", 5, 90.0),
                                                            ("darts_pt_table4_select_nb201", 5, 92.0),
                                                            ("darts_pt_figure9_select", 1, 85.0)))])
    ours = ARTIFACTS["darts_pt/figure9"].build(trials, pd.DataFrame())
    c10 = ours[ours["row"] == "CIFAR-10"].set_index("column")
    assert c10.loc["5", "n"] == 2 and c10.loc["5", "mean"] == pytest.approx(91.0) and c10.loc["1", "mean"] == 85.0
