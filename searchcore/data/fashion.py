"""Fashion-MNIST from its original IDX files (Xiao et al. 2017): 60k train / 10k test, 28x28 grey.

Default root: ``/usr/share/datasets/fashion-mnist`` (Debian's ``dataset-fashion-mnist``). Images are
zero-padded by 2 pixels to 32x32 and replicated to 3 channels, so the CIFAR supernets run unchanged.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from searchcore.data.base import DATASETS, ArrayDataset, DataRootError, DatasetSpec, as_array_dataset

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049
# Training-split statistics after padding, in [0, 1] units (`fashion_statistics()` rounded to 4 places).
MEAN = (0.2190, 0.2190, 0.2190)
STD = (0.3318, 0.3318, 0.3318)


def _open(root: Path, name: str) -> bytes:
    for candidate in (root / f"{name}.gz", root / name):
        if candidate.exists():
            opener = gzip.open if candidate.suffix == ".gz" else open
            try:
                with opener(candidate, "rb") as fh:
                    return fh.read()
            except (EOFError, zlib.error, gzip.BadGzipFile) as err:  # cut off or not gzip: name the file
                raise ValueError(f"fashion-mnist: {candidate} is not a readable gzip file ({err or type(err).__name__})"
                                 "; expected the original IDX file, gzipped") from None
    spec = DATASETS.get("fashion-mnist")
    raise DataRootError(
        f"fashion-mnist: data root {root} lacks {name}.gz (or {name}); expected files: "
        f"{', '.join(spec.expected_files)} (Debian: apt-get install dataset-fashion-mnist)"
    )


def read_idx(raw: bytes, magic: int, what: str) -> np.ndarray:
    """Parse an IDX file: big-endian magic, dimension sizes, then uint8 data."""
    if len(raw) < 8 or int.from_bytes(raw[:4], "big") != magic:
        raise ValueError(f"fashion-mnist: {what} is not an IDX file with magic {magic}")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    data = np.frombuffer(raw, dtype=np.uint8, offset=offset)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"fashion-mnist: {what} holds {data.size} bytes, its header says {dims}")
    return data.reshape(dims)


def _load(root: Path, split: str) -> ArrayDataset:
    image_name, label_name = FILES[split]
    images = read_idx(_open(root, image_name), IMAGE_MAGIC, image_name)
    labels = read_idx(_open(root, label_name), LABEL_MAGIC, label_name)
    if len(images) != len(labels):
        raise ValueError(f"fashion-mnist: {len(images)} images but {len(labels)} labels in {root}")
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2)))
    rgb = np.repeat(padded[:, None], 3, axis=1)
    return as_array_dataset("fashion-mnist", rgb, labels.astype(np.int64), 10)


def fashion_statistics(root: str | Path = "/usr/share/datasets/fashion-mnist") -> tuple[float, float]:
    x = _load(Path(root), "train").images[:, 0].float() / 255.0
    return float(x.mean()), float(x.std())


DATASETS.register("fashion-mnist", DatasetSpec(
    "fashion-mnist", 10, 32, MEAN, STD, "/usr/share/datasets/fashion-mnist",
    tuple(f"{n}.gz" for pair in FILES.values() for n in pair),
    "Fashion-MNIST, 60k train / 10k test, padded to 3x32x32", "Xiao et al. 2017, original IDX files", _load,
))
