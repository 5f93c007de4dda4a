"""Learning-rate schedules of the evaluation protocols: a registry of lr(epoch) functions, plus warm-up.

The papers set the lr once per epoch (quark0/darts ``train.py`` steps its ``CosineAnnealingLR`` at the start
of every epoch; PC-DARTS ``train_imagenet.py`` calls ``adjust_lr(epoch)``), so a schedule here is a pure
function of the epoch: the epoch number is the whole scheduler state, and a resumed run continues on the
same lr trajectory. An entry is ``fn(base, minimum, t, total) -> lr`` over the epochs after warm-up
(``t = 0 .. total - 1``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from searchcore.registry import Registry

ScheduleFn = Callable[[float, float, int, int], float]
"""(base lr, minimum lr, epoch t after warm-up, epochs after warm-up) -> lr of epoch t."""

LR_SCHEDULES: Registry[ScheduleFn] = Registry("lr schedule")


@LR_SCHEDULES.decorator("cosine")
def cosine(base: float, minimum: float, t: int, total: int) -> float:
    """Cosine from ``base`` to ``minimum``, evaluated once per epoch (DA ``train.py``: CosineAnnealingLR(epochs,
    eta_min=0) stepped per epoch, reference-notes §3.3; AutoDL ``cos`` scheduler, 200E.config)."""
    return minimum + (base - minimum) * (1 + math.cos(math.pi * t / total)) / 2


@LR_SCHEDULES.decorator("linear")
def linear(base: float, minimum: float, t: int, total: int) -> float:
    """Straight line from ``base`` (epoch 0) towards ``minimum`` (reached after the last epoch)."""
    return minimum + (base - minimum) * (1.0 - t / total)


@LR_SCHEDULES.decorator("linear-pc-darts")
def linear_pc_darts(base: float, minimum: float, t: int, total: int) -> float:
    """PC-DARTS ``train_imagenet.py`` ``adjust_lr`` (yuhuixu1993/PC-DARTS 5680491), the ImageNet schedule EM-DARTS
    cites (000_… A.5.2, "Xu et al., 2020"): linear to 0 over the first ``total - 5`` epochs, then a 5x smaller
    slope over the last 5 ("lr * 1/250 is relatively large"). ``minimum`` is ignored (the script has none); runs of
    5 epochs or fewer (tests) fall back to :func:`linear` to 0."""
    if total <= 5:
        return linear(base, 0.0, t, total)
    if total - t > 5:
        return base * (total - 5 - t) / (total - 5)
    return base * (total - t) / ((total - 5) * 5)


@LR_SCHEDULES.decorator("exponential-0.97")
def exponential_097(base: float, minimum: float, t: int, total: int) -> float:
    """``base · 0.97^t``: DARTS' own ImageNet schedule (quark0/darts ``cnn/train_imagenet.py``: StepLR with
    decay_period 1, gamma 0.97, stepped once per epoch). ``minimum`` is ignored (the script has none). The
    script steps the scheduler before each epoch, which under the PyTorch of its time shifted the curve by one
    epoch (epoch 0 at base·0.97); here epoch 0 trains at ``base``, as every schedule here does."""
    return base * 0.97 ** t


@LR_SCHEDULES.decorator("constant")
def constant(base: float, minimum: float, t: int, total: int) -> float:
    """``base`` throughout (ablations, tests)."""
    return base


WarmupMode = Literal["scale", "prepend"]


def learning_rate(kind: str, base: float, minimum: float, epoch: int, epochs: int, warmup_epochs: int = 0,
                  warmup: WarmupMode = "scale") -> float:
    """The lr of ``epoch`` (0-based) of ``epochs``, with ``warmup_epochs`` of linear warm-up.

    ``scale`` (PC-DARTS ``train_imagenet.py``: ``lr * (epoch + 1) / 5`` for the first 5 epochs): the schedule
    runs over all epochs and warm-up epoch e multiplies it by (e + 1) / W. ``prepend`` (AutoDL's schedulers,
    IS-DARTS' evaluation: "595 epochs + 5 warm-up", reference-notes §3.3): W warm-up epochs at base·(e + 1)/W,
    then the schedule over the remaining ``epochs - W`` epochs. AutoDL raises the warm-up lr per iteration;
    here it is set per epoch, like everything else.
    """
    fn = LR_SCHEDULES.get(kind)
    if warmup_epochs <= 0:
        return fn(base, minimum, epoch, epochs)
    ramp = min(1.0, (epoch + 1) / warmup_epochs)
    if warmup == "scale":
        return fn(base, minimum, epoch, epochs) * ramp
    if epoch < warmup_epochs:
        return base * ramp
    return fn(base, minimum, epoch - warmup_epochs, epochs - warmup_epochs)
