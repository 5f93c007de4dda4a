"""The search split of a training set into a weight half and an α half, as recorded index lists."""

from __future__ import annotations

import numpy as np

SPLIT_MODES = ("seeded", "ordered")


def search_split(n: int, portion: float = 0.5, seed: int = 0, mode: str = "seeded") -> tuple[np.ndarray, np.ndarray]:
    """(weight indices, α indices), both sorted int64.

    ``ordered`` is the reference behaviour of DARTS, PT and EM: the first ``portion`` of the training
    set by index trains the weights, the rest α (reference-notes §1.1). ``seeded`` splits a seeded
    permutation instead, so that the halves are class-balanced in expectation on any dataset order.
    """
    if mode not in SPLIT_MODES:
        raise ValueError(f"unknown split mode {mode!r}; allowed: {', '.join(SPLIT_MODES)}")
    if not 0.0 < portion < 1.0:
        raise ValueError(f"split portion must be in (0, 1), got {portion}")
    k = int(np.floor(portion * n))
    if mode == "ordered":
        order = np.arange(n)
    else:
        order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[:k]).astype(np.int64), np.sort(order[k:]).astype(np.int64)
