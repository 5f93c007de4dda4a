"""ImageNet16-120 in its original pickled-batch format (Chrabaszcz et al. 2017; NAS-Bench-201).

Files ``train_data_batch_1`` … ``train_data_batch_10`` and ``val_data``; each is a pickled dict with
``data`` (N, 768) uint8, channel-planar 3x16x16, and 1-indexed ``labels``. ImageNet16-120 keeps the
classes 1..120 (AutoDL ``ImageNet16`` with ``use_num_of_class_only=120``), mapped to 0..119.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from searchcore.data.base import DATASETS, ArrayDataset, DatasetSpec, as_array_dataset, require_files
from searchcore.data.safe_pickle import load_array_pickle

TRAIN_FILES = tuple(f"train_data_batch_{i}" for i in range(1, 11))
VAL_FILES = ("val_data",)


def _read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    entry = load_array_pickle(path)  # restricted: arrays, lists and dicts only
    try:
        data = np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 16, 16)
        labels = np.asarray(entry["labels"], dtype=np.int64)
    except (KeyError, ValueError, TypeError) as err:
        raise ValueError(f"imagenet16: {path} is not an ImageNet16 batch (dict with 'data' N x 768, 'labels')") from err
    return data, labels


def _load(root: Path, split: str) -> ArrayDataset:
    files = TRAIN_FILES if split == "train" else VAL_FILES
    require_files(DATASETS.get("imagenet16"), root, files)
    parts = [_read_batch(root / f) for f in files]
    data = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    keep = (labels >= 1) & (labels <= 120)
    return as_array_dataset("imagenet16", data[keep], labels[keep] - 1, 120)


DATASETS.register("imagenet16", DatasetSpec(
    "imagenet16", 120, 16, (122.68 / 255, 116.66 / 255, 104.01 / 255), (63.22 / 255, 61.26 / 255, 65.09 / 255),
    None, TRAIN_FILES + VAL_FILES, "ImageNet16-120: 16x16 ImageNet, first 120 classes",
    "normalisation and crop padding 2: AutoDL get_dataset_with_transform.py (reference-notes §1.2)", _load,
))
