"""Batched DARTS augmentation on uint8 tensors, on any device, driven by a seeded generator.

DARTS' CIFAR pipeline (quark0/darts utils.py; reference-notes §1.2): RandomCrop(32, padding=4) with zero
fill, then RandomHorizontalFlip, then ToTensor + Normalize, then optional Cutout(16). Zero-padding the
uint8 image before normalising equals torchvision's PIL padding, so this is the same distribution.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def normalize_batch(images: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """uint8 (B, 3, H, W) -> float32 normalised."""
    m = torch.tensor(mean, device=images.device, dtype=torch.float32).view(1, -1, 1, 1)
    s = torch.tensor(std, device=images.device, dtype=torch.float32).view(1, -1, 1, 1)
    return (images.float().div_(255.0) - m) / s


def augment_batch(
    images: torch.Tensor, generator: torch.Generator, mean: Sequence[float], std: Sequence[float], *,
    crop_padding: int = 4, flip: bool = True, cutout: int = 0, share: tuple[int, int] | None = None,
) -> torch.Tensor:
    """Crop, flip, normalise and cut out ``images``. ``share=(start, size)``: the images are rows
    ``start..start+len(images)`` of a batch of ``size``; the random draws are made for the whole batch (the
    generator advances as for it) and this share's are used, so data-parallel ranks augmenting their shards of
    one global batch give exactly the images one process augmenting the whole batch gives."""
    b, _, h, w = images.shape
    start, size = share if share is not None else (0, b)
    part = slice(start, start + b)
    x = images
    if crop_padding > 0:
        p = crop_padding
        padded = torch.nn.functional.pad(x, (p, p, p, p))
        dy = torch.randint(0, 2 * p + 1, (size,), generator=generator)[part].to(x.device)
        dx = torch.randint(0, 2 * p + 1, (size,), generator=generator)[part].to(x.device)
        rows = (dy[:, None] + torch.arange(h, device=x.device)[None, :])  # (B, H)
        cols = (dx[:, None] + torch.arange(w, device=x.device)[None, :])  # (B, W)
        bi = torch.arange(b, device=x.device)[:, None, None]
        x = padded.permute(0, 2, 3, 1)[bi, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)
    if flip:
        flips = (torch.rand(size, generator=generator) < 0.5)[part].to(x.device)
        x = torch.where(flips[:, None, None, None], x.flip(3), x)
    out = normalize_batch(x.contiguous(), mean, std)
    if cutout > 0:
        out = _cutout(out, cutout, generator, size, part)
    return out


def _cutout(x: torch.Tensor, length: int, generator: torch.Generator, size: int | None = None,
            part: slice = slice(None)) -> torch.Tensor:
    """DARTS Cutout: zero a length x length square centred uniformly in the image, clipped at borders (centres
    drawn for a batch of ``size``, ``part`` of them used: see ``augment_batch(share=...)``)."""
    b, _, h, w = x.shape
    size = b if size is None else size
    cy = torch.randint(0, h, (size,), generator=generator)[part].to(x.device)
    cx = torch.randint(0, w, (size,), generator=generator)[part].to(x.device)
    ys = torch.arange(h, device=x.device)[None, :]
    xs = torch.arange(w, device=x.device)[None, :]
    in_y = (ys >= (cy[:, None] - length // 2)) & (ys < (cy[:, None] + length // 2))
    in_x = (xs >= (cx[:, None] - length // 2)) & (xs < (cx[:, None] + length // 2))
    mask = ~(in_y[:, :, None] & in_x[:, None, :])
    return x * mask[:, None].to(x.dtype)
