"""Search data on the training device: the recorded split, and per-epoch batches.

Images stay uint8 on the device; each batch is augmented in one vectorised call. Every epoch's order
and augmentation come from generators seeded by (seed, epoch, stream), so the data order of any epoch
is a pure function of the config: a run resumed at an epoch boundary sees exactly the batches an
uninterrupted run would have seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from searchcore.config import DataConfig
from searchcore.data import DATASETS, augment_batch, load_dataset, normalize_batch, search_split

STREAMS = {"train": 1, "val": 2, "eval": 3, "mutation": 4, "full": 5, "alpha": 6}


def epoch_generator(seed: int, epoch: int, stream: str) -> torch.Generator:
    return torch.Generator().manual_seed(int(seed) * 1_000_003 + int(epoch) * 7_919 + STREAMS[stream] * 104_729)


@dataclass
class SearchData:
    images: torch.Tensor  # uint8 (N, 3, H, W) on the device: the (possibly limited) training set
    labels: torch.Tensor  # int64 (N,)
    train_idx: np.ndarray  # rows of ``images`` that train the weights
    val_idx: np.ndarray  # rows that train α (and give the validation metrics)
    source_idx: np.ndarray  # row -> index in the dataset's official training set
    num_classes: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    crop_padding: int
    cutout: int
    batch_size: int

    def split_indices(self, which: str) -> np.ndarray:
        """Rows of split ``which``: 'train' (weights), 'val' (α), or 'full' = every row exactly once
        (IS-DARTS' "train+val", 002_… Eq. 17: one pass over the whole training set per epoch)."""
        if which == "full":
            return np.arange(len(self.labels), dtype=np.int64)
        return self.train_idx if which == "train" else self.val_idx

    def num_batches(self, which: str) -> int:
        n = len(self.split_indices(which))
        full, rest = divmod(n, self.batch_size)
        return full + (1 if rest >= 2 else 0)

    def batches(
        self, which: str, seed: int, epoch: int, augment: bool = True, shuffle: bool = True,
        limit: int | None = None, stream: str | None = None,
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches of split ``which`` ('train', 'val' or 'full' = every row once) for one epoch; ``stream``
        names another order and augmentation of the same rows (α batches drawn from the weight split)."""
        stream = stream or (which if augment else "eval")
        gen = epoch_generator(seed, epoch, stream)
        idx = torch.as_tensor(self.split_indices(which))
        if shuffle:
            idx = idx[torch.randperm(len(idx), generator=gen)]
        count = self.num_batches(which) if limit is None else min(limit, self.num_batches(which))
        device = self.images.device
        for b in range(count):
            rows = idx[b * self.batch_size:(b + 1) * self.batch_size].to(device)
            x, y = self.images[rows], self.labels[rows]
            if augment:
                x = augment_batch(x, gen, self.mean, self.std, crop_padding=self.crop_padding, flip=True,
                                  cutout=self.cutout)
            else:
                x = normalize_batch(x, self.mean, self.std)
            yield x, y


def build_search_data(cfg: DataConfig, seed: int, device: torch.device) -> SearchData:
    spec = DATASETS.get(cfg.dataset)
    train = load_dataset(cfg.dataset, cfg.root, "train")
    n = len(train)
    source = np.arange(n, dtype=np.int64)
    if cfg.limit_train_images is not None and cfg.limit_train_images < n:
        rng = np.random.default_rng(seed)
        source = np.sort(rng.permutation(n)[: cfg.limit_train_images]).astype(np.int64)
    train_idx, val_idx = search_split(len(source), cfg.train_portion, seed, cfg.split)
    rows = torch.as_tensor(source)
    images = train.images[rows]
    padding = 4 if spec.image_size >= 32 else 2
    if cfg.resolution is not None and cfg.resolution != images.shape[-1]:
        padding = max(1, round(padding * cfg.resolution / images.shape[-1]))
        images = resize_images(images, cfg.resolution)
    return SearchData(
        images=images.contiguous().to(device),
        labels=train.labels[rows].to(device),
        train_idx=train_idx, val_idx=val_idx, source_idx=source,
        num_classes=spec.num_classes, mean=spec.mean, std=spec.std,
        crop_padding=padding, cutout=cfg.cutout, batch_size=cfg.batch_size,
    )


def resize_images(images: torch.Tensor, size: int) -> torch.Tensor:
    """uint8 (N, C, H, W) -> uint8 (N, C, size, size), antialiased bilinear (``data.resolution``); in chunks, so a
    60k-image set never holds more than a slice as floats."""
    out = torch.empty((images.shape[0], images.shape[1], size, size), dtype=torch.uint8)
    for start in range(0, images.shape[0], 4096):
        chunk = images[start:start + 4096].float()
        resized = torch.nn.functional.interpolate(chunk, size=(size, size), mode="bilinear", antialias=True,
                                                  align_corners=False)
        out[start:start + 4096] = resized.round().clamp(0, 255).to(torch.uint8)
    return out
