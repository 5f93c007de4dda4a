"""``dartsweep run --smoke``: paper sweep files as they are, at micro scale on local Ray, render their artifacts with
our and the paper's columns filled (IS-DARTS and Single-DARTS Table 1, whose DARTS rows come from EM-DARTS Table 1's
search: one seed of each file, so the test stays small), EM-DARTS' figures as images with their points (one
seed; Figure 3a at one more p_max, Figure 3b at a 3-epoch search instead of 100–400), Single-DARTS Tables 4 and 5
(its ablations: three levels, two of Table 5's ten settings) and r-DARTS Table 3 (peak memory: a DARTS and an
r-DARTS search on the DARTS space, one r-DARTS search on NB201)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from harness.cli import main
from tests.helpers.nb201_table import write_synthetic_nb201_table

FILES = {"sweeps/em_darts/table1_search.yaml": {}, "sweeps/is_darts/table1_search.yaml": {},
         "sweeps/single_darts/table1_search.yaml": {}, "sweeps/em_darts/figure2_search.yaml": {},
         "sweeps/em_darts/figure3a_search.yaml": {"method.mutation.p_max": [0.1]},
         "sweeps/em_darts/figure3b_search.yaml": {"epochs": [3]}, "sweeps/single_darts/table4_search.yaml": {},
         "sweeps/single_darts/table5_search.yaml": {}, "sweeps/ber/table1_search.yaml": {},
         "sweeps/ber/table2_search.yaml": {}, "sweeps/ber/table3_search.yaml": {},
         "sweeps/single_darts/figure3_search.yaml": {}}
"""Paper sweep files -> grid values replaced in the test's copies (besides seed 0 only)."""
ZIP = {"sweeps/single_darts/table5_search.yaml": ((1, 4), ()),
       "sweeps/ber/table1_search.yaml": ((0,), ("dataset", "epochs"))}
"""Paper sweep files -> the positions of their ``zip`` lists kept in the copies, and zipped keys left out (then
the smoke set's value): Single-DARTS Table 5 runs DARTS and Single-DARTS at lr 0.005 (7 of its 15 rows, with Table
4's same batch), r-DARTS Table 1 one λ on the embedded data instead of its data sets and epochs."""


def _one_seed(sweep_file: str, directory: Path, **grid) -> str:
    body = yaml.safe_load(Path(sweep_file).read_text(encoding="utf-8"))
    body["grid"].update(grid, seed=[0])
    if sweep_file in ZIP:
        keep, drop = ZIP[sweep_file]
        body["zip"] = [{k: [v[i] for i in keep] for k, v in group.items() if k not in drop} for group in body["zip"]]
    path = directory / Path(sweep_file).parent.name / Path(sweep_file).name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return str(path)


