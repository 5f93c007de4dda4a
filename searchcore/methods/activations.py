"""α activations: how architecture parameters become edge weights, with the properties the loop needs.

* softmax per edge (DARTS); constant init 0.
* sigmoid per op, independently (Single-DARTS; init −ln(|O|−1) gives σ = 1/|O|, i.e. −ln 7 on the
  8-op DARTS space; unverified against its code, reference-notes §7).
* uniform: α-free, every op weighted 1/|O| (IS-DARTS sums masked ops scaled by 1/|O|, §6); α has no
  trainable role, so no α optimiser is built.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from searchcore.registry import Registry


@dataclass(frozen=True)
class Activation:
    name: str
    fn: Callable[[torch.Tensor], torch.Tensor]
    """(edges, ops) α -> (edges, ops) edge weights."""
    trainable: bool
    """Whether α reaches the weights (False: no α optimiser, α frozen)."""
    init_value: Callable[[int], float]
    """Constant α init for ``method.alpha_init: constant`` without a value, given the ops per edge."""
    summary: str

    def __call__(self, alpha: torch.Tensor) -> torch.Tensor:
        return self.fn(alpha)


ACTIVATIONS: Registry[Activation] = Registry("alpha activation")


def register_activation(activation: Activation) -> Activation:
    return ACTIVATIONS.register(activation.name, activation)


def sigmoid_init_value(num_ops: int) -> float:
    """−ln(k−1): σ(−ln(k−1)) = 1/k, the uniform softmax weight (Single-DARTS' −ln 7 for k = 8)."""
    if num_ops < 2:
        raise ValueError("a sigmoid init needs at least 2 ops per edge")
    return -math.log(num_ops - 1)


register_activation(Activation("softmax", lambda alpha: torch.softmax(alpha, dim=-1), True, lambda k: 0.0,
                               "softmax over each edge's ops (DARTS)"))
register_activation(Activation("sigmoid", torch.sigmoid, True, sigmoid_init_value,
                               "independent sigmoid per op (Single-DARTS)"))
register_activation(Activation("uniform", lambda alpha: torch.full_like(alpha, 1.0 / alpha.shape[-1]), False,
                               lambda k: 0.0, "α-free: every op weighted 1/|O| (IS-DARTS)"))
