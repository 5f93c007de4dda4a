"""Uniform draws for sampling architectures, from a torch or a NumPy generator.

The random-sampling baseline (``SpaceFamily.sample_architecture``) must reproduce from its seed alone,
never from the global RNG that other code advances, so every draw takes an explicit generator. Both
kinds are accepted: torch's (what the ``random`` trainable seeds) and NumPy's (what
``selection/schedule.py`` uses for DARTS-PT's orders), and a draw is the same function of the generator
state whichever caller made it.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import torch

RandomGenerator: TypeAlias = torch.Generator | np.random.Generator
"""An explicit, seeded source of randomness (never the global RNG)."""


def uniform_index(generator: RandomGenerator, n: int) -> int:
    """One index drawn uniformly from ``range(n)``."""
    if n < 1:
        raise ValueError(f"cannot draw from an empty set (n = {n})")
    if isinstance(generator, torch.Generator):
        return int(torch.randint(n, (1,), generator=generator).item())
    if isinstance(generator, np.random.Generator):
        return int(generator.integers(n))
    raise TypeError(f"expected a torch.Generator or numpy.random.Generator, got {type(generator).__name__}")


def uniform_subset(generator: RandomGenerator, n: int, k: int) -> list[int]:
    """``k`` distinct indices of ``range(n)``, every k-subset equally likely; returned in ascending order."""
    if not 0 <= k <= n:
        raise ValueError(f"cannot draw {k} distinct items from {n}")
    if isinstance(generator, torch.Generator):
        picked = torch.randperm(n, generator=generator)[:k].tolist()
    elif isinstance(generator, np.random.Generator):
        picked = generator.permutation(n)[:k].tolist()
    else:
        raise TypeError(f"expected a torch.Generator or numpy.random.Generator, got {type(generator).__name__}")
    return sorted(int(i) for i in picked)
