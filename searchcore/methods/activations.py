"""α activations: how architecture parameters become edge weights.

* softmax per edge (DARTS).
* sigmoid per op, independently (Single-DARTS; init −ln(|O|−1) gives σ = 1/|O|, i.e. −ln 7 on the
  8-op DARTS space; unverified against its code, reference-notes §7).
* uniform: α-free, every op weighted 1/|O| (IS-DARTS sums masked ops scaled by 1/|O|, §6).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from searchcore.registry import Registry

Activation = Callable[[torch.Tensor], torch.Tensor]

ACTIVATIONS: Registry[Activation] = Registry("alpha activation")
ACTIVATIONS.register("softmax", lambda alpha: torch.softmax(alpha, dim=-1))
ACTIVATIONS.register("sigmoid", torch.sigmoid)
ACTIVATIONS.register("uniform", lambda alpha: torch.full_like(alpha, 1.0 / alpha.shape[-1]))


def sigmoid_init_value(num_ops: int) -> float:
    """−ln(k−1): σ(−ln(k−1)) = 1/k, the uniform softmax weight (Single-DARTS' −ln 7 for k = 8)."""
    if num_ops < 2:
        raise ValueError("a sigmoid init needs at least 2 ops per edge")
    return -math.log(num_ops - 1)
