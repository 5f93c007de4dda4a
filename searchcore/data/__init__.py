"""Datasets: a registry of in-memory loaders (never downloading), the search split, batched augmentation.

See docs/data.md. Registered: cifar10, cifar100, svhn, imagenet16, digits (embedded default),
fashion-mnist; imagenet is a streaming set (an image folder, :func:`load_imagenet_folder`) that only
evaluation reads (``searchcore.evaluate.streaming``).
"""

from searchcore.data import cifar, digits, fashion, imagenet, imagenet16  # noqa: F401 - registration
from searchcore.data.augment import augment_batch, normalize_batch
from searchcore.data.base import DATASETS, ArrayDataset, DataRootError, DatasetSpec, load_dataset
from searchcore.data.imagenet import load_imagenet_folder
from searchcore.data.split import search_split

__all__ = [
    "ArrayDataset", "DATASETS", "DataRootError", "DatasetSpec", "augment_batch", "load_dataset",
    "load_imagenet_folder", "normalize_batch", "search_split",
]
