"""``dartsweep run --smoke``: paper sweep files as they are, at micro scale on local Ray, render their artifacts with
our and the paper's columns filled (IS-DARTS and Single-DARTS Table 1, whose DARTS rows come from EM-DARTS Table 1's
search: one seed of each file, so the test stays small), and EM-DARTS' figures as images with their points (one
seed; Figure 3a at one more p_max, Figure 3b at a 3-epoch search instead of 100–400)."""

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
         "sweeps/em_darts/figure3b_search.yaml": {"epochs": [3]}}
"""Paper sweep files -> grid values replaced in the test's copies (besides seed 0 only)."""


def _one_seed(sweep_file: str, directory: Path, **grid) -> str:
    body = yaml.safe_load(Path(sweep_file).read_text(encoding="utf-8"))
    body["grid"].update(grid, seed=[0])
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
