from pathlib import Path

import numpy as np
import pytest
import torch

from searchcore.data import DATASETS, DataRootError, load_dataset, load_imagenet_folder
from searchcore.data.digits import digits_statistics
from searchcore.data.fashion import fashion_statistics
from searchcore.registry import UnknownNameError
from tests.helpers import fake_data

FASHION_ROOT = Path("/usr/share/datasets/fashion-mnist")


def _check(ds, n, classes, size=32):
    assert ds.images.dtype == torch.uint8 and ds.images.shape == (n, 3, size, size)
    assert ds.labels.dtype == torch.int64 and len(ds.labels) == n
    assert int(ds.labels.min()) >= 0 and int(ds.labels.max()) < classes


def test_cifar10_reads_its_python_batches(tmp_path):
    fake_data.write_cifar10(tmp_path, n_per_batch=4)
    _check(load_dataset("cifar10", tmp_path, "train"), 20, 10)
    _check(load_dataset("cifar10", tmp_path, "test"), 4, 10)


def test_cifar100_and_svhn(tmp_path):
    fake_data.write_cifar100(tmp_path / "c100", n=8)
    _check(load_dataset("cifar100", tmp_path / "c100", "train"), 8, 100)
    fake_data.write_svhn(tmp_path / "svhn", n=8)
    svhn = load_dataset("svhn", tmp_path / "svhn", "train")
    _check(svhn, 8, 10)
    assert int(svhn.labels[0]) == 0  # SVHN's label 10 is the digit 0


def test_imagenet16_keeps_the_first_120_classes(tmp_path):
    fake_data.write_imagenet16(tmp_path, n_per_batch=4)
    train = load_dataset("imagenet16", tmp_path, "train")
    _check(train, 30, 120, size=16)  # 10 batches x 3 images with labels <= 120
    _check(load_dataset("imagenet16", tmp_path, "test"), 3, 120, size=16)


def test_imagenet_folder(tmp_path):
    fake_data.write_imagenet_folder(tmp_path)
    ds = load_imagenet_folder(tmp_path, "train")
    assert len(ds) == 4 and ds[0][0].shape == (3, 224, 224)
    with pytest.raises(DataRootError, match="class folders"):
        load_imagenet_folder(tmp_path / "nope", "val")


@pytest.mark.parametrize("gz", [True, False])
def test_fashion_mnist_idx_files(tmp_path, gz):
    fake_data.write_fashion_mnist(tmp_path, n=8, gz=gz)
    ds = load_dataset("fashion-mnist", tmp_path, "test")
    _check(ds, 8, 10)
    assert not ds.images[:, :, :2].any()  # zero padding 28 -> 32


def test_malformed_idx_file_names_the_file(tmp_path):
    fake_data.write_fashion_mnist(tmp_path, n=8, gz=False)
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x03garbage")
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte is not an IDX file"):
        load_dataset("fashion-mnist", tmp_path, "test")


@pytest.mark.skipif(not FASHION_ROOT.exists(), reason="Debian's dataset-fashion-mnist is not installed")
def test_real_fashion_mnist_from_the_debian_package():
    train, test = load_dataset("fashion-mnist", None, "train"), load_dataset("fashion-mnist", None, "test")
    assert len(train) + len(test) == 70_000
    assert torch.bincount(test.labels).tolist() == [1000] * 10
    mean, std = fashion_statistics()
    assert np.allclose(DATASETS.get("fashion-mnist").mean[0], mean, atol=1e-3)
    assert np.allclose(DATASETS.get("fashion-mnist").std[0], std, atol=1e-3)


def test_embedded_digits_need_no_root_and_match_their_constants():
    train, test = load_dataset("digits", None, "train"), load_dataset("digits", None, "test")
    _check(train, 1497, 10)
    _check(test, 300, 10)
    mean, std = digits_statistics()
    assert np.allclose(DATASETS.get("digits").mean[0], mean, atol=1e-3)
    assert np.allclose(DATASETS.get("digits").std[0], std, atol=1e-3)


@pytest.mark.parametrize(("name", "expected"), [
    ("cifar10", "cifar-10-batches-py/data_batch_1"), ("cifar100", "cifar-100-python/train"),
    ("svhn", "train_32x32.mat"), ("imagenet16", "train_data_batch_1"), ("fashion-mnist", "train-images-idx3-ubyte.gz"),
])
def test_wrong_root_is_a_clear_error_naming_the_files(tmp_path, name, expected):
    with pytest.raises(DataRootError, match=expected) as info:
        load_dataset(name, tmp_path / "missing", "train")
    assert name in str(info.value) and str(tmp_path / "missing") in str(info.value)


def test_no_root_for_a_dataset_without_default_and_unknown_names():
    with pytest.raises(DataRootError, match="no data root given"):
        load_dataset("cifar10", None)
    with pytest.raises(UnknownNameError, match="allowed: cifar10, cifar100, digits, fashion-mnist"):
        load_dataset("mnist")
    with pytest.raises(ValueError, match="allowed: train, test"):
        load_dataset("digits", None, "valid")
