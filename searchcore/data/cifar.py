"""CIFAR-10 / CIFAR-100 from their original python batches, SVHN through torchvision; never downloaded.

CIFAR batches are pickles: they are read with a restricted unpickler (``safe_pickle``) that rebuilds arrays
and refuses anything else, so a crafted ``data_batch_1`` cannot run code. No md5 check: tests use tiny
files in the same format, and a wrong or damaged file fails when it is parsed, naming the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from searchcore.data.base import DATASETS, ArrayDataset, DatasetSpec, as_array_dataset, require_files
from searchcore.data.safe_pickle import load_array_pickle


def _svhn(root: Path, split: str):
    """torchvision's SVHN reader (imported here: torchvision costs ~2 s to import, and every search process that
    never reads SVHN would pay it), with its md5 check replaced by an existence check."""
    from torchvision import datasets

    class _SVHN(datasets.SVHN):
        def _check_integrity(self) -> bool:
            return (Path(self.root) / self.filename).exists()

    return _SVHN(str(root), split=split, download=False)


def _read_cifar_batch(path: Path, label_key: str) -> tuple[np.ndarray, list[int]]:
    entry = load_array_pickle(path)  # restricted: arrays, lists and dicts only
    try:
        data = np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
        labels = [int(v) for v in entry[label_key]]
    except (KeyError, ValueError, TypeError) as err:
        raise ValueError(f"{path}: not a CIFAR batch (dict with 'data' N x 3072 and '{label_key}')") from err
    if len(labels) != len(data):
        raise ValueError(f"{path}: {len(data)} images but {len(labels)} labels")
    return data, labels


def _cifar_loader(name: str, folder: str, splits: dict[str, tuple[str, ...]], meta: str, label_key: str,
                  classes: int):
    """CIFAR's python batches, read with the restricted unpickler (torchvision's reader unpickles anything)."""

    def load(root: Path, split: str) -> ArrayDataset:
        require_files(DATASETS.get(name), root, [f"{folder}/{f}" for f in (*splits["train"], *splits["test"], meta)])
        parts = [_read_cifar_batch(root / folder / f, label_key) for f in splits[split]]
        labels = [label for _, batch in parts for label in batch]
        return as_array_dataset(name, np.concatenate([d for d, _ in parts]), labels, classes)

    return load


def _svhn_load(root: Path, split: str) -> ArrayDataset:
    require_files(DATASETS.get("svhn"), root, [f"{split}_32x32.mat"])
    try:
        ds = _svhn(root, split)
    except Exception as err:  # noqa: BLE001
        raise ValueError(f"svhn: could not read {root / f'{split}_32x32.mat'}: {err}") from err
    return as_array_dataset("svhn", ds.data, ds.labels, 10)


_C10_SPLITS = {"train": tuple(f"data_batch_{i}" for i in range(1, 6)), "test": ("test_batch",)}
_C10_FILES = (*_C10_SPLITS["train"], *_C10_SPLITS["test"], "batches.meta")
_C100_SPLITS = {"train": ("train",), "test": ("test",)}
_C100_FILES = ("train", "test", "meta")

DATASETS.register("cifar10", DatasetSpec(
    "cifar10", 10, 32, (0.49139968, 0.48215827, 0.44653124), (0.24703233, 0.24348505, 0.26158768), None,
    tuple(f"cifar-10-batches-py/{f}" for f in _C10_FILES), "CIFAR-10, 50k train / 10k test",
    "normalisation: DARTS utils.py (reference-notes §1.2)",
    _cifar_loader("cifar10", "cifar-10-batches-py", _C10_SPLITS, "batches.meta", "labels", 10),
))
DATASETS.register("cifar100", DatasetSpec(
    "cifar100", 100, 32, (0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762), None,
    tuple(f"cifar-100-python/{f}" for f in _C100_FILES), "CIFAR-100, 50k train / 10k test",
    "normalisation: RobustDARTS utils.py (reference-notes §1.2)",
    _cifar_loader("cifar100", "cifar-100-python", _C100_SPLITS, "meta", "fine_labels", 100),
))
DATASETS.register("svhn", DatasetSpec(
    "svhn", 10, 32, (0.4377, 0.4438, 0.4728), (0.1980, 0.2010, 0.1970), None,
    ("train_32x32.mat", "test_32x32.mat"), "SVHN cropped digits (label 10 -> 0)",
    "normalisation: RobustDARTS utils.py (reference-notes §1.2)", _svhn_load,
))
