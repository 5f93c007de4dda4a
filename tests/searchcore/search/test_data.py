"""The search data splits: the weight/α halves and IS-DARTS' whole-training-set split."""

import numpy as np
import torch

from searchcore.config import DataConfig
from searchcore.search.data import build_search_data


def _data(**over):
    cfg = DataConfig(dataset="digits", batch_size=16, limit_train_images=100, **over)
    return build_search_data(cfg, seed=0, device=torch.device("cpu"))


def test_train_and_val_halves_partition_the_images():
    data = _data()
    train, val = data.split_indices("train"), data.split_indices("val")
    assert len(np.intersect1d(train, val)) == 0
    assert sorted(np.concatenate([train, val]).tolist()) == list(range(100))


def test_full_split_is_one_pass_over_every_image_exactly_once():
    """IS-DARTS (002_… Eq. 17) trains on train+val: one pass per epoch, each image once. The α half used
    to be appended a second time (1.5 passes per epoch, the α half seen twice)."""
    data = _data(use_full_train=True)
    data.labels = torch.arange(len(data.labels))  # each row's label is its row number: batches show rows
    rows = torch.cat([y for _, y in data.batches("full", seed=0, epoch=0, augment=False, shuffle=True)])
    assert sorted(rows.tolist()) == list(range(100))
    assert data.num_batches("full") == 7  # 100 images / 16 = 6 full batches + a last one of 4


def test_use_full_train_keeps_the_alpha_half_out_of_the_train_split():
    data = _data(use_full_train=True)
    assert len(np.intersect1d(data.split_indices("train"), data.split_indices("val"))) == 0
