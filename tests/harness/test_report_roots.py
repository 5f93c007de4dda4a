"""``dartsweep report`` on results roots given as URIs (read in place through pyarrow.fs; ``file://`` here, the
same code path as ``s3://`` and ``gs://``), and the one-line errors of roots that cannot be opened."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main


def _table3_searches(root: Path) -> None:
    """What EM-DARTS Table 5 reads: the resolved p_max of the Table 3 searches (hand-made: this tests the path)."""
    rows = [{"trial_id": f"t{i}", "status": "TERMINATED", "space": s, "dataset": d, "method.mutation.p_max": p}
            for i, (s, d, p) in enumerate([("s1", "cifar10", 0.3), ("s2", "cifar10", 0.25), ("s1", "svhn", 0.4)])]
    (root / "em_darts_table3_search").mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(root / "em_darts_table3_search" / "trials.parquet")


def test_a_uri_root_is_read_in_place_and_reported_locally(tmp_path, capsys, monkeypatch):
    _table3_searches(tmp_path / "res")
    monkeypatch.chdir(tmp_path)
    assert main(["report", f"file://{tmp_path / 'res'}", "--paper", "em_darts"]) == 0
    printed = capsys.readouterr().out
    assert "rendered em_darts Table 5 ->" in printed and "missing em_darts Table 1" in printed
    csv = pd.read_csv(tmp_path / "report" / "em_darts_table5.csv")  # ./report: a URI root is not written to
    assert set(csv.dropna(subset=["ours_mean"])["ours_mean"]) == {0.3, 0.25, 0.4}
    assert f"--storage file://{tmp_path / 'res'}" in (tmp_path / "report" / "index.md").read_text()


@pytest.mark.parametrize(("root", "needle"), [
    ("foo://bucket/results", "cannot open this results root (Unrecognized filesystem type"),
    ("/no/such/results", "no such results root"),
])
def test_roots_that_cannot_be_opened_are_one_line_errors(root, needle, capsys):
    assert main(["report", root]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1, err
