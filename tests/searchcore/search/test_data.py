"""The search data splits: the weight/α halves and IS-DARTS' whole-training-set split."""

import numpy as np
import torch

from searchcore.config import DataConfig
from searchcore.search.data import build_search_data, resize_images


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


def test_resolution_resizes_the_images_once_and_scales_the_crop_padding():
    """``data.resolution`` (a CPU-scale knob, docs/collapse.md): the same images, the same split, at R x R; the
    random-crop padding scales with the size (4 px at 32 -> 2 at 16), and a constant image stays that constant."""
    native, small = _data(), _data(resolution=16)
    assert native.images.shape[-2:] == (32, 32) and small.images.shape[-2:] == (16, 16)
    assert small.images.dtype == torch.uint8 and (native.crop_padding, small.crop_padding) == (4, 2)
    assert np.array_equal(native.split_indices("val"), small.split_indices("val"))
    assert torch.equal(native.labels, small.labels)
    means = native.images.float().mean((1, 2, 3)), small.images.float().mean((1, 2, 3))
    assert (means[0] - means[1]).abs().max() < 1.5  # a low-pass filter keeps each image's mean brightness
    assert not torch.equal(small.images, native.images[..., ::2, ::2])  # antialiased, not subsampled
    x, _ = next(small.batches("train", seed=0, epoch=0))
    assert x.shape[-2:] == (16, 16)
    flat = resize_images(torch.full((1, 3, 32, 32), 77, dtype=torch.uint8), 8)
    assert flat.shape == (1, 3, 8, 8) and (flat == 77).all()
    assert _data(resolution=32).images.shape[-1] == 32  # the native size: untouched
