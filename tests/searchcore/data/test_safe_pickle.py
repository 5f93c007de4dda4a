"""The restricted unpickler of the CIFAR / ImageNet16 batch files: arrays load, code never runs."""

import pickle

import numpy as np
import pytest

from searchcore.data import load_dataset
from searchcore.data.safe_pickle import UnsafePickleError, load_array_pickle
from tests.helpers.fake_data import write_cifar10


class _RunsCode:
    def __reduce__(self):
        return (exec, ("open('PWNED', 'w').write('ran')",))


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_arrays_lists_and_dicts_load_at_every_protocol(tmp_path, protocol):
    entry = {"data": np.arange(12, dtype=np.uint8).reshape(2, 6), "labels": [1, 2], "batch_label": b"x"}
    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps(entry, protocol=protocol))
    out = load_array_pickle(path)
    assert np.array_equal(out["data"], entry["data"]) and out["labels"] == [1, 2]


def test_a_crafted_batch_is_refused_and_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "data"
    write_cifar10(root)
    (root / "cifar-10-batches-py" / "data_batch_1").write_bytes(pickle.dumps({"data": _RunsCode(), "labels": []}))
    with pytest.raises(UnsafePickleError, match=r"data_batch_1: refused global builtins\.exec"):
        load_dataset("cifar10", str(root), "train")
    assert not (tmp_path / "PWNED").exists()


def test_a_truncated_batch_fails_with_the_file_name(tmp_path):
    path = tmp_path / "test_batch"
    path.write_bytes(pickle.dumps({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 1]})[:40])
    with pytest.raises(ValueError, match="test_batch: not a readable batch file"):
        load_array_pickle(path)
