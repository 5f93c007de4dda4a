"""``dartsweep report`` on micro-scale results of the paper sweeps (``tests/helpers/micro_results.py``: one seed of
each sweep file with ``--smoke``, the real search / select / evaluate / random trainables on local Ray, tiny data
sets in their real formats and a synthetic NB201 table), run once for the module:

* every registered artifact renders from them with our numbers filled, and the paper's beside ours (with the
  difference) where the paper prints numbers;
* a results root holding only some sweeps lists exactly the artifacts it cannot render, each with its command;
* spot checks that cells hold the right trials' numbers (EM-DARTS Tables 1, 4, 6 and its figures, DARTS-PT
  Table 4, IS-DARTS and Single-DARTS Table 1, Single-DARTS Tables 4 and 5 and Figure 3, r-DARTS Table 3).

The numbers are meaningless at this scale; the path sweep -> Parquet -> report is what is checked.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.artifacts import ARTIFACTS
from analysis.artifacts.results import sweep_name
from harness.cli import main
from tests.helpers.micro_results import MICRO, run_micro


@pytest.fixture(scope="module")
def micro(tmp_path_factory, local_ray) -> Path:
    return run_micro(MICRO, tmp_path_factory.mktemp("micro"))


def _report(root: Path, out: Path, *args: str) -> str:
    """``dartsweep report ROOT --out OUT``; what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["report", str(root), "--out", str(out), *args]) == 0
    return printed.getvalue()


