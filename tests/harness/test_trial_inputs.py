"""harness.trial_inputs: the data roots and tables trials read, found in any trainable's config and checked (local
paths and URIs alike) before trials start; a sweep with a missing one is refused at its line, nothing written."""

from __future__ import annotations

import pytest

from harness.cli import main
from harness.trial_inputs import TrialInput, check_inputs, input_problem, required_entries, trial_inputs
from tests.helpers.fake_data import write_cifar10


def test_inputs_are_found_in_search_select_and_evaluate_configs():
    configs = [
        {"data": {"dataset": "cifar10", "root": "/d/c10"}, "nb201_table": "/t.parquet", "seed": 0},
        {"data": {"dataset": "cifar10", "root": "/d/c10"}, "nb201_table": "/t.parquet", "seed": 1},  # same inputs
        {"checkpoint": "/ck", "nb201_table": None, "search": {"data.root": "s3://b/c10"}},  # select
        {"data": {"dataset": "digits", "root": None}},  # embedded: nothing to check
        {"data": {"dataset": "fashion-mnist", "root": None}},  # its default root is checked
    ]
    assert trial_inputs(configs) == [
        TrialInput("data.root", "/d/c10", "cifar10"), TrialInput("nb201_table", "/t.parquet"),
        TrialInput("search.data.root", "s3://b/c10", None), TrialInput("data.root", None, "fashion-mnist")]


def test_required_entries_of_the_registered_data_sets():
    from searchcore.data import DATASETS

    assert [e for e, _, _ in required_entries(DATASETS.get("cifar10").expected_files)][0] == \
        "cifar-10-batches-py/data_batch_1"
    assert [e for e, _, _ in required_entries(DATASETS.get("imagenet").expected_files)] == ["train/", "val/"]
    assert required_entries(DATASETS.get("digits").expected_files) == []  # embedded
    gz = required_entries(DATASETS.get("fashion-mnist").expected_files)[0]
    assert gz[2] == ("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte")  # the loader reads either


@pytest.mark.parametrize("as_uri", [False, True])
def test_a_data_root_must_hold_its_data_set_files(tmp_path, as_uri):
    root = write_cifar10(tmp_path / "c10")
    name = (lambda p: f"file://{p}") if as_uri else str
    assert input_problem(TrialInput("data.root", name(root), "cifar10")) is None
    (root / "cifar-10-batches-py" / "test_batch").unlink()
    problem = input_problem(TrialInput("data.root", name(root), "cifar10"))
    assert problem.startswith(f"{name(root)} lacks cifar-10-batches-py/test_batch; expected files:")
    problem = input_problem(TrialInput("data.root", name(tmp_path / "nope"), "cifar10"))
    assert problem.startswith(f"{name(tmp_path / 'nope')} does not exist")
    assert input_problem(TrialInput("data.root", None, "cifar10")).startswith("not given and cifar10 has no default")
    assert input_problem(TrialInput("data.root", None, "digits")) is None


def test_tables_and_uris_fail_as_one_line(tmp_path):
    (tmp_path / "t.csv").write_text("arch\n")
    assert input_problem(TrialInput("nb201_table", f"file://{tmp_path / 't.csv'}")) is None
    assert input_problem(TrialInput("nb201_table", str(tmp_path))).startswith(f"{tmp_path} is a directory")
    assert "unknown URI scheme 'ftp://'" in input_problem(TrialInput("nb201_table", "ftp://h/t.csv"))
    host, problems = check_inputs([TrialInput("nb201_table", str(tmp_path / "no.csv")),
                                   TrialInput("search.data.root", str(tmp_path), None)])
    assert host and problems == [f"nb201_table: no file {tmp_path / 'no.csv'} (the NB201 table, parquet or the "
                                 "shared CSV: docs/nb201.md); give a path that exists on every node"]


def test_a_sweep_on_a_missing_data_uri_is_refused_at_its_line(tmp_path, capsys):
    sweep = tmp_path / "x.yaml"
    bucket = tmp_path / "bucket"
    sweep.write_text(f"name: s\ndataset: cifar10\ndata_root: file://{bucket}/cifar10\nstorage: {tmp_path}/res\n")
    assert main(["run", str(sweep)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"dartsweep run: error: {sweep}:3: data.root: file://{bucket}/cifar10 does not exist or is not "
                   "a directory; expected files: " + err.split("expected files: ", 1)[1])
    assert not (tmp_path / "res").exists()  # nothing written
    write_cifar10(bucket / "cifar10")
    assert main(["run", str(sweep), "--dry-run"]) == 0  # (a dry run checks no files; a real run would start here)
