"""Evaluation data on the training device: the whole training split to train on, the test split to test on.

As in the search (``searchcore.search.data``), images stay uint8 on the device and every batch is augmented
in one vectorised call (DARTS' crop + flip + optional cutout, ``searchcore.data.augment``); each epoch's order
and augmentation come from a generator seeded by (seed, epoch), so the epoch number is the whole data-loader
state and a resumed run sees exactly the batches an uninterrupted run would have seen.

Data sets too large for memory (ImageNet, ``DatasetSpec.streaming``) take the streaming path of
``searchcore.evaluate.streaming`` instead: DataLoader workers, DARTS' ImageNet transforms, the same seeding.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from searchcore.data import DATASETS, augment_batch, load_dataset, normalize_batch
from searchcore.evaluate.config import EvalDataConfig
from searchcore.evaluate.streaming import StreamingEvalData, build_streaming_data
from searchcore.search.data import epoch_generator


@dataclass
class EvalData:
    train_images: torch.Tensor  # uint8 (N, 3, H, W) on the device
    train_labels: torch.Tensor  # int64 (N,)
    test_images: torch.Tensor
    test_labels: torch.Tensor
    source_idx: np.ndarray  # training row -> index in the data set's training split
    num_classes: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    crop_padding: int
    cutout: int
    batch_size: int

    def num_batches(self, split: str, world_size: int = 1) -> int:
        """Batches per pass. A last, smaller batch is kept when it splits into ``world_size`` equal shards of at
        least 2 images (BatchNorm needs two; equal shards keep the averaged gradient the global batch's mean),
        so one process drops only a last batch of one image."""
        full, rest = divmod(len(self._labels(split)), self.batch_size)
        return full + (1 if rest % world_size == 0 and rest // world_size >= 2 else 0)

    def _labels(self, split: str) -> torch.Tensor:
        return self.train_labels if split == "train" else self.test_labels

    def train_batches(self, seed: int, epoch: int, limit: int | None = None, rank: int = 0, world_size: int = 1
                      ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Shuffled, augmented batches of the training split for one epoch; with ``world_size`` ranks, this
        rank's contiguous shard of each global batch (augmented as the whole batch would be, so the ranks'
        shards together are exactly the single-process batch)."""
        gen = epoch_generator(seed, epoch, "train")
        order = torch.randperm(len(self.train_labels), generator=gen)
        total = self.num_batches("train", world_size)
        count = total if limit is None else min(limit, total)
        for b in range(count):
            batch = order[b * self.batch_size:(b + 1) * self.batch_size]
            per = len(batch) // world_size
            rows = batch[rank * per:(rank + 1) * per].to(self.train_images.device)
            x = augment_batch(self.train_images[rows], gen, self.mean, self.std, crop_padding=self.crop_padding,
                              flip=True, cutout=self.cutout, share=(rank * per, len(batch)))
            yield x, self.train_labels[rows]

    def test_batches(self, limit: int | None = None, rank: int = 0, world_size: int = 1
                     ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The test split in order, normalised only; with ``world_size`` ranks, every ``world_size``-th batch
        from ``rank`` on (whole batches: in eval mode BatchNorm uses its running statistics, so how the batches
        are dealt out changes nothing)."""
        count = self.num_batches("test") if limit is None else min(limit, self.num_batches("test"))
        for b in range(rank, count, world_size):
            sl = slice(b * self.batch_size, (b + 1) * self.batch_size)
            yield normalize_batch(self.test_images[sl], self.mean, self.std), self.test_labels[sl]


def build_eval_data(cfg: EvalDataConfig, seed: int, device: torch.device) -> EvalData | StreamingEvalData:
    """The data set's splits: in memory on the device, or streamed from disk when its registry entry says so
    (``DatasetSpec.streaming``: ImageNet; ``searchcore.evaluate.streaming``). Both give the same batches
    interface, seeded by (seed, epoch)."""
    spec = DATASETS.get(cfg.dataset)
    if spec.streaming:
        return build_streaming_data(spec, cfg, seed, device)
    if cfg.resolution not in (None, spec.image_size):
        raise ValueError(f"data.resolution {cfg.resolution}: {cfg.dataset} is held in memory at its own "
                         f"{spec.image_size}x{spec.image_size}; only streaming data sets (imagenet) are cropped to "
                         "a resolution")
    train = load_dataset(cfg.dataset, cfg.root, "train")
    test = load_dataset(cfg.dataset, cfg.root, "test")
    source = np.arange(len(train), dtype=np.int64)
    if cfg.limit_train_images is not None and cfg.limit_train_images < len(train):
        rng = np.random.default_rng(seed)
        source = np.sort(rng.permutation(len(train))[: cfg.limit_train_images]).astype(np.int64)
    rows = torch.as_tensor(source)
    return EvalData(
        train_images=train.images[rows].contiguous().to(device), train_labels=train.labels[rows].to(device),
        test_images=test.images.contiguous().to(device), test_labels=test.labels.to(device),
        source_idx=source, num_classes=spec.num_classes, mean=spec.mean, std=spec.std,
        crop_padding=4 if spec.image_size >= 32 else 2, cutout=cfg.cutout, batch_size=cfg.batch_size,
    )