@pytest.fixture(scope="module")
def report(micro, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report")
    return out, _report(micro, out)


def test_every_artifact_has_its_sweeps_in_the_micro_set():
    absent = {a.key: f for a in ARTIFACTS.values() for f in a.sweeps if f not in MICRO}
    assert not absent, f"add these sweep files to tests/helpers/micro_results.py MICRO: {absent}"


@pytest.mark.parametrize("key", sorted(ARTIFACTS))
def test_every_artifact_renders_ours_beside_the_papers(report, key):
    out, printed = report
    artifact = ARTIFACTS[key]
    assert f"rendered {artifact.paper} {artifact.number} ->" in printed, printed
    stem = out / key.replace("/", "_")
    csv = pd.read_csv(f"{stem}.csv")
    assert stem.with_suffix(".md").read_text().strip()
    if artifact.kind == "figure":
        assert stem.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
        assert stem.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
        assert not csv.empty and (csv["n"] >= 1).all() and csv["mean"].notna().any()
        return
    ours = csv[csv["ours_mean"].notna()]
    assert not ours.empty, f"{key}: no cell of ours filled from its micro sweeps"
    assert (ours["n"] >= 1).all()
    if artifact.reference is not None:
        both = ours[ours["paper_mean"].notna()]
        assert not both.empty, f"{key}: no cell with both ours and the paper's"
        assert both["difference"].notna().all()
    assert r"\toprule" in stem.with_suffix(".tex").read_text()


def test_a_root_with_some_sweeps_lists_exactly_the_missing_artifacts(micro, tmp_path):
    present = ("em_darts_table1_search", "em_darts_table1_random", "em_darts_table4_search")
    root = tmp_path / "partial"
    for name in present:
        shutil.copytree(micro / name, root / name)
    printed = _report(root, tmp_path / "report")
    renderable = {a.key for a in ARTIFACTS.values() if all(sweep_name(f) in present for f in a.sweeps)}
    assert renderable == {"em_darts/table1", "em_darts/table4"}
    rendered = {a.key for a in ARTIFACTS.values() if f"rendered {a.paper} {a.number} ->" in printed}
    assert rendered == renderable
    index = (tmp_path / "report" / "index.md").read_text()
    listed = [line for line in index.splitlines() if line.startswith("* ")]
    assert len(listed) == len(ARTIFACTS) - 2 == sum(line.startswith("missing ") for line in printed.splitlines())
    expected = {  # only the files not run yet, in run order (sources first)
        "em_darts Table 3": "sweeps/em_darts/table3_search.yaml sweeps/em_darts/table3_eval_cifar10.yaml "
                            "sweeps/em_darts/table3_eval_small.yaml",
        "ber Table 1": "sweeps/ber/table1_search.yaml",  # its DARTS rows' sweep (EM-DARTS Table 1) has run
        "single_darts Table 5": "sweeps/single_darts/table4_search.yaml sweeps/single_darts/table5_search.yaml",
        "em_darts Figure 2": "sweeps/em_darts/figure2_search.yaml",
    }
    for name, files in expected.items():
        assert f"* {name}: `dartsweep run {files} --storage {root}`" in listed
        assert f"missing {name}: dartsweep run {files} --storage {root}" in printed
    assert "[md](em_darts_table1.md)" in index


def test_nb201_tables_hold_their_trials_numbers(micro, report):
    out, printed = report
    csv = pd.read_csv(out / "em_darts_table1.csv")
    trials = pd.concat([pd.read_parquet(micro / n / "trials.parquet")
                        for n in ("em_darts_table1_search", "em_darts_table1_random")])
    for row, method in (("DARTS (1st)", "darts"), ("EM-DARTS", "em-darts"), ("random sampling", "random")):
        cell = csv[(csv["row"] == row) & (csv["column"] == "CIFAR-10 test")].iloc[0]
        mine = trials[trials["method"] == method]["nb201_cifar10_test"]
        assert cell["n"] == len(mine) == 1 and cell["ours_mean"] == pytest.approx(mine.iloc[0])
        if row != "random sampling":  # both columns filled, and the difference between them
            assert cell["paper_mean"] in (54.30, 94.36)
            assert cell["difference"] == pytest.approx(cell["ours_mean"] - cell["paper_mean"])
        else:
            assert pd.isna(cell["paper"])
    quoted = csv[csv["row"] == "GDAS"]  # a baseline we do not run: the paper's value only
    assert (quoted["n"] == 0).all() and quoted["paper"].notna().all()
    assert "| DARTS (1st) | CIFAR-10 test | 1 |" in (out / "em_darts_table1.md").read_text()
    for paper in ("is_darts", "single_darts"):  # their DARTS rows come from EM-DARTS Table 1's search
        table = pd.read_csv(out / f"{paper}_table1.csv")
        darts = table[(table["row"].str.startswith("DARTS")) & table["ours_mean"].notna()]
        assert not darts.empty and (darts["n"] == 1).all(), paper


def test_growth_strategies_and_search_cost(micro, report):
    out, _ = report
    growth = pd.read_csv(out / "em_darts_table4.csv")
    table1, table4 = (pd.read_parquet(micro / n / "trials.parquet")
                      for n in ("em_darts_table1_search", "em_darts_table4_search"))
    mine = {"linear": table1[table1["method"] == "em-darts"]["nb201_cifar10_valid"],
            **{g: table4[table4["method.mutation.growth"] == g]["nb201_cifar10_valid"]
               for g in ("exponential", "cosine")}}
    assert list(growth["row"]) == ["linear", "exponential", "cosine"]
    for cell in growth.itertuples():
        assert (cell.n, cell.ours_mean) == (len(mine[cell.row]), pytest.approx(mine[cell.row].mean()))
        assert cell.difference == pytest.approx(cell.ours_mean - cell.paper_mean)
    cost = pd.read_csv(out / "em_darts_table6.csv")
    cost = cost[cost["column"] == "Search Cost (GPU days)"].set_index("row")
    epochs = pd.read_parquet(micro / "em_darts_table6_search" / "epochs.parquet")
    days = epochs.groupby("method.mutation.p_max")["epoch_seconds"].sum() / 86400
    half = cost.loc["EM-DARTS (p_max = 0.5)"]  # the micro copy runs p_max 0.5 only
    assert half["n"] == 1 and half["ours_mean"] == pytest.approx(days[0.5]) and half["paper_mean"] == 0.407
    assert half["ours_mean"] > 0
    assert cost.loc["EM-DARTS (p_max = 1)", "n"] == 0 and cost.loc["EM-DARTS (p_max = 1)", "paper_mean"] == 0.394
    assert cost.loc["DARTS (1st)", "n"] == 0 and cost.loc["DARTS (1st)", "paper_mean"] == 0.4  # quoted only
    assert "measured on our hardware" in (out / "em_darts_table6.md").read_text()


def test_em_darts_figures_plot_their_swept_values(report):
    out, _ = report
    for number, x, values in (("2", "search epoch", [1, 2]), ("3a", "p_max", [0.1, 0.2]),
                              ("3b", "search epochs", [2, 3])):
        points = pd.read_csv(out / f"em_darts_figure{number}.csv")
        assert sorted(set(points[x])) == values and (points["n"] >= 1).all()
    assert "[png](em_darts_figure2.png)" in (out / "index.md").read_text()


def test_darts_pt_nb201_row_from_the_search_and_its_pt_selections(micro, report):
    out, _ = report
    csv = pd.read_csv(out / "darts_pt_table4.csv")
    search, select, fixed = (pd.read_parquet(micro / n / "trials.parquet") for n in (
        "darts_pt_table4_search_nb201", "darts_pt_table4_select_nb201", "darts_pt_table4_select_nb201_fix_alpha"))
    assert list(select["source.method"]) == ["darts-pt"] and list(fixed["source.method"]) == ["darts-fix-alpha"]
    mine = {"DARTS": search[search["method"] == "darts-pt"], "DARTS+PT": select, "DARTS+PT (fix α)": fixed}
    nb201 = csv[csv["row"] == "NAS-Bench-201"].set_index("column")
    for column, paper in (("DARTS", 45.7), ("DARTS+PT", 11.89), ("DARTS+PT (fix α)", 6.20)):
        cell = nb201.loc[column]  # test error = 100 - the selected cell's NB201 CIFAR-10 test accuracy
        assert cell["n"] == 1 and cell["ours_mean"] == pytest.approx(100 - mine[column]["nb201_cifar10_test"].iloc[0])
        assert cell["paper_mean"] == paper and cell["difference"] == pytest.approx(cell["ours_mean"] - paper)


def _filled(csv: pd.DataFrame) -> pd.DataFrame:
    """The cells with ours, the paper's and the difference: each from one trial."""
    cells = csv[csv["ours_mean"].notna()]
    assert (cells["n"] == 1).all() and cells["paper_mean"].notna().all() and cells["difference"].notna().all()
    return cells


def test_single_darts_ablations_and_gradients(micro, report):
    """Table 4 (all three levels), Table 5 (the lr 0.005 rows of DARTS and Single-DARTS), Figure 3 (∂L/∂p)."""
    out, _ = report
    levels = _filled(pd.read_csv(out / "single_darts_table4.csv"))
    assert len(levels) == 9  # 3 rows x 3 columns
    trials = pd.read_parquet(micro / "single_darts_table4_search" / "trials.parquet").set_index("method.level")
    same_subset = levels[(levels["row"] == "same subset") & (levels["column"] == "CIFAR100")].iloc[0]
    assert same_subset["ours_mean"] == pytest.approx(trials.loc["same_subset", "nb201_cifar100_test"])
    ablation = _filled(pd.read_csv(out / "single_darts_table5.csv"))
    assert set(ablation["row"]) == {"DARTS, lr 0.005", "DARTS, Softmax", "DARTS, SGD", "Single-DARTS, lr 0.005",
                                    "Single-DARTS, Sigmoid", "Single-DARTS, SGD", "Single-DARTS, Softmax"}
    softmax = ablation[(ablation["row"] == "Single-DARTS, Softmax") & (ablation["column"] == "CIFAR10")].iloc[0]
    assert softmax["ours_mean"] == pytest.approx(trials.loc["single", "nb201_cifar10_test"])  # Table 4's trial
    grads = pd.read_csv(out / "single_darts_figure3.csv")
    assert set(grads["series"]) == {f"{m}: {op}" for m in ("DARTS", "Single-DARTS")
                                    for op in ("skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")}
    assert sorted(set(grads["search epoch"])) == [1, 2] and grads["mean"].abs().sum() > 0


def test_r_darts_memory_is_the_searches_peak(micro, report):
    """r-DARTS Table 3: the DARTS-space row and NB201's DARTS column; NB201's r-DARTS cell picks Table 1's CIFAR-10
    searches, which the micro copy does not run (the embedded data): tests/analysis covers it."""
    out, _ = report
    memory = _filled(pd.read_csv(out / "ber_table3.csv")).set_index(["row", "column"])
    assert {("DARTS", "DARTS"), ("DARTS", "r-DARTS (ours)"), ("NAS-Bench-201", "DARTS")} <= set(memory.index)
    for (row, column), sweep in ((("DARTS", "DARTS"), "ber_table3_search"),
                                 (("DARTS", "r-DARTS (ours)"), "ber_table2_search")):
        epochs = pd.read_parquet(micro / sweep / "epochs.parquet")
        peak = epochs["peak_memory_mb"].max()  # one search: its largest epoch peak
        assert peak > 0 and memory.loc[(row, column), "ours_mean"] == pytest.approx(peak)
    assert "measured on our device" in (out / "ber_table3.md").read_text()


def test_a_results_root_that_does_not_exist_is_a_user_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "no such results root" in capsys.readouterr().err
