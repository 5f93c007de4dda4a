"""Dataset registry, the in-memory image set, and the clear data-root errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import Dataset

from searchcore.registry import Registry


@dataclass
class ArrayDataset:
    """An in-memory image set: uint8 (N, 3, H, W) images and int64 labels. The search loop augments
    whole batches on the device, which is far faster than per-image PIL transforms on a CPU."""

    name: str
    images: torch.Tensor
    labels: torch.Tensor
    num_classes: int

    def __len__(self) -> int:
        return len(self.labels)


class DataRootError(FileNotFoundError):
    """A data root is missing or lacks the dataset's files; the message names the files expected."""


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    num_classes: int
    image_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    default_root: str | None
    expected_files: tuple[str, ...]
    description: str
    source: str
    loader: Callable[[Path, str], ArrayDataset]
    folder: Callable[[Path, str, Callable | None], Dataset] | None = None
    """Streaming data sets only (too large for memory: ImageNet): opens one split of the root as a map-style
    dataset of decoded images, given a per-image transform; their ``loader`` refuses (it would hold them all)."""

    @property
    def streaming(self) -> bool:
        """Read from disk batch by batch with DataLoader workers (``searchcore.evaluate.data``), not held in
        memory; only evaluation reads such sets (a search's α/weight split is in memory: ``search.data``)."""
        return self.folder is not None


DATASETS: Registry[DatasetSpec] = Registry("dataset")
SPLITS = ("train", "test")


def require_files(spec: DatasetSpec, root: Path, names: Iterable[str]) -> None:
    missing = [n for n in names if not (root / n).exists()]
    if not root.is_dir() or missing:
        what = "does not exist" if not root.is_dir() else "lacks " + ", ".join(missing)
        raise DataRootError(
            f"{spec.name}: data root {root} {what}; expected files: {', '.join(spec.expected_files)} "
            f"(datasets are never downloaded: put the original files there or pass another root)"
        )


def resolve_root(spec: DatasetSpec, root: str | Path | None) -> Path:
    if root is None:
        if spec.default_root is None:
            raise DataRootError(
                f"{spec.name}: no data root given and the dataset has no default; expected files: "
                f"{', '.join(spec.expected_files)} (pass --data-root / data.root)"
            )
        root = spec.default_root
    return Path(root).expanduser()


def load_dataset(name: str, root: str | Path | None = None, split: str = "train") -> ArrayDataset:
    """Load ``split`` ('train' or 'test') of a registered dataset into memory."""
    spec = DATASETS.get(name)
    if split not in SPLITS:
        raise ValueError(f"{name}: unknown split {split!r}; allowed: {', '.join(SPLITS)}")
    return spec.loader(resolve_root(spec, root), split)


def as_array_dataset(name: str, images, labels, num_classes: int) -> ArrayDataset:
    """From numpy/tensor (N, H, W, C) or (N, C, H, W) uint8 images."""
    x = torch.as_tensor(images)
    if x.shape[-1] == 3 and x.shape[1] != 3:
        x = x.permute(0, 3, 1, 2)
    return ArrayDataset(name, x.to(torch.uint8).contiguous(), torch.as_tensor(labels, dtype=torch.int64), num_classes)
