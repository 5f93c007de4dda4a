"""``dartsweep report``: a results root where EM-DARTS Table 1's two sweeps ran at smoke scale (the real search
and random trainables through `dartsweep run` on local Ray: the embedded digits data, a 1-epoch reduced NB201
supernet, a synthetic NB201 table) renders that table with our and the paper's columns filled, and lists every
other artifact with the exact command that produces it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.artifacts import ARTIFACTS
from harness.cli import main
from tests.helpers.nb201_table import write_synthetic_nb201_table

SMOKE = ("dataset=digits", "epochs=1", "supernet.channels=4", "supernet.cells_per_stage=1", "data.batch_size=16",
         "data.limit_train_images=64", "data.max_batches=2", "data.eval_batches=1", "threads=1", "resources.gpu=0",
         "resources.cpu=1", "max_concurrent=2")
"""The smoke setting of an NB201 search sweep (docs/reproduce.md)."""


@pytest.fixture(scope="module")
def results(tmp_path_factory, local_ray) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    (tmp / "home" / "data").mkdir(parents=True)
    table = write_synthetic_nb201_table(tmp / "nb201.csv")
    storage = tmp / "res"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp / "home"))
        sets = [a for s in (f"nb201_table={table}", *SMOKE) for a in ("--set", s)]
        assert main(["run", "sweeps/em_darts/table1_search.yaml", "--storage", str(storage), *sets]) == 0
        assert main(["run", "sweeps/em_darts/table1_random.yaml", "--storage", str(storage),
                     "--set", f"nb201_table={table}"]) == 0
    return storage


def test_missing_artifacts_are_listed_with_their_commands(results, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", str(results), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    rendered = {a.key for a in ARTIFACTS.values() if f"rendered {a.paper} {a.number} ->" in printed}
    assert rendered == {"em_darts/table1"}
    index = (out / "index.md").read_text()
    expected = {
        "em_darts Table 3": "sweeps/em_darts/table3_search.yaml sweeps/em_darts/table3_eval_cifar10.yaml "
                            "sweeps/em_darts/table3_eval_small.yaml",
        "em_darts Table 5": "sweeps/em_darts/table3_search.yaml",
        "ber Table 1": "sweeps/ber/table1_search.yaml",  # its DARTS rows' sweep has run
        "is_darts Table 1": "sweeps/is_darts/table1_search.yaml",
        "single_darts Table 1": "sweeps/single_darts/table1_search.yaml",
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
    assert "1 rendered, 2 missing" in capsys.readouterr().out
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


def test_a_results_root_that_does_not_exist_is_a_user_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "no such results root" in capsys.readouterr().err
