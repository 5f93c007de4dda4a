"""CIFAR-10 / CIFAR-100 and SVHN through torchvision, from their original files, never downloaded.

torchvision verifies each file's md5 against the official release; the checks below accept any file
that exists instead, so that tests can use tiny files in the same format (and a wrong or damaged
file fails when it is parsed, naming the file).
"""

from __future__ import annotations

from pathlib import Path

from torchvision import datasets

from searchcore.data.base import DATASETS, ArrayDataset, DatasetSpec, as_array_dataset, require_files


class _CIFAR10(datasets.CIFAR10):
    def _check_integrity(self) -> bool:
        return all((Path(self.root) / self.base_folder / name).exists() for name, _ in self.train_list + self.test_list)

    def _load_meta(self) -> None:
        try:
            super()._load_meta()
        except RuntimeError:  # md5 mismatch only: the file exists (checked above)
            import pickle

            with open(Path(self.root) / self.base_folder / self.meta["filename"], "rb") as fh:
                data = pickle.load(fh, encoding="latin1")  # CIFAR's own format is a pickle; the user's file
            self.classes = data[self.meta["key"]]
            self.class_to_idx = {c: i for i, c in enumerate(self.classes)}


class _CIFAR100(_CIFAR10, datasets.CIFAR100):
    base_folder = datasets.CIFAR100.base_folder
    train_list = datasets.CIFAR100.train_list
    test_list = datasets.CIFAR100.test_list
    meta = datasets.CIFAR100.meta


class _SVHN(datasets.SVHN):
    def _check_integrity(self) -> bool:
        return (Path(self.root) / self.filename).exists()


def _cifar_loader(name: str, cls: type, folder: str, files: tuple[str, ...], classes: int):
    def load(root: Path, split: str) -> ArrayDataset:
        require_files(DATASETS.get(name), root, [f"{folder}/{f}" for f in files])
        try:
            ds = cls(str(root), train=(split == "train"), download=False)
        except Exception as err:  # noqa: BLE001 - re-raised with the file context
            raise ValueError(f"{name}: could not read the batches under {root / folder}: {err}") from err
        return as_array_dataset(name, ds.data, ds.targets, classes)

    return load


def _svhn_load(root: Path, split: str) -> ArrayDataset:
    require_files(DATASETS.get("svhn"), root, [f"{split}_32x32.mat"])
    try:
        ds = _SVHN(str(root), split=split, download=False)
    except Exception as err:  # noqa: BLE001
        raise ValueError(f"svhn: could not read {root / f'{split}_32x32.mat'}: {err}") from err
    return as_array_dataset("svhn", ds.data, ds.labels, 10)


_C10_FILES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch",
              "batches.meta")
_C100_FILES = ("train", "test", "meta")

DATASETS.register("cifar10", DatasetSpec(
    "cifar10", 10, 32, (0.49139968, 0.48215827, 0.44653124), (0.24703233, 0.24348505, 0.26158768), None,
    tuple(f"cifar-10-batches-py/{f}" for f in _C10_FILES), "CIFAR-10, 50k train / 10k test",
    "normalisation: DARTS utils.py (reference-notes §1.2)",
    _cifar_loader("cifar10", _CIFAR10, "cifar-10-batches-py", _C10_FILES, 10),
))
DATASETS.register("cifar100", DatasetSpec(
    "cifar100", 100, 32, (0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762), None,
    tuple(f"cifar-100-python/{f}" for f in _C100_FILES), "CIFAR-100, 50k train / 10k test",
    "normalisation: RobustDARTS utils.py (reference-notes §1.2)",
    _cifar_loader("cifar100", _CIFAR100, "cifar-100-python", _C100_FILES, 100),
))
DATASETS.register("svhn", DatasetSpec(
    "svhn", 10, 32, (0.4377, 0.4438, 0.4728), (0.1980, 0.2010, 0.1970), None,
    ("train_32x32.mat", "test_32x32.mat"), "SVHN cropped digits (label 10 -> 0)",
    "normalisation: RobustDARTS utils.py (reference-notes §1.2)", _svhn_load,
))
