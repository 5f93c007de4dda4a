"""``dartsweep nb201 query`` on the shared CSV and on a Parquet table: one JSON object, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from searchcore.nb201 import QUERY_KEYS, NB201Table
from tests.searchcore.nb201.test_table import ALL_SKIP, BEST_9930, shared_csv_path


def query(capsys, *argv: str) -> dict:
    assert main(["nb201", "query", *argv]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)


def test_query_all_skip(capsys) -> None:
    row = query(capsys, ALL_SKIP, "--table", str(shared_csv_path()))
    assert tuple(row) == QUERY_KEYS
    assert round(row["cifar10_valid"], 2) == 39.77 and round(row["cifar10_test"], 2) == 54.30
    assert row["cifar100_valid"] is None  # NaN is printed as null


def test_query_index_9930_from_env(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DARTSWEEP_NB201_TABLE", str(shared_csv_path()))
    row = query(capsys, "9930")
    assert row["arch"] == BEST_9930
    got = [round(row[k], 2) for k in QUERY_KEYS[2:8]]
    assert got == [91.55, 94.36, 73.49, 73.51, 46.37, 46.34]


def test_query_parquet_table(capsys, tmp_path: Path) -> None:
    out = tmp_path / "nb201.parquet"
    NB201Table.load(shared_csv_path()).save_parquet(out)
    from_csv = query(capsys, BEST_9930, "--table", str(shared_csv_path()))
    assert query(capsys, "9930", "--table", str(out)) == from_csv


@pytest.mark.parametrize("key, message", [
    ("15625", "not in the table"),
    ("|skip_connect~0|+|skip_connect~0|", "not an NB201 arch string"),
    ("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "bad edge"),
])
def test_query_errors(capsys, key: str, message: str) -> None:
    assert main(["nb201", "query", key, "--table", str(shared_csv_path())]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("dartsweep nb201: error:")


def test_query_needs_a_table(capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DARTSWEEP_NB201_TABLE", raising=False)
    assert main(["nb201", "query", "0"]) == 2
    assert "pass --table" in capsys.readouterr().err
    assert main(["nb201", "query", "0", "--table", str(tmp_path / "missing.parquet")]) == 2
    assert "not found" in capsys.readouterr().err
