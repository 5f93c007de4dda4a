"""Where a run computes and in which precision: shared by the search and the evaluation loops."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

import torch


def resolve_device(name: str) -> torch.device:
    """``auto`` = CUDA when available, else CPU; anything else as torch spells it (``cuda:1``)."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def autocast(amp: bool, device: torch.device) -> AbstractContextManager[Any]:
    """bfloat16 autocast on CUDA when ``amp`` is set (no loss scaling needed); full precision elsewhere."""
    if amp and device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return nullcontext()
