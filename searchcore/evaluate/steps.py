"""One optimisation step of an evaluation network, and its loss: what a data-parallel wrapper would call.

The step knows nothing of ranks or world sizes: it runs forward, loss, backward, clipping and the optimiser
step on whatever batch and model it is given (a DDP-wrapped model averages the gradients inside
``backward``), and returns sums, not means, so shards can be added up.

Loss (DA ``train.py``; PC-DARTS ``train_imagenet.py``): cross-entropy of the logits, plus
``auxiliary_weight`` × cross-entropy of the auxiliary head's logits when the network returns them (only in
training mode); both with the same label smoothing (PC-DARTS smooths both; CIFAR protocols use none).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F


@dataclass
class StepStats:
    loss_sum: float
    """Sum over the batch of the main head's loss (the auxiliary term is not in it)."""
    correct: int
    count: int


def split_output(output: torch.Tensor | tuple[torch.Tensor, torch.Tensor | None]
                 ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(logits, auxiliary logits or None): DARTS networks return a pair, NB201 networks the logits alone."""
    if isinstance(output, tuple):
        return output[0], output[1]
    return output, None


def eval_loss(logits: torch.Tensor, logits_aux: torch.Tensor | None, y: torch.Tensor, auxiliary_weight: float,
              label_smoothing: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(total loss to minimise, main-head loss) for one batch; half-precision logits (autocast) are upcast to
    float32, float64 ones are kept (the data-parallel equality test trains in float64)."""
    main = F.cross_entropy(_upcast(logits), y, label_smoothing=label_smoothing)
    total = main
    if logits_aux is not None and auxiliary_weight > 0:
        total = main + auxiliary_weight * F.cross_entropy(_upcast(logits_aux), y, label_smoothing=label_smoothing)
    return total, main


def _upcast(t: torch.Tensor) -> torch.Tensor:
    return t.float() if t.dtype in (torch.float16, torch.bfloat16) else t


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, *,
               auxiliary_weight: float, label_smoothing: float, grad_clip: float | None,
               autocast: AbstractContextManager | None = None) -> StepStats:
    """One SGD step on (x, y); the model must be in training mode."""
    optimizer.zero_grad(set_to_none=True)
    with autocast or nullcontext():
        logits, logits_aux = split_output(model(x))
    total, main = eval_loss(logits, logits_aux, y, auxiliary_weight, label_smoothing)
    total.backward()
    if grad_clip is not None:
        nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step()
    return StepStats(float(main.detach()) * len(y), int((logits.detach().argmax(1) == y).sum()), len(y))
