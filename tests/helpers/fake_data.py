"""Tiny files in each dataset's real on-disk format, so every loader is exercised without downloads."""

from __future__ import annotations

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _pickle(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        pickle.dump(obj, fh)


def write_cifar10(root: Path, n_per_batch: int = 4) -> Path:
    folder = Path(root) / "cifar-10-batches-py"
    rng = _rng()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        _pickle(folder / name, {"data": rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8),
                                "labels": list(rng.integers(0, 10, n_per_batch))})
    _pickle(folder / "batches.meta", {"label_names": [f"class{i}" for i in range(10)]})
    return Path(root)


def write_cifar100(root: Path, n: int = 8) -> Path:
    folder = Path(root) / "cifar-100-python"
    rng = _rng(1)
    for name in ("train", "test"):
        _pickle(folder / name, {"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                                "fine_labels": list(rng.integers(0, 100, n))})
    _pickle(folder / "meta", {"fine_label_names": [f"c{i}" for i in range(100)]})
    return Path(root)


def write_svhn(root: Path, n: int = 8) -> Path:
    from scipy.io import savemat

    rng = _rng(2)
    Path(root).mkdir(parents=True, exist_ok=True)
    for split in ("train", "test"):
        y = rng.integers(1, 11, (n, 1))
        y[0, 0] = 10  # SVHN writes digit 0 as label 10
        savemat(Path(root) / f"{split}_32x32.mat", {"X": rng.integers(0, 256, (32, 32, 3, n), dtype=np.uint8), "y": y})
    return Path(root)


def write_imagenet16(root: Path, n_per_batch: int = 4) -> Path:
    rng = _rng(3)
    for name in [f"train_data_batch_{i}" for i in range(1, 11)] + ["val_data"]:
        labels = list(rng.integers(1, 121, n_per_batch))
        labels[-1] = 500  # a class outside ImageNet16-120
        _pickle(Path(root) / name, {"data": rng.integers(0, 256, (n_per_batch, 768), dtype=np.uint8),
                                    "labels": labels})
    return Path(root)


def write_imagenet_folder(root: Path, classes: int = 2, per_class: int = 2) -> Path:
    from PIL import Image

    rng = _rng(4)
    for split in ("train", "val"):
        for c in range(classes):
            folder = Path(root) / split / f"n{c:08d}"
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(per_class):
                Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(folder / f"img{i}.JPEG", "JPEG")
    return Path(root)


def _idx(data: np.ndarray, magic: int) -> bytes:
    header = struct.pack(">I", magic)
    header = header[:3] + bytes([data.ndim])
    return header + b"".join(struct.pack(">I", d) for d in data.shape) + data.astype(np.uint8).tobytes()


def write_fashion_mnist(root: Path, n: int = 8, gz: bool = True) -> Path:
    rng = _rng(5)
    Path(root).mkdir(parents=True, exist_ok=True)
    for prefix in ("train", "t10k"):
        images = _idx(rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), 2051)
        labels = _idx(rng.integers(0, 10, (n,), dtype=np.uint8), 2049)
        for name, raw in ((f"{prefix}-images-idx3-ubyte", images), (f"{prefix}-labels-idx1-ubyte", labels)):
            if gz:
                with gzip.open(Path(root) / f"{name}.gz", "wb") as fh:
                    fh.write(raw)
            else:
                (Path(root) / name).write_bytes(raw)
    return Path(root)