@pytest.mark.usefixtures("local_ray")
def test_smoke_runs_of_paper_sweeps_render_their_tables(tmp_path, capsys):
    table = write_synthetic_nb201_table(tmp_path / "nb201.csv")
    files = [_one_seed(f, tmp_path, **grid) for f, grid in FILES.items()]
    storage = tmp_path / "res"
    assert main(["run", *files, "--smoke", "--set", f"nb201_table={table}", "--storage", str(storage)]) == 0
    trials = pd.read_parquet(storage / "is_darts_table1_search" / "trials.parquet")
    assert (trials["status"] == "TERMINATED").all() and list(trials["supernet.channels"]) == [4]
    assert list(trials["dataset"]) == ["digits"] and list(trials["epochs"]) == [2]
    capsys.readouterr()
    out = tmp_path / "report"
    assert main(["report", str(storage), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for paper in ("is_darts", "single_darts"):
        assert f"rendered {paper} Table 1 ->" in printed
        csv = pd.read_csv(out / f"{paper}_table1.csv")
        ours = csv[csv["ours_mean"].notna()]
        assert not ours.empty and ours["paper_mean"].notna().any(), paper
        assert ours["difference"].notna().any(), paper
    figures = (("2", "search epoch", [1, 2]), ("3a", "p_max", [0.1, 0.2]), ("3b", "search epochs", [2, 3]))
    for number, x, values in figures:
        assert f"rendered em_darts Figure {number} ->" in printed
        assert (out / f"em_darts_figure{number}.png").read_bytes().startswith(b"\x89PNG")
        points = pd.read_csv(out / f"em_darts_figure{number}.csv")
        assert sorted(set(points[x])) == values and (points["n"] >= 1).all()
    assert "[png](em_darts_figure2.png)" in (out / "index.md").read_text()
    assert "rendered single_darts Figure 3 ->" in printed  # the edge_weight_grad probe's columns, per epoch
    grads = pd.read_csv(out / "single_darts_figure3.csv")
    assert set(grads["series"]) == {f"{m}: {op}" for m in ("DARTS", "Single-DARTS")
                                    for op in ("skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")}
    assert sorted(set(grads["search epoch"])) == [1, 2] and grads["mean"].abs().sum() > 0
    _single_darts_ablations(out, storage, printed)
    _memory(out, storage, printed)


def _filled(csv: pd.DataFrame) -> pd.DataFrame:
    """The cells with ours, the paper's and the difference: each must come from one trial."""
    cells = csv[csv["ours_mean"].notna()]
    assert (cells["n"] == 1).all() and cells["paper_mean"].notna().all() and cells["difference"].notna().all()
    return cells


def _single_darts_ablations(out: Path, storage: Path, printed: str) -> None:
    """Single-DARTS Table 4 (all three levels) and Table 5 (the lr 0.005 rows of DARTS and Single-DARTS)."""
    assert "rendered single_darts Table 4 ->" in printed and "rendered single_darts Table 5 ->" in printed
    levels = _filled(pd.read_csv(out / "single_darts_table4.csv"))
    assert len(levels) == 9  # 3 rows x 3 columns
    trials = pd.read_parquet(storage / "single_darts_table4_search" / "trials.parquet").set_index("method.level")
    same_subset = levels[(levels["row"] == "same subset") & (levels["column"] == "CIFAR100")].iloc[0]
    assert same_subset["ours_mean"] == pytest.approx(trials.loc["same_subset", "nb201_cifar100_test"])
    ablation = _filled(pd.read_csv(out / "single_darts_table5.csv"))
    assert set(ablation["row"]) == {"DARTS, lr 0.005", "DARTS, Softmax", "DARTS, SGD", "Single-DARTS, lr 0.005",
                                    "Single-DARTS, Sigmoid", "Single-DARTS, SGD", "Single-DARTS, Softmax"}
    softmax = ablation[(ablation["row"] == "Single-DARTS, Softmax") & (ablation["column"] == "CIFAR10")].iloc[0]
    assert softmax["ours_mean"] == pytest.approx(trials.loc["single", "nb201_cifar10_test"])  # Table 4's trial


def _memory(out: Path, storage: Path, printed: str) -> None:
    """r-DARTS Table 3: the DARTS-space row and NB201's DARTS column; NB201's r-DARTS cell picks Table 1's
    CIFAR-10 searches, which the smoke copy does not run (the embedded data): tests/analysis covers it."""
    assert "rendered ber Table 3 ->" in printed
    memory = _filled(pd.read_csv(out / "ber_table3.csv")).set_index(["row", "column"])
    assert set(memory.index) == {("DARTS", "DARTS"), ("DARTS", "r-DARTS (ours)"), ("NAS-Bench-201", "DARTS")}
    for (row, column), sweep in ((("DARTS", "DARTS"), "ber_table3_search"),
                                 (("DARTS", "r-DARTS (ours)"), "ber_table2_search")):
        epochs = pd.read_parquet(storage / sweep / "epochs.parquet")
        peak = epochs["peak_memory_mb"].max()  # one search: its largest epoch peak
        assert peak > 0 and memory.loc[(row, column), "ours_mean"] == pytest.approx(peak)
    assert "measured on our device" in (out / "ber_table3.md").read_text()
