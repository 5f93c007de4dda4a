"""harness.staging: input URIs copied once per node into a checked cache, through a local fake object store
(``file://`` URIs go through the same pyarrow code as ``s3://`` and ``gs://``)."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from harness import staging
from harness.staging import StagingError, stage, stage_config, staged
from tests.helpers.fake_data import write_cifar10


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A fake bucket: a CIFAR-10 root and an NB-201 table file."""
    write_cifar10(tmp_path / "bucket" / "cifar10")
    (tmp_path / "bucket" / "nb201.parquet").write_bytes(b"PAR1 not really")
    return tmp_path / "bucket"


def uri(path: Path) -> str:
    return f"file://{path}"


def test_a_directory_is_copied_with_a_manifest_of_sizes_and_sha256(store, tmp_path):
    local = Path(stage(uri(store / "cifar10"), tmp_path / "cache"))
    assert local.parent.parent == tmp_path / "cache" and local.name == "data"
    for f in (store / "cifar10").rglob("*"):
        if f.is_file():
            assert (local / f.relative_to(store / "cifar10")).read_bytes() == f.read_bytes()
    manifest = json.loads((local.parent / "manifest.json").read_text())
    assert manifest["uri"] == uri(store / "cifar10") and manifest["kind"] == "dir"
    entry = manifest["files"]["cifar-10-batches-py/data_batch_1"]
    assert entry["size"] == (store / "cifar10/cifar-10-batches-py/data_batch_1").stat().st_size
    assert len(entry["sha256"]) == 64


def test_a_file_keeps_its_name_and_is_fetched_once(store, tmp_path, monkeypatch):
    copies = []
    real = staging._copy
    monkeypatch.setattr(staging, "_copy", lambda *a: copies.append(a[2].rel) or real(*a))
    first = stage(uri(store / "nb201.parquet"), tmp_path / "cache")
    assert Path(first).name == "nb201.parquet" and Path(first).read_bytes() == b"PAR1 not really"
    assert stage(uri(store / "nb201.parquet"), tmp_path / "cache") == first
    assert copies == ["nb201.parquet"]


def test_a_changed_remote_is_fetched_again(store, tmp_path):
    cache = tmp_path / "cache"
    first = stage(uri(store / "nb201.parquet"), cache)
    (store / "nb201.parquet").write_bytes(b"PAR1 a newer table")
    second = stage(uri(store / "nb201.parquet"), cache)
    assert second != first and Path(second).read_bytes() == b"PAR1 a newer table"
    assert Path(first).read_bytes() == b"PAR1 not really"  # a trial still reading the old copy keeps it


def test_a_damaged_copy_is_fetched_again(store, tmp_path):
    local = Path(stage(uri(store / "cifar10"), tmp_path / "cache"))
    victim = local / "cifar-10-batches-py" / "test_batch"
    victim.write_bytes(b"x" * victim.stat().st_size)  # same size, other bytes: only the sha256 tells
    assert stage(uri(store / "cifar10"), tmp_path / "cache") == str(local)
    assert victim.read_bytes() == (store / "cifar10/cifar-10-batches-py/test_batch").read_bytes()
    victim.unlink()
    stage(uri(store / "cifar10"), tmp_path / "cache")
    assert victim.exists()


def test_missing_uris_and_bad_schemes_are_one_line_errors(store, tmp_path):
    with pytest.raises(StagingError, match=r"file://.*/nope: not found"):
        stage(uri(store / "nope"), tmp_path / "cache")
    with pytest.raises(StagingError, match="unknown URI scheme 'ftp://'"):
        stage("ftp://host/x", tmp_path / "cache")
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def _stage_in_child(args: tuple[str, str, str]) -> str:
    remote, cache, log = args
    real = staging._copy

    def counting(*a):
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()} {a[2].rel}\n")
        return real(*a)

    staging._copy = counting
    return stage(remote, Path(cache))


def test_trials_staging_at_once_on_one_node_fetch_once(store, tmp_path):
    log = tmp_path / "copies.log"
    args = (uri(store / "cifar10"), str(tmp_path / "cache"), str(log))
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        paths = pool.map(_stage_in_child, [args] * 4)
    assert len(set(paths)) == 1
    copied = log.read_text().splitlines()
    assert len(copied) == 7 and len({line.split()[0] for line in copied}) == 1  # 7 files, by one process
    assert not list((tmp_path / "cache").glob(".tmp-*"))


def test_configs_get_local_paths_for_uris_only(store, tmp_path, monkeypatch):
    monkeypatch.setenv("DARTSWEEP_CACHE", str(tmp_path / "cache"))
    config = {"data": {"dataset": "cifar10", "root": uri(store / "cifar10")}, "nb201_table": "/local/table.csv",
              "search": {"data.root": uri(store / "cifar10")}, "seed": 0}
    local = stage_config(config)
    assert local["data"]["root"].startswith(str(tmp_path / "cache")) and local["data"]["dataset"] == "cifar10"
    assert local["search"]["data.root"] == local["data"]["root"] and local["nb201_table"] == "/local/table.csv"
    assert config["data"]["root"] == uri(store / "cifar10")  # the trial's own config (config.json) keeps the URI
    seen = {}

    def trainable(cfg, reporter, **kw):
        seen.update(cfg=cfg, reporter=reporter, **kw)
        return {"ok": 1}

    assert staged(trainable)(config, "rep", ranks="r") == {"ok": 1}
    assert seen["cfg"]["data"]["root"] == local["data"]["root"] and seen["ranks"] == "r"
