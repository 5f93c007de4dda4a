"""Evaluation data streamed from disk (ImageNet): decoded and augmented per image by DataLoader workers.

The in-memory path (``searchcore.evaluate.data.EvalData``) holds whole splits on the device; ImageNet's 1.28 M
JPEGs do not fit, so a data set whose registry entry is ``streaming`` (``DatasetSpec.folder``) is read batch by
batch with the standard DARTS transforms (``searchcore.data.imagenet``: RandomResizedCrop, flip, ColorJitter;
test Resize + CenterCrop; DA ``train_imagenet.py``), at the crop size ``data.resolution``.

Reproducible and resumable at epoch boundaries, like the in-memory path: the epoch's order *and* one seed per
image come from the generator seeded by (seed, epoch) (``search.data.epoch_generator``); a worker seeds torch's
RNG with the image's seed (in a forked RNG state) before running its transform. So an image's augmentation
depends on (seed, epoch, position) only, not on which worker decodes it, how many workers there are, or the
training process' RNG, and the epoch number is the whole data-loader state a checkpoint needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from searchcore.data.base import DatasetSpec, resolve_root
from searchcore.data.imagenet import test_transform, train_transform
from searchcore.evaluate.config import EvalDataConfig
from searchcore.search.data import epoch_generator

SEED_RANGE = 2**62
"""Per-image seeds are drawn uniformly below this (any value torch.manual_seed takes)."""


class SeededImages(Dataset):
    """Item ``(index, seed)`` → ``base[index]`` with the random transform drawn from torch's RNG seeded by
    ``seed``; the caller's RNG state is restored afterwards (``fork_rng``). torchvision's v1 transforms draw
    from torch's RNG only (RandomResizedCrop, RandomHorizontalFlip, ColorJitter)."""

    def __init__(self, base: Dataset) -> None:
        self.base = base

    def __len__(self) -> int:
        return len(self.base)  # type: ignore[arg-type]

    def __getitem__(self, key: tuple[int, int]):
        index, seed = key
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return self.base[index]


class StreamingEvalData:
    """The same interface as ``EvalData`` (``num_batches``, ``train_batches``, ``test_batches``) over a
    streaming data set's train and test splits; batches arrive on ``device``, normalised."""

    def __init__(self, train: Dataset, test: Dataset, source_idx: np.ndarray, num_classes: int, batch_size: int,
                 workers: int, device: torch.device) -> None:
        self.train = SeededImages(train)
        self.test = test
        self.source_idx = source_idx
        self.num_classes = num_classes
        self.batch_size = batch_size
        self.workers = workers
        self.device = device

    def _length(self, split: str) -> int:
        return len(self.source_idx) if split == "train" else len(self.test)  # type: ignore[arg-type]

    def num_batches(self, split: str, world_size: int = 1) -> int:
        """Batches per pass, as ``EvalData.num_batches``: a last, smaller batch is kept when it splits into
        ``world_size`` equal shards of at least 2 images (BatchNorm needs two)."""
        full, rest = divmod(self._length(split), self.batch_size)
        return full + (1 if rest % world_size == 0 and rest // world_size >= 2 else 0)

    def _loader(self, dataset: Dataset, batches: list[list]) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        cuda = self.device.type == "cuda"
        # its own generator: the loader draws its workers' base seed from it, not from the training process' RNG
        loader = DataLoader(dataset, batch_sampler=batches, num_workers=self.workers, pin_memory=cuda,
                            generator=torch.Generator().manual_seed(0))
        for x, y in loader:
            yield x.to(self.device, non_blocking=cuda), y.to(self.device, non_blocking=cuda)

    def train_batches(self, seed: int, epoch: int, limit: int | None = None, rank: int = 0, world_size: int = 1
                      ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Shuffled, augmented batches of the training split for one epoch: order and per-image seeds from the
        (seed, epoch) generator. With ``world_size`` ranks, this rank's contiguous shard of each global batch;
        an image's seed does not depend on the rank that decodes it, so the shards together are exactly the
        single-process batch."""
        gen = epoch_generator(seed, epoch, "train")
        n = len(self.source_idx)
        order = torch.randperm(n, generator=gen).tolist()
        seeds = torch.randint(0, SEED_RANGE, (n,), generator=gen).tolist()
        total = self.num_batches("train", world_size)
        count = total if limit is None else min(limit, total)
        batches = []
        for b in range(count):
            batch = order[b * self.batch_size:(b + 1) * self.batch_size]
            per = len(batch) // world_size
            batches.append([(int(self.source_idx[i]), seeds[i]) for i in batch[rank * per:(rank + 1) * per]])
        yield from self._loader(self.train, batches)

    def test_batches(self, limit: int | None = None, rank: int = 0, world_size: int = 1
                     ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The test split in order, resized and centre-cropped; with ``world_size`` ranks, every
        ``world_size``-th batch from ``rank`` on (as ``EvalData.test_batches``)."""
        count = self.num_batches("test") if limit is None else min(limit, self.num_batches("test"))
        n = self._length("test")
        batches = [list(range(b * self.batch_size, min((b + 1) * self.batch_size, n)))
                   for b in range(rank, count, world_size)]
        yield from self._loader(self.test, batches)


def build_streaming_data(spec: DatasetSpec, cfg: EvalDataConfig, seed: int, device: torch.device
                         ) -> StreamingEvalData:
    """Both splits of a streaming data set at crop size ``cfg.resolution`` (default: the set's image size)."""
    if spec.folder is None:
        raise ValueError(f"{spec.name} is an in-memory data set")
    if cfg.cutout:
        raise ValueError(f"{spec.name}: cutout is a CIFAR augmentation and not part of the streaming ImageNet "
                         f"pipeline (DA train_imagenet.py); set data.cutout=0 or use an ImageNet protocol "
                         f"(darts-imagenet, ...)")
    root: Path = resolve_root(spec, cfg.root)
    size = cfg.resolution or spec.image_size
    train = spec.folder(root, "train", train_transform(size, spec.mean, spec.std))
    test = spec.folder(root, "test", test_transform(size, spec.mean, spec.std))
    train_classes, test_classes = getattr(train, "classes", None), getattr(test, "classes", None)
    if train_classes != test_classes:
        raise ValueError(f"{spec.name}: the train and test folders under {root} hold different classes "
                         f"({len(train_classes or [])} vs {len(test_classes or [])}), so their label indices "
                         "would not match")
    if train_classes is not None and len(train_classes) > spec.num_classes:
        raise ValueError(f"{spec.name}: {len(train_classes)} class folders under {root}, more than the "
                         f"{spec.num_classes} classes of the data set")
    n = len(train)  # type: ignore[arg-type]
    source = np.arange(n, dtype=np.int64)
    if cfg.limit_train_images is not None and cfg.limit_train_images < n:
        rng = np.random.default_rng(seed)
        source = np.sort(rng.permutation(n)[: cfg.limit_train_images]).astype(np.int64)
    return StreamingEvalData(train, test, source, spec.num_classes, cfg.batch_size, cfg.workers, device)
