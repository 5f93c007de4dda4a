"""Peak memory of a training run, for the per-epoch ``peak_memory_mb`` column.

On CUDA the peak of tensors allocated on the device since the last reset (``torch.cuda.max_memory_allocated``,
reset at every epoch start); elsewhere the process's peak resident set size (``resource.getrusage``), which
only grows over the life of the process.
"""

from __future__ import annotations

import resource
import sys

import torch


def reset_peak(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


def peak_memory_mb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes on macOS, KiB on Linux
