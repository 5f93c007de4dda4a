"""One search iteration's updates: the α step, the weight step, and the single-level variants.

First-order DARTS (Liu et al. 2019 §2.3, ξ = 0): α is updated on a validation batch with the weights
held, then the weights on a training batch with α held. Single level (Single-DARTS): the same batch
updates both, either with one backward pass for both optimisers (``combined``) or with two optimiser
steps in sequence on that batch (``two_optimizers``).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from searchcore.config import MethodConfig, WeightOptimConfig
from searchcore.methods.mutation import EdgeMutator
from searchcore.methods.regularizers import regularizer_loss
from searchcore.supernets.base import Supernet


@dataclass
class StepStats:
    loss: float
    correct: int
    count: int
    reg: float | None = None


@contextmanager
def frozen(params: Iterable[nn.Parameter]):
    """Temporarily stop gradients to ``params`` (skips their backward work, not just their update)."""
    params = [p for p in params if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p in params:
            p.requires_grad_(True)


def _stats(logits: torch.Tensor, y: torch.Tensor, loss: torch.Tensor, reg: torch.Tensor | None) -> StepStats:
    return StepStats(float(loss.detach()), int((logits.argmax(1) == y).sum()), len(y),
                     None if reg is None else float(reg.detach()))


def arch_step(
    model: Supernet, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
    method: MethodConfig, epoch: int,
) -> StepStats:
    """α step on a validation batch; never mutates (EM-DARTS mutates weight steps only)."""
    optimizer.zero_grad(set_to_none=True)
    with frozen(model.weight_parameters()):
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, y)
        reg = regularizer_loss(method.regularizer, model.arch_parameters(), epoch)
        total = loss if reg is None else loss + reg
        if not total.requires_grad:  # every edge decided or masked: the output no longer depends on α
            return _stats(logits, y, loss, reg)
        total.backward()
    optimizer.step()
    return _stats(logits, y, loss, reg)


def weight_step(
    model: Supernet, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
    optim: WeightOptimConfig, mutator: EdgeMutator | None,
) -> StepStats:
    """Weight step on a training batch with α held (edge weights computed without α gradients)."""
    optimizer.zero_grad(set_to_none=True)
    with torch.no_grad():
        weights = model.edge_weights()
    logits = model(x, weights=weights, mutator=mutator)
    loss = nn.functional.cross_entropy(logits, y)
    loss.backward()
    if optim.grad_clip is not None:
        nn.utils.clip_grad_norm_(list(model.weight_parameters()), optim.grad_clip)
    optimizer.step()
    return _stats(logits, y, loss, None)


def combined_step(
    model: Supernet, w_opt: torch.optim.Optimizer, a_opt: torch.optim.Optimizer | None,
    x: torch.Tensor, y: torch.Tensor, method: MethodConfig, optim: WeightOptimConfig, epoch: int,
    mutator: EdgeMutator | None,
) -> StepStats:
    """Single level, one backward pass: CE (+ α regulariser) updates weights and α together."""
    w_opt.zero_grad(set_to_none=True)
    if a_opt is not None:
        a_opt.zero_grad(set_to_none=True)
    logits = model(x, mutator=mutator)
    loss = nn.functional.cross_entropy(logits, y)
    reg = regularizer_loss(method.regularizer, model.arch_parameters(), epoch) if a_opt else None
    (loss if reg is None else loss + reg).backward()
    if optim.grad_clip is not None:
        nn.utils.clip_grad_norm_(list(model.weight_parameters()), optim.grad_clip)
    w_opt.step()
    if a_opt is not None:
        a_opt.step()
    return _stats(logits, y, loss, reg)
