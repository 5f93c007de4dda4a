"""The probe figures (analysis.artifacts.probe_figures) and their panel renderers (analysis.artifacts.panels): small
hand-made trials / epochs frames pin which trials and columns each series reads and the aggregation over seeds."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from analysis.artifacts import ARTIFACTS
from analysis.artifacts.panels import heatmaps, panel_lines

DONE = "TERMINATED"


def _trials(sweep: str, methods: dict[str, str]) -> pd.DataFrame:
    rows = [{"sweep": sweep, "trial_id": t, "method": m, "status": DONE} for t, m in methods.items()]
    rows.append({"sweep": sweep, "trial_id": "bad", "method": next(iter(methods.values())), "status": "ERROR"})
    rows.append({"sweep": "other", "trial_id": "t0", "method": next(iter(methods.values())), "status": DONE})
    return pd.DataFrame(rows)


def _epochs(sweep: str, trials: list[str], columns: dict[str, list[float]], epochs=(1, 2)) -> pd.DataFrame:
    """One row per (trial, epoch); column c of trial i at epoch e: columns[c][i] * e."""
    return pd.DataFrame([{"sweep": sweep, "trial_id": t, "epoch": e, **{c: v[i] * e for c, v in columns.items()}}
                         for i, t in enumerate(trials) for e in epochs])


def _cell(ours: pd.DataFrame, row: str, column: str) -> pd.Series:
    hit = ours[(ours["row"] == row) & (ours["column"] == column)]
    assert len(hit) == 1, (row, column, ours)
    return hit.iloc[0]


def test_single_darts_figure2_draws_each_method_with_its_own_pairing():
    sweep = "single_darts_figure2_search"
    trials = _trials(sweep, {"d0": "darts", "d1": "darts", "s0": "single-darts"})
    cols = {f"grad_corr_{p}_{c}_n{n}": [base + n, base + n + 2, 10 * base, 99.0, 7.0]
            for p, base in (("bilevel", 0.0), ("single", 5.0)) for c in ("last", "first") for n in (1, 2)}
    epochs = _epochs(sweep, ["d0", "d1", "s0", "bad", "t0"], cols)
    epochs.loc[epochs["trial_id"] == "t0", "sweep"] = "other"
    ours = ARTIFACTS["single_darts/figure2"].build(trials, epochs)
    darts = _cell(ours, "first cell | node 2, DARTS (bi-level)", "2")
    assert (darts["n"], darts["mean"]) == (2, 2 * (2 + 4) / 2)  # bilevel column of d0, d1 at epoch 2; not bad / t0
    assert darts["std"] == pytest.approx(pd.Series([4.0, 8.0]).std())
    single = _cell(ours, "last cell | node 1, Single-DARTS (single level)", "1")
    assert (single["n"], single["mean"]) == (1, 50.0)  # the single column of s0
    assert list(dict.fromkeys(ours["row"].str.split(" | ", regex=False).str[0])) == ["first cell", "last cell"]
    assert ARTIFACTS["single_darts/figure2"].build(trials, epochs[["sweep", "trial_id", "epoch"]]).empty


def test_is_darts_figure4_heat_maps_per_panel_epoch():
    sweep = "is_darts_figure4_search"
    trials = _trials(sweep, {"a": "is-darts", "b": "is-darts"})
    cols = {"iim_cell_0to1_skip_connect_n1": [1.0, 3.0], "iim_cell_0to1_skip_connect_n200": [2.0, 4.0],
            "iim_cell_2to3_nor_conv_3x3_n1": [5.0, float("nan")]}
    epochs = _epochs(sweep, ["a", "b"], cols, epochs=(1, 2, 10, 12))
    epochs.loc[epochs["epoch"] == 12, "iim_cell_2to3_nor_conv_3x3_n1"] = float("nan")  # pruned: no cell
    ours = ARTIFACTS["is_darts/figure4"].build(trials, epochs)
    assert list(dict.fromkeys(ours["row"].str.split(" | ", regex=False).str[0])) == ["epoch 1", "epoch 10", "epoch 12"]
    skip = _cell(ours, "epoch 10 | 1←0 skip_connect", "200")
    assert (skip["n"], skip["mean"]) == (2, 30.0) and skip["std"] == pytest.approx(pd.Series([20.0, 40.0]).std())
    conv = _cell(ours, "epoch 1 | 3←2 nor_conv_3x3", "1")
    assert conv["n"] == 1 and conv["mean"] == 5.0 and math.isnan(conv["std"])
    assert not ours["row"].str.startswith("epoch 12 | 3←2").any()


def test_ber_figure4_kinds_first_none_left_out():
    sweep = "ber_figure4_search"
    trials = _trials(sweep, {"a": "darts", "b": "darts"})
    cols = {"op_weight_normal_none": [0.5, 0.5], "op_weight_normal_skip_connect": [0.1, 0.3],
            "op_weight_normal_parametric": [0.2, 0.2], "op_weight_normal_free": [0.4, 0.2],
            "op_weight_reduce_free": [0.1, 0.1]}
    ours = ARTIFACTS["ber/figure4"].build(trials, _epochs(sweep, ["a", "b"], cols))
    rows = list(dict.fromkeys(ours["row"]))
    assert rows == ["normal cell | parametric ops (mean)", "normal cell | parameter-free ops (mean)",
                    "normal cell | skip_connect", "reduce cell | parameter-free ops (mean)"]
    assert _cell(ours, "normal cell | parameter-free ops (mean)", "2")["mean"] == pytest.approx(0.6)


def _frame(rows: list[tuple[str, str, int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["row", "column", "n", "mean", "std"])


def test_the_panel_renderers_write_images_and_points():
    artifact = ARTIFACTS["single_darts/figure2"]
    lines = _frame([("a | s", "1", 3, 1.0, 0.5), ("a | s", "2", 3, 2.0, 0.5), ("b | t", "1", 1, 4.0, float("nan"))])
    files = panel_lines("epoch", "y", "it rises", style=lambda s: {"linestyle": "--"})(artifact, lines, None)
    assert files["png"].startswith(b"\x89PNG") and files["pdf"].startswith(b"%PDF")
    points = pd.read_csv(io.StringIO(files["csv"]))
    assert list(points.columns) == ["panel", "series", "epoch", "n", "mean", "std", "ci95"]
    assert points["ci95"].iloc[0] == pytest.approx(4.303 * 0.5 / math.sqrt(3)) and "paper: it rises" in files["md"]
    cells = _frame([("epoch 1 | x", "1", 1, 2.0, float("nan")), ("epoch 1 | y", "10", 1, 5.0, float("nan")),
                    ("epoch 2 | x", "1", 1, 0.0, float("nan"))])
    files = heatmaps("images", "op", "IIM")(ARTIFACTS["is_darts/figure4"], cells, None)
    assert files["png"].startswith(b"\x89PNG") and files["pdf"].startswith(b"%PDF")
    assert list(pd.read_csv(io.StringIO(files["csv"])).columns) == ["panel", "series", "images", "n", "mean", "std"]
