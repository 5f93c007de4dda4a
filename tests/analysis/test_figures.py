"""Figure artifacts (analysis.artifacts.figures): the 95% confidence band, the two curve builders and the files.
Frames here are small and hand-made to pin the arithmetic; tests/harness/test_paper_report.py renders every
figure from Parquet written by the real trainables."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from analysis.artifacts import ARTIFACTS, Artifact, render
from analysis.artifacts.figures import ci95, epoch_curves, figure, value_curves
from analysis.artifacts.grid import Select


def test_the_95_percent_band_uses_students_t():
    assert ci95(2.0, 4) == pytest.approx(3.182 * 2.0 / 2.0)  # t(0.975, 3) = 3.182
    assert ci95(1.0, 2) == pytest.approx(12.706 / math.sqrt(2))
    assert ci95(1.0, 100) == pytest.approx(1.96 / 10)
    assert math.isnan(ci95(1.0, 1)) and math.isnan(ci95(float("nan"), 5))


def _trials() -> pd.DataFrame:
    rows = [{"sweep": "s", "trial_id": f"t{i}", "status": "TERMINATED", "method": "em-darts", "p_max": p, "acc": a}
            for i, (p, a) in enumerate([(0.1, 80.0), (0.1, 82.0), (0.2, 90.0), (0.2, 92.0), (0.2, 94.0)])]
    rows.append({"sweep": "s", "trial_id": "t9", "status": "ERROR", "method": "em-darts", "p_max": 0.2, "acc": 0.0})
    return pd.DataFrame(rows)


def test_value_curves_aggregate_finished_trials_per_value():
    ours = value_curves({"EM": Select({"method": "em-darts"})}, "p_max", "acc")(_trials(), pd.DataFrame())
    assert list(ours["column"]) == ["0.1", "0.2"] and list(ours["n"]) == [2, 3]
    assert list(ours["mean"]) == [81.0, 92.0] and ours["std"].iloc[1] == pytest.approx(2.0)


def test_epoch_curves_follow_the_selected_trials_epoch_by_epoch():
    epochs = pd.DataFrame([{"sweep": "s", "trial_id": t, "epoch": e, "acc": 10.0 * e + k}
                           for k, t in enumerate(["t0", "t1", "t9"]) for e in (1, 2)])
    ours = epoch_curves({"low": Select({"p_max": 0.1})}, "acc")(_trials(), epochs)
    assert list(ours["column"]) == ["1", "2"] and list(ours["n"]) == [2, 2]  # t9 errored: left out
    assert list(ours["mean"]) == [10.5, 20.5]


def test_a_figure_renders_png_pdf_and_its_points():
    artifact = Artifact("em_darts", "Figure 9", "accuracy against p_max", "figure", ("sweeps/x.yaml",),
                        value_curves({"EM": Select({"method": "em-darts"})}, "p_max", "acc"), "mean",
                        render=figure("p_max", "accuracy (%)", "peaks at 0.2"))
    files = artifact.render(artifact, artifact.build(_trials(), pd.DataFrame()), None)
    assert files["png"].startswith(b"\x89PNG") and files["pdf"].startswith(b"%PDF")
    assert "![Figure 9](em_darts_figure9.png)" in files["md"] and "paper: peaks at 0.2" in files["md"]
    points = pd.read_csv(pd.io.common.StringIO(files["csv"]))
    assert list(points.columns) == ["series", "p_max", "n", "mean", "std", "ci95"]
    assert points["ci95"].iloc[1] == pytest.approx(4.303 * 2.0 / math.sqrt(3))


def test_the_em_darts_figures_are_registered_with_their_sweeps():
    for key in ("em_darts/figure2", "em_darts/figure3a", "em_darts/figure3b"):
        assert ARTIFACTS[key].kind == "figure" and ARTIFACTS[key].render is not None
        assert ARTIFACTS[key].sweeps[0] == "sweeps/em_darts/table1_search.yaml"


def test_bar_figure_of_final_entropies_per_space_and_method():
    """r-DARTS Figure 5: a group of bars per (method, space), the last-epoch entropy of parametric and of
    parameter-free ops, mean over seeds; a group no trial filled (here r-DARTS on NB201) has no bars."""
    rows = [{"sweep": sweep, "method": method, "space": space, "seed": seed, "status": "TERMINATED",
             "trial_id": f"{sweep}{method}{seed}", "alpha_entropy_parametric": base + seed,
             "alpha_entropy_free": 2 * base + seed}
            for sweep, method, space, base in (("ber_table3_search", "darts", "darts", 1.0),
                                               ("ber_table2_search", "r-darts", "darts", 0.5),
                                               ("em_darts_table1_search", "darts", "nb201", 0.25))
            for seed in (0, 1)]
    artifact = ARTIFACTS["ber/figure5"]
    files = render(artifact, pd.DataFrame(rows), pd.DataFrame())
    points = pd.read_csv(io.StringIO(files["csv"]))
    assert list(dict.fromkeys(points["group"])) == ["DARTS, DARTS space", "r-DARTS, DARTS space", "DARTS, NB201"]
    r_darts = points[points["group"] == "r-DARTS, DARTS space"].set_index("bar")
    assert r_darts.loc["parametric ops", "mean"] == pytest.approx(1.0)  # (0.5 + 1.5) / 2
    assert r_darts.loc["parameter-free ops", "mean"] == pytest.approx(1.5)
    assert (points["n"] == 2).all() and files["png"].startswith(b"\x89PNG")
