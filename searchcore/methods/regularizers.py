"""α-loss regularisers, added to the architecture loss only.

* ``entropy`` (r-DARTS / BER): λ · mean over edges of H(softmax(α_e)). Its gradient w.r.t. α_e is
  −β ⊙ (H + log β) with β = softmax(α_e) (r-DARTS Eq. 19). The paper's code was unreachable; sign and
  schedule are configurable (reference-notes §8).
* ``beta_decay`` (β-DARTS): λ · mean over edges of logsumexp(α_e), λ ramped with the epoch
  (Beta-DARTS architect.py: λ = 50·epoch/100).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from searchcore.config import RegularizerConfig
from searchcore.registry import Registry

Term = Callable[[torch.Tensor], torch.Tensor]
"""(edges, ops) α of one cell type -> per-edge values (edges,)."""

REGULARIZERS: Registry[Term | None] = Registry("alpha regulariser")


def edge_entropy(alpha: torch.Tensor) -> torch.Tensor:
    log_beta = torch.log_softmax(alpha, dim=-1)
    return -(log_beta.exp() * log_beta).sum(dim=-1)


REGULARIZERS.register("none", None)
REGULARIZERS.register("entropy", edge_entropy)
REGULARIZERS.register("beta_decay", lambda alpha: torch.logsumexp(alpha, dim=-1))


def regularizer_weight(cfg: RegularizerConfig, epoch: int) -> float:
    if cfg.schedule == "constant":
        return cfg.lam
    return cfg.lam * min(1.0, epoch / cfg.ramp_epochs)


def regularizer_loss(cfg: RegularizerConfig, alphas: Iterable[torch.Tensor], epoch: int) -> torch.Tensor | None:
    """Signed, weighted mean of the term over every edge of every cell type; ``None`` when off."""
    term = REGULARIZERS.get(cfg.kind)
    if term is None:
        return None
    values = torch.cat([term(a) for a in alphas])
    return cfg.sign * regularizer_weight(cfg, epoch) * values.mean()
