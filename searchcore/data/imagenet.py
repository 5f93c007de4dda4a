"""ImageNet as an image folder (``<root>/train/<wnid>/*.JPEG``, ``<root>/val/<wnid>/*``), for evaluation
networks; too large for the in-memory search path, so it is registered as a *streaming* data set: evaluation
reads it batch by batch through DataLoader workers (``searchcore.evaluate.data``) and a search refuses it.

Transforms are DARTS' (quark0/darts ``cnn/train_imagenet.py``, the mobile-setting evaluation every paper here
follows; PC-DARTS ``train_imagenet.py`` uses the same): train = RandomResizedCrop(224), horizontal flip,
ColorJitter(brightness 0.4, contrast 0.4, saturation 0.4, hue 0.2), ToTensor, normalise; test = Resize(256),
CenterCrop(224), ToTensor, normalise. The crop size is a parameter (``data.resolution``) so tests and
reduced-resolution studies can run at a few pixels; the test resize keeps DARTS' ratio 256/224.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torchvision.datasets import ImageFolder

from searchcore.data.base import DATASETS, ArrayDataset, DataRootError, DatasetSpec

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
"""torchvision's ImageNet statistics, as DA ``train_imagenet.py`` normalises."""

IMAGENET_SIZE = 224
"""Training crop and test centre crop: 224 (DA ``train_imagenet.py``)."""

RESIZE_RATIO = 256 / 224
"""Test images are resized to 256 before the 224 centre crop (DA ``train_imagenet.py``)."""

COLOR_JITTER = {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.2}
"""DA ``train_imagenet.py`` (and PC-DARTS ``train_imagenet.py``) ``transforms.ColorJitter`` arguments."""


def train_transform(resolution: int = IMAGENET_SIZE, mean=IMAGENET_MEAN, std=IMAGENET_STD) -> Callable:
    """DARTS' ImageNet training augmentation at crop size ``resolution`` (DA ``train_imagenet.py``)."""
    from torchvision import transforms  # here, not at import: every search process would pay ~2 s for it

    return transforms.Compose([
        transforms.RandomResizedCrop(resolution), transforms.RandomHorizontalFlip(),
        transforms.ColorJitter(**COLOR_JITTER), transforms.ToTensor(), transforms.Normalize(mean, std),
    ])


def test_transform(resolution: int = IMAGENET_SIZE, mean=IMAGENET_MEAN, std=IMAGENET_STD) -> Callable:
    """Resize to ``resolution``·256/224, centre crop ``resolution``, normalise (DA ``train_imagenet.py``)."""
    from torchvision import transforms

    return transforms.Compose([
        transforms.Resize(round(resolution * RESIZE_RATIO)), transforms.CenterCrop(resolution),
        transforms.ToTensor(), transforms.Normalize(mean, std),
    ])


def load_imagenet_folder(root: str | Path, split: str, transform=None) -> ImageFolder:
    from torchvision import datasets

    folder = Path(root).expanduser() / ("train" if split == "train" else "val")
    if not folder.is_dir() or not any(p.is_dir() for p in folder.iterdir()):
        raise DataRootError(
            f"imagenet: {folder} is missing or has no class folders; expected files: "
            f"{Path(root) / 'train'}/<wnid>/*.JPEG and {Path(root) / 'val'}/<wnid>/*.JPEG"
        )
    return datasets.ImageFolder(str(folder), transform=transform or test_transform())


def _not_in_memory(root: Path, split: str) -> ArrayDataset:
    raise ValueError("imagenet is a streaming data set (an image folder read batch by batch); it cannot be held "
                     "in memory, so only evaluation reads it (`trainable: evaluate`). Search on cifar10 or "
                     "imagenet16 and evaluate the architecture on imagenet")


DATASETS.register("imagenet", DatasetSpec(
    "imagenet", 1000, IMAGENET_SIZE, IMAGENET_MEAN, IMAGENET_STD, None, ("train/<wnid>/*.JPEG", "val/<wnid>/*"),
    "ImageNet-1k (ILSVRC2012) as an image folder, streamed: evaluation only",
    "folder layout of torchvision ImageFolder; transforms and normalisation: quark0/darts cnn/train_imagenet.py",
    _not_in_memory, folder=load_imagenet_folder,
))
