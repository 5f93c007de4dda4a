"""Search supernet of a MobileNet-like chain: one mixed op per searchable layer.

stem (3×3 conv stride 2, BN, ReLU6) → first MBConv (expansion 1, 3×3) → searchable layers → feature mix
(1×1 conv, BN, ReLU6) → global average pool → linear: ProxylessNAS' ``SuperProxylessNASNets`` with
DARTS' continuous relaxation in place of its binarised paths. Layer i computes Σ_k w_k · op_k(x) over its
candidates (DARTS Eq. 2, ``MixedOp``), where each candidate is the layer it would be in the derived
network: an MBConv, with the identity shortcut on shape-keeping layers, or ``skip_connect`` (the
identity). Under softmax (weights summing to 1) this equals ProxylessNAS' residual block around a mixed
op with a ``Zero`` candidate, x + Σ_{MBConv k} w_k · MBConv_k(x); other activations keep the DARTS form.

α layout: one cell type per searchable layer, each (1 edge, its candidates) — 7 candidates on skippable
layers, 6 on the others — so every α row is one layer and the method machinery (activations,
regularisers, EM-DARTS' per-edge mutation via :meth:`Supernet.mutate`, DARTS-PT's per-edge decisions,
IS-DARTS' per-edge comparison sets) applies per layer unchanged.

Candidate BN is affine-free (DARTS' search ops, quark0/darts ``model_search.py``), the fixed stem, first
block and head are affine. Widths: ``supernet.channels`` is the first MBConv's width (ProxylessNAS: 16), so
the default 16 is the paper's supernet and every other width scales by ``channels / 16`` with ProxylessNAS'
rounding to multiples of 8 (``ChainSpec.width``). Depth is the space's (α has a row per layer), so
``supernet.layers`` / ``cells_per_stage`` do not apply; ``pool_bn`` / ``final_bn_relu`` neither (no pools;
the feature mix always ends in BN + ReLU6).
"""

from __future__ import annotations

import torch
from torch import nn

from searchcore.architectures.mobilenet import SKIP, ChainSpec, Layer
from searchcore.mbconv import MBConv, conv_bn_relu6, mbconv_shape
from searchcore.ops import Identity
from searchcore.spaces import SearchSpace
from searchcore.supernets.base import Supernet
from searchcore.supernets.mixed import MixedOp


class ChainMixedOp(MixedOp):
    """A mixed op whose candidates map C_in to C_out channels (so an all-masked layer outputs C_out zeros)."""

    def __init__(self, op_names: tuple[str, ...], modules: list[nn.Module], c_out: int, stride: int) -> None:
        super().__init__(op_names, c_out, stride, track_running_stats=True, pool_bn=False, modules=modules)
        self.c_out = c_out

    def _zeros(self, x: torch.Tensor) -> torch.Tensor:
        s = self.stride
        return x[:, :1, ::s, ::s].mul(0.0).expand(-1, self.c_out, -1, -1)


class ChainLayer(nn.Module):
    """One searchable layer: a cell of one edge (``mixed[0]``), as the IIM probes and PT expect cells."""

    def __init__(self, layer: Layer, op_names: tuple[str, ...], c_in: int, c_out: int, track: bool) -> None:
        super().__init__()
        modules: list[nn.Module] = []
        for name in op_names:
            if name == SKIP:
                modules.append(Identity())
            else:
                kernel, expand = mbconv_shape(name)
                modules.append(MBConv(c_in, c_out, kernel, layer.stride, expand, affine=False, track=track,
                                      residual=layer.skippable))
        self.mixed = nn.ModuleList([ChainMixedOp(op_names, modules, c_out, layer.stride)])

    def forward(self, x: torch.Tensor, weights: torch.Tensor, active: list[list[int]]) -> torch.Tensor:
        return self.mixed[0](x, weights[0], active[0], lambda: torch.relu(x))  # no pre-activated candidates


class MobileNetSupernet(Supernet):
    def __init__(self, space: SearchSpace, chain: ChainSpec, num_classes: int, channels: int = 16,
                 track_running_stats: bool = True, activation: str = "softmax") -> None:
        super().__init__(space, activation)
        width = channels / chain.first
        layers = chain.layers()
        if len(layers) != len(space.cells):
            raise ValueError(f"space {space.name}: {len(space.cells)} layer cell types for a chain of {len(layers)}")
        stem, first = chain.width(chain.stem, width), chain.width(chain.first, width)
        self.stem = conv_bn_relu6(3, stem, 3, 2)
        self.first = MBConv(stem, first, 3, 1, 1)
        self.layers = nn.ModuleList(
            ChainLayer(layer, cell.edge_ops[0], chain.width(layer.c_in, width), chain.width(layer.c_out, width),
                       track_running_stats)
            for layer, cell in zip(layers, space.cells)
        )
        head = chain.head_width(width)
        self.feature_mix = conv_bn_relu6(chain.width(chain.stages[-1].width, width), head, 1, 1)
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(head, num_classes)

    def search_cells(self) -> list[tuple[str, nn.Module]]:
        return [(cell.name, layer) for cell, layer in zip(self.space.cells, self.layers)]

    def forward_cells(
        self, x: torch.Tensor, cell_weights: list[torch.Tensor], cell_active: list[list[list[int]]],
    ) -> torch.Tensor:
        h = self.first(self.stem(x))
        for layer, w, active in zip(self.layers, cell_weights, cell_active):
            h = layer(h, w, active)
        h = self.global_pool(self.feature_mix(h)).flatten(1)
        return self.classifier(h)
