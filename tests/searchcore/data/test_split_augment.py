import numpy as np
import pytest
import torch

from searchcore.data import augment_batch, normalize_batch, search_split


def test_seeded_split_is_reproducible_disjoint_and_complete():
    a_train, a_val = search_split(101, 0.5, seed=3)
    b_train, b_val = search_split(101, 0.5, seed=3)
    assert np.array_equal(a_train, b_train) and np.array_equal(a_val, b_val)
    assert len(a_train) == 50 and len(a_val) == 51
    assert set(a_train).isdisjoint(a_val) and set(a_train) | set(a_val) == set(range(101))
    assert not np.array_equal(search_split(101, 0.5, seed=4)[0], a_train)


def test_ordered_split_is_the_reference_halves():
    train, val = search_split(50_000, 0.5, mode="ordered")
    assert np.array_equal(train, np.arange(25_000)) and np.array_equal(val, np.arange(25_000, 50_000))
    with pytest.raises(ValueError, match="allowed: seeded, ordered"):
        search_split(10, mode="halves")


MEAN, STD = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)


def test_no_crop_no_flip_equals_normalisation():
    x = torch.randint(0, 256, (4, 3, 8, 8), dtype=torch.uint8)
    out = augment_batch(x, torch.Generator().manual_seed(0), MEAN, STD, crop_padding=0, flip=False)
    assert torch.allclose(out, (x.float() / 255 - 0.5) / 0.25)
    assert torch.allclose(normalize_batch(x, MEAN, STD), out)


def test_flip_and_crop_move_pixels_as_expected():
    x = torch.zeros(64, 3, 8, 8, dtype=torch.uint8)
    x[:, :, 0, 0] = 255  # one bright corner pixel
    out = augment_batch(x, torch.Generator().manual_seed(1), (0, 0, 0), (1, 1, 1), crop_padding=0, flip=True)
    left, right = out[:, 0, 0, 0] == 1, out[:, 0, 0, 7] == 1
    assert torch.all(left ^ right) and 10 < int(right.sum()) < 54  # each image flipped or not, both happen
    cropped = augment_batch(x, torch.Generator().manual_seed(2), (0, 0, 0), (1, 1, 1), crop_padding=2, flip=False)
    assert cropped.shape == x.shape and torch.all(cropped.sum(dim=(1, 2, 3)) <= 3)  # at most the one pixel


def test_augmentation_is_deterministic_given_the_generator():
    x = torch.randint(0, 256, (8, 3, 32, 32), dtype=torch.uint8)
    a = augment_batch(x, torch.Generator().manual_seed(7), MEAN, STD, cutout=16)
    b = augment_batch(x, torch.Generator().manual_seed(7), MEAN, STD, cutout=16)
    assert torch.equal(a, b)


def test_cutout_zeroes_a_full_square_when_inside():
    x = torch.full((200, 3, 32, 32), 255, dtype=torch.uint8)
    out = augment_batch(x, torch.Generator().manual_seed(3), (0, 0, 0), (1, 1, 1), crop_padding=0, flip=False,
                        cutout=8)
    zeros = (out[:, 0] == 0).sum(dim=(1, 2))
    assert int(zeros.max()) == 64 and int(zeros.min()) >= 16  # 8x8 inside, at least a 4x4 corner when clipped
