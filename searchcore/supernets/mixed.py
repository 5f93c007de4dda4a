"""The mixed op: Σ_k w_k · op_k(x) over one edge's candidates, skipping work that cannot matter.

* Ops whose weight is exactly 0 are not computed (DARTS-PT's masked / decided edges, IS-DARTS' pruned
  ops, and a one-hot edge computes exactly one op: EM-DARTS' mutated edges). The caller passes the
  indices of the non-zero weights (``active``), computed once per cell on the host, so no per-edge
  device synchronisation is needed.
* ``none`` is never computed: its term is exactly 0.
* Conv candidates share one ``relu(x)`` (see ``ops.PreActivated``); the cell shares it across edges
  that read the same node.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from searchcore.ops import PreActivated, Zero, build_op


class MixedOp(nn.Module):
    def __init__(
        self, op_names: Sequence[str], channels: int, stride: int, track_running_stats: bool, pool_bn: bool,
        modules: Sequence[nn.Module] | None = None,
    ) -> None:
        """``modules``: ready-built candidates, one per name, instead of ``build_op``'s C -> C ones (chain
        layers whose candidates change the width: ``supernets/mobilenet.py``)."""
        super().__init__()
        self.op_names = tuple(op_names)
        self.stride = stride
        self.ops = nn.ModuleList(
            modules if modules is not None else
            (build_op(name, channels, stride, affine=False, track_running_stats=track_running_stats,
                      pool_bn=pool_bn) for name in op_names)
        )
        self._preact = [isinstance(op, PreActivated) for op in self.ops]
        self._zero = [isinstance(op, Zero) for op in self.ops]
        self.probe: Callable[[int, torch.Tensor], None] | None = None
        """Called with (op index, unweighted output) for every computed op (IS-DARTS' IIM hooks)."""

    def forward(
        self, x: torch.Tensor, weights: torch.Tensor, active: Sequence[int],
        x_relu: Callable[[], torch.Tensor],
    ) -> torch.Tensor:
        """``weights``: (ops,) for this edge; ``active``: indices with non-zero weight."""
        out: torch.Tensor | None = None
        for k in active:
            if self._zero[k]:
                continue
            op = self.ops[k]
            y = op.forward_relu(x_relu()) if self._preact[k] else op(x)
            if self.probe is not None:
                self.probe(k, y)
            term = y * weights[k]
            out = term if out is None else out + term
        if out is None:
            return self._zeros(x)
        return out

    def _zeros(self, x: torch.Tensor) -> torch.Tensor:
        s = self.stride
        return x[:, :, ::s, ::s].mul(0.0) if s > 1 else x.mul(0.0)

    def forward_all(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every candidate's output, unweighted (IS-DARTS' information measure needs them all)."""
        return [op(x) for op in self.ops]
