"""The embedded default data set: scikit-learn's bundled handwritten digits at 3x32x32.

1,797 real 8x8 images (UCI optical digits) ship inside the scikit-learn wheel, so a search runs with
no download and no data root. Pixels (0..16) are scaled to 0..255, bilinearly resized to 32x32 and
replicated to 3 channels, so every supernet runs on them unchanged. A fixed permutation (seed 0) puts
one sixth (300 images) in the test split.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from searchcore.data.base import DATASETS, ArrayDataset, DatasetSpec

TEST_SIZE = 300

# Per-channel mean/std of the training split, in [0, 1] units: `digits_statistics()` rounded to 4 places
# (the three channels are equal by construction).
MEAN = (0.3048, 0.3048, 0.3048)
STD = (0.3233, 0.3233, 0.3233)


def _all_images() -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.tensor(digits.images, dtype=torch.float32)[:, None] * (255.0 / 16.0)  # (N, 1, 8, 8)
    x = torch.nn.functional.interpolate(x, size=(32, 32), mode="bilinear", align_corners=False)
    x = x.round().clamp(0, 255).to(torch.uint8).repeat(1, 3, 1, 1).contiguous()
    return x, torch.as_tensor(digits.target, dtype=torch.int64)


def _load(root: Path, split: str) -> ArrayDataset:
    images, labels = _all_images()
    order = torch.as_tensor(np.random.default_rng(0).permutation(len(labels)))
    rows = order[TEST_SIZE:] if split == "train" else order[:TEST_SIZE]
    rows = rows.sort().values
    return ArrayDataset("digits", images[rows].contiguous(), labels[rows], 10)


def digits_statistics() -> tuple[float, float]:
    x = _load(Path("."), "train").images.float() / 255.0
    return float(x.mean()), float(x.std())


DATASETS.register("digits", DatasetSpec(
    "digits", 10, 32, MEAN, STD, "embedded", ("(inside scikit-learn: sklearn/datasets/data/digits.csv.gz)",),
    "scikit-learn handwritten digits, 1,497 train / 300 test, resized to 3x32x32 (embedded default)",
    "sklearn.datasets.load_digits (UCI ML optical recognition of handwritten digits)", _load,
))
