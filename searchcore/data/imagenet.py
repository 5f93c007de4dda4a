"""ImageNet as an image folder (``<root>/train/<wnid>/*.JPEG``, ``<root>/val/<wnid>/*``), for
evaluation networks; too large for the in-memory search path."""

from __future__ import annotations

from pathlib import Path

from torchvision import datasets, transforms

from searchcore.data.base import DataRootError

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def load_imagenet_folder(root: str | Path, split: str, transform=None) -> datasets.ImageFolder:
    folder = Path(root).expanduser() / ("train" if split == "train" else "val")
    if not folder.is_dir() or not any(p.is_dir() for p in folder.iterdir()):
        raise DataRootError(
            f"imagenet: {folder} is missing or has no class folders; expected files: "
            f"{Path(root) / 'train'}/<wnid>/*.JPEG and {Path(root) / 'val'}/<wnid>/*.JPEG"
        )
    transform = transform or transforms.Compose([
        transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
        transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
    return datasets.ImageFolder(str(folder), transform=transform)
