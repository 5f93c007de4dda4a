"""A search that has diverged fails loudly instead of reporting NaN as a result.

With a huge learning rate every loss becomes NaN, α becomes NaN, and the architecture derived from NaN α
is all ``none``: left alone, such a trial "finishes" and its benchmark accuracy may even be the best of a
sweep. The loop checks every epoch's losses and α and raises :class:`DivergedError`, which the harness
records as the trial's status (``DIVERGED``) without retrying (the run is deterministic: it would diverge
again) and without writing the diverged epoch as a result row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch

LOSS_KEYS = ("train_loss", "arch_loss", "val_loss")


class DivergedError(FloatingPointError):
    """A non-finite loss or architecture parameter; the message names the epoch and the values."""


def check_finite(epoch: int, metrics: Mapping[str, Any], alphas: Mapping[str, torch.Tensor]) -> None:
    """Raise :class:`DivergedError` ("diverged at epoch E (...)") if a loss or any α is not finite."""
    bad = [f"{k}={metrics[k]}" for k in LOSS_KEYS
           if isinstance(metrics.get(k), float) and not math.isfinite(metrics[k])]
    bad += [f"α[{name}] has {int((~torch.isfinite(a)).sum())} non-finite values"
            for name, a in alphas.items() if not bool(torch.isfinite(a).all())]
    if bad:
        raise DivergedError(f"diverged at epoch {epoch} ({', '.join(bad)})")
