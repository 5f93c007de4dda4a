"""harness.storage: atomic whole-file writes, local paths vs URIs, and the shared-storage rule."""

from __future__ import annotations

import os

import pytest

from harness.errors import CliError
from harness.storage import absolute, check_shared_storage, exists, join, list_dirs, read_text, write_text


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = str(tmp_path / "a" / "b.txt")
    write_text(target, "one")
    write_text(target, "two")
    assert open(target).read() == "two" and os.listdir(tmp_path / "a") == ["b.txt"]


def test_missing_files_read_as_none_and_list_as_nothing(tmp_path):
    assert read_text(str(tmp_path / "nope.json")) is None and not exists(str(tmp_path / "nope.json"))
    assert list_dirs(str(tmp_path / "nowhere")) == []
    (tmp_path / "d").mkdir()
    (tmp_path / "f.txt").write_text("x")
    assert list_dirs(str(tmp_path)) == ["d"]


def test_uris_join_with_slashes_and_stay_as_given():
    assert join("s3://bucket/root/", "s", "t000") == "s3://bucket/root/s/t000"
    assert absolute("s3://bucket/x") == "s3://bucket/x" and absolute(3) == 3
    assert os.path.isabs(absolute("results"))


@pytest.mark.parametrize("storage,nodes,shared,ok", [
    ("/home/me/results", 1, False, True),
    ("/home/me/results", 3, False, False),
    ("/mnt/nfs/results", 3, True, True),
    ("s3://bucket/dartsweep", 3, False, True),
    ("gs://bucket/dartsweep", 2, False, True),
])
def test_multi_node_clusters_need_shared_storage(storage, nodes, shared, ok):
    if ok:
        check_shared_storage(storage, nodes, shared)
        return
    with pytest.raises(CliError, match=rf"{nodes} nodes but storage '{storage}' is a local path.*storage_shared"):
        check_shared_storage(storage, nodes, shared)
