"""NB201Table: the shared CSV's reference facts (SOURCE.md), Parquet round trip, errors, speed."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from searchcore.nb201 import COLUMNS, QUERY_KEYS, ArchNotFoundError, NB201Table, default_table_path

REPO = Path(__file__).resolve().parents[3]
ALL_SKIP = "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"
BEST_9930 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def shared_csv_path() -> Path:
    """``$DARTSWEEP_NB201_CSV`` or ``<repo>/../shared/data/nb201/nb201_200ep.csv``; skip if absent."""
    env = os.environ.get("DARTSWEEP_NB201_CSV")
    path = Path(env) if env else REPO.parent / "shared" / "data" / "nb201" / "nb201_200ep.csv"
    if not path.is_file():
        pytest.skip(f"shared NB201 CSV not found at {path} (set DARTSWEEP_NB201_CSV)")
    return path


@pytest.fixture(scope="module")
def table() -> NB201Table:
    return NB201Table.load(shared_csv_path())


def small_frame() -> pd.DataFrame:
    """Three rows with a gap (NaN) in each value column; independent of the shared data."""
    return pd.DataFrame({
        "index": [0, 1, 2],
        "arch": [ALL_SKIP, BEST_9930, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"],
        **{c: [1.5, float("nan"), 3.25] for c in COLUMNS[2:]},
    })


# ---------------------------------------------------------------- reference facts (shared CSV)

def test_all_skip_arch(table: NB201Table) -> None:
    row = table.query(ALL_SKIP)
    assert row["index"] == 1835
    assert round(row["cifar10_valid"], 2) == 39.77
    assert round(row["cifar10_test"], 2) == 54.30
    assert row["cifar100_valid"] is None and row["imagenet16_valid"] is None  # not in the top-1% files


def test_index_9930(table: NB201Table) -> None:
    row = table.query(9930)
    assert row["arch"] == BEST_9930
    got = [round(row[k], 2) for k in QUERY_KEYS[2:8]]
    assert got == [91.55, 94.36, 73.49, 73.51, 46.37, 46.34]
    assert tuple(row) == QUERY_KEYS


@pytest.mark.parametrize("key", [9930, "9930", " 9930 ", BEST_9930, f"  {BEST_9930}\n"])
def test_query_forms_agree(table: NB201Table, key: str | int) -> None:
    assert table.query(key) == table.query(9930)


def test_lookup_is_exact_and_fast_path(table: NB201Table) -> None:
    assert table.lookup(BEST_9930) == table.query(9930)
    assert table.lookup("not an arch") is None
    table.lookup(BEST_9930)["cifar10_test"] = 0.0  # callers get a copy
    assert table.lookup(BEST_9930)["cifar10_test"] > 94


def test_csv_provenance(table: NB201Table) -> None:
    assert len(table) == 15625
    assert set(table.provenance) == set(COLUMNS)
    assert "cifar10_valid_xvalid" in table.provenance["cifar10_valid"]
    assert "x-valid" in table.provenance["cifar10_valid"]
    assert "top ~1%" in table.provenance["cifar100_valid"]
    assert "v1.0" in table.provenance["cifar100_test"]
    assert table.provenance["flops_m"].startswith("missing")
    assert table.to_frame()["flops_m"].isna().all()


def test_load_15625_rows_under_2s(table: NB201Table) -> None:
    start = time.perf_counter()
    NB201Table.load(shared_csv_path())
    assert time.perf_counter() - start < 2.0


def test_csv_to_parquet_round_trip(table: NB201Table, tmp_path: Path) -> None:
    out = tmp_path / "nb201.parquet"
    table.save_parquet(out)
    back = NB201Table.load(out)
    pd.testing.assert_frame_equal(back.to_frame(), table.to_frame())
    assert back.provenance == table.provenance
    assert back.source == table.source
    assert back.query(ALL_SKIP) == table.query(ALL_SKIP)
    start = time.perf_counter()
    NB201Table.load(out)
    assert time.perf_counter() - start < 2.0


# ---------------------------------------------------------------- independent of the shared data

def test_small_round_trip_keeps_nulls(tmp_path: Path) -> None:
    prov = {c: f"field of {c}" for c in COLUMNS}
    t = NB201Table(small_frame(), prov, source="unit")
    out = tmp_path / "sub" / "t.parquet"
    t.save_parquet(out)
    t.save_parquet(out)  # overwrite in place
    assert sorted(p.name for p in out.parent.iterdir()) == ["t.parquet"]  # no temp files left
    back = NB201Table.load(out)
    assert back.provenance == prov and back.source == "unit"
    assert back.query(1)["cifar10_valid"] is None
    assert back.query(2)["params_m"] == 3.25
    assert math.isnan(back.to_frame()["flops_m"][1])


@pytest.mark.parametrize("bad", [
    "|skip_connect~0|",  # 1 node
    "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|",  # unknown op
    "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|",  # edge into node 1 from node 1
    "|none~0|+|none~0|+|none~0|none~1|none~2|",  # node 2 with one input
    "",
])
def test_malformed_arch_raises_value_error(bad: str) -> None:
    t = NB201Table(small_frame(), {})
    with pytest.raises(ValueError):
        t.query(bad)


@pytest.mark.parametrize("bad", [-1, 3, 15625, "15625", "-1"])
def test_bad_index_raises_key_error(bad: int | str) -> None:
    t = NB201Table(small_frame(), {})
    with pytest.raises(KeyError, match="not in the table"):
        t.query(bad)


def test_well_formed_but_absent_arch() -> None:
    t = NB201Table(small_frame(), {})
    absent = "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|"
    with pytest.raises(ArchNotFoundError, match="well formed but not in the table"):
        t.query(absent)
    with pytest.raises(TypeError):
        t.query(True)


def test_rejects_bad_frames(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lacks columns"):
        NB201Table(small_frame().drop(columns=["params_m"]), {})
    dup = pd.concat([small_frame(), small_frame().iloc[:1]])
    with pytest.raises(ValueError, match="duplicate"):
        NB201Table(dup, {})
    with pytest.raises(FileNotFoundError):
        NB201Table.load(tmp_path / "missing.parquet")


def test_compact_csv_layout(tmp_path: Path) -> None:
    path = tmp_path / "compact.csv"
    small_frame().to_csv(path, index=False)
    t = NB201Table.load(path)
    assert t.query(0)["cifar10_valid"] == 1.5 and "not recorded" in t.provenance["arch"]


def test_default_table_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DARTSWEEP_NB201_TABLE", raising=False)
    assert default_table_path() is None
    monkeypatch.setenv("DARTSWEEP_NB201_TABLE", "/x/t.parquet")
    assert default_table_path() == Path("/x/t.parquet")
