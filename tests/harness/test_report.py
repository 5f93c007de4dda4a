"""``dartsweep report``: a results root where EM-DARTS Table 1's two sweeps ran at smoke scale (the real search
and random trainables through `dartsweep run` on local Ray: the embedded digits data, a 1-epoch reduced NB201
supernet, a synthetic NB201 table) renders that table with our and the paper's columns filled, and lists every
other artifact with the exact command that produces it. Table 4's sweep (one seed per growth strategy, a copy of
the file) and Table 6's (a 3-cell DARTS supernet) ran at the same scale, so those two render as well, and so
does DARTS-PT Table 4's NB201 row (one seed of its two supernets, each chained into a 6-decision PT selection)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.artifacts import ARTIFACTS
from harness.cli import main
from tests.helpers.nb201_table import write_synthetic_nb201_table

SMOKE = ("dataset=digits", "epochs=1", "supernet.channels=4", "supernet.cells_per_stage=1", "data.batch_size=16",
         "data.limit_train_images=64", "data.max_batches=2", "data.eval_batches=1", "threads=1", "resources.gpu=0",
         "resources.cpu=1", "max_concurrent=2")
"""The smoke setting of an NB201 search sweep (docs/reproduce.md)."""
TABLE4, TABLE6 = "sweeps/em_darts/table4_search.yaml", "sweeps/em_darts/table6_search.yaml"
PT_SEARCH = "sweeps/darts_pt/table4_search_nb201.yaml"
PT_SELECTS = ("sweeps/darts_pt/table4_select_nb201.yaml", "sweeps/darts_pt/table4_select_nb201_fix_alpha.yaml")
"""DARTS-PT Table 4's NB201 row: a one-seed copy of the search (2 supernets) with the NB201 searches, then each
selection at the select trainable's ``--smoke`` set (1 tuning epoch per decision, 6 on NB201; one batch per
candidate) without the after-tuning evaluations."""


def _one_seed(sweep_file: str, directory: Path) -> str:
    """A copy of a paper sweep file with seed 0 only (same name: its results land where the artifact looks)."""
    body = yaml.safe_load(Path(sweep_file).read_text(encoding="utf-8"))
    body["grid"]["seed"] = [0]
    path = directory / Path(sweep_file).name
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def results(tmp_path_factory, local_ray) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    (tmp / "home" / "data").mkdir(parents=True)
    table = write_synthetic_nb201_table(tmp / "nb201.csv")
    storage = tmp / "res"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp / "home"))
        sets = [a for s in (f"nb201_table={table}", *SMOKE) for a in ("--set", s)]
        assert main(["run", "sweeps/em_darts/table1_search.yaml", _one_seed(TABLE4, tmp), _one_seed(PT_SEARCH, tmp),
                     "--storage", str(storage), *sets]) == 0
        darts = [a for s in (*SMOKE, "supernet.layers=3") for a in ("--set", s)]
        assert main(["run", TABLE6, "--storage", str(storage), *darts]) == 0
        assert main(["run", "sweeps/em_darts/table1_random.yaml", "--storage", str(storage),
                     "--set", f"nb201_table={table}"]) == 0
        assert main(["run", *PT_SELECTS, "--smoke", "--storage", str(storage), "--set", f"nb201_table={table}",
                     "--set", "eval_after_tune=false"]) == 0
    return storage


def test_missing_artifacts_are_listed_with_their_commands(results, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", str(results), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    rendered = {a.key for a in ARTIFACTS.values() if f"rendered {a.paper} {a.number} ->" in printed}
    assert rendered == {"em_darts/table1", "em_darts/table4", "em_darts/table6", "darts_pt/table4"}
    index = (out / "index.md").read_text()
    expected = {
        "em_darts Table 3": "sweeps/em_darts/table3_search.yaml sweeps/em_darts/table3_eval_cifar10.yaml "
                            "sweeps/em_darts/table3_eval_small.yaml",
        "em_darts Table 5": "sweeps/em_darts/table3_search.yaml",
        "ber Table 1": "sweeps/ber/table1_search.yaml",  # its DARTS rows' sweep has run
        "is_darts Table 1": "sweeps/is_darts/table1_search.yaml",
        "single_darts Table 1": "sweeps/single_darts/table1_search.yaml",
        "single_darts Table 4": "sweeps/single_darts/table4_search.yaml",
        "single_darts Table 5": "sweeps/single_darts/table4_search.yaml sweeps/single_darts/table5_search.yaml",
        "single_darts Figure 3": "sweeps/single_darts/figure3_search.yaml",
        "ber Table 3": "sweeps/ber/table1_search.yaml sweeps/ber/table2_search.yaml "
                       "sweeps/ber/table3_search.yaml",  # its NB201 DARTS column's sweep has run
        **{f"em_darts Figure {n}": f"sweeps/em_darts/figure{n.lower()}_search.yaml" for n in ("2", "3a", "3b")},
    }
    listed = [line for line in index.splitlines() if line.startswith("* ")]
    assert len(listed) == len(expected) == sum(line.startswith("missing ") for line in printed.splitlines())
    for name, files in expected.items():
        assert f"* {name}: `dartsweep run {files} --storage {results}`" in listed
        assert f"missing {name}: dartsweep run {files} --storage {results}" in printed
    assert "[md](em_darts_table1.md)" in index


def test_an_artifact_renders_ours_beside_the_papers(results, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", str(results), "--paper", "em_darts", "--out", str(out)]) == 0
    assert "3 rendered, 5 missing" in capsys.readouterr().out
    csv = pd.read_csv(out / "em_darts_table1.csv")
    trials = pd.concat([pd.read_parquet(results / n / "trials.parquet")
                        for n in ("em_darts_table1_search", "em_darts_table1_random")])
    for row, method in (("DARTS (1st)", "darts"), ("EM-DARTS", "em-darts"), ("random sampling", "random")):
        cell = csv[(csv["row"] == row) & (csv["column"] == "CIFAR-10 test")].iloc[0]
        mine = trials[trials["method"] == method]["nb201_cifar10_test"]
        assert cell["n"] == 4 and cell["ours_mean"] == pytest.approx(mine.mean())
        assert cell["ours_std"] == pytest.approx(mine.std())
        if row != "random sampling":  # both columns filled, and the difference between them
            assert cell["paper_mean"] in (54.30, 94.36)
            assert cell["difference"] == pytest.approx(cell["ours_mean"] - cell["paper_mean"])
        else:
            assert pd.isna(cell["paper"])
    quoted = csv[csv["row"] == "GDAS"]
    assert (quoted["n"] == 0).all() and quoted["paper"].notna().all()
    md = (out / "em_darts_table1.md").read_text()
    assert "| DARTS (1st) | CIFAR-10 test | 4 |" in md and "54.30 ± 0.00" in md
    assert r"\toprule" in (out / "em_darts_table1.tex").read_text()


def test_growth_strategies_and_search_cost_render_from_their_sweeps(results, tmp_path):
    out = tmp_path / "report"
    assert main(["report", str(results), "--paper", "em_darts", "--out", str(out)]) == 0
    growth = pd.read_csv(out / "em_darts_table4.csv")
    table1, table4 = (pd.read_parquet(results / n / "trials.parquet")
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
    epochs = pd.read_parquet(results / "em_darts_table6_search" / "epochs.parquet")
    days = epochs.groupby("method.mutation.p_max")["epoch_seconds"].sum() / 86400
    for p_max, paper in ((0.0, 0.4), (0.5, 0.407), (1.0, 0.394)):
        cell = cost.loc[f"EM-DARTS (p_max = {p_max:g})"]
        assert cell["n"] == 1 and cell["ours_mean"] == pytest.approx(days[p_max]) and cell["paper_mean"] == paper
        assert cell["ours_mean"] > 0
    assert cost.loc["DARTS (1st)", "n"] == 0 and cost.loc["DARTS (1st)", "paper_mean"] == 0.4  # quoted only
    assert "measured on our hardware" in (out / "em_darts_table6.md").read_text()


def test_darts_pt_nb201_row_from_the_search_and_its_pt_selections(results, tmp_path):
    out = tmp_path / "report"
    assert main(["report", str(results), "--paper", "darts_pt", "--out", str(out)]) == 0
    csv = pd.read_csv(out / "darts_pt_table4.csv")
    search, select, fixed = (pd.read_parquet(results / n / "trials.parquet") for n in (
        "darts_pt_table4_search_nb201", "darts_pt_table4_select_nb201", "darts_pt_table4_select_nb201_fix_alpha"))
    assert list(select["source.method"]) == ["darts-pt"] and list(fixed["source.method"]) == ["darts-fix-alpha"]
    mine = {"DARTS": search[search["method"] == "darts-pt"], "DARTS+PT": select, "DARTS+PT (fix α)": fixed}
    nb201 = csv[csv["row"] == "NAS-Bench-201"].set_index("column")
    for column, paper in (("DARTS", 45.7), ("DARTS+PT", 11.89), ("DARTS+PT (fix α)", 6.20)):
        cell = nb201.loc[column]  # test error = 100 - the selected cell's NB201 CIFAR-10 test accuracy
        assert cell["n"] == 1 and cell["ours_mean"] == pytest.approx(100 - mine[column]["nb201_cifar10_test"].iloc[0])
        assert cell["paper_mean"] == paper and cell["difference"] == pytest.approx(cell["ours_mean"] - paper)
    darts_space = csv[csv["row"] == "DARTS Space"]  # trained from scratch elsewhere: the paper's numbers only
    assert (darts_space["n"] == 0).all() and list(darts_space["paper_mean"]) == [3.00, 2.61, 2.87]
    assert "| NAS-Bench-201 | DARTS+PT | 1 |" in (out / "darts_pt_table4.md").read_text()


def test_a_results_root_that_does_not_exist_is_a_user_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "no such results root" in capsys.readouterr().err
