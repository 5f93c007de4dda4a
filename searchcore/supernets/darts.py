"""DARTS-space search supernet: quark0/darts ``model_search.Network`` (reference-notes §3.2).

stem 3x3 conv to 3C + BN; ``layers`` cells (8), reductions at layers//3 and 2*layers//3 double C;
preprocess0 = FactorizedReduce after a reduction cell, else ReLU-1x1 conv-BN; preprocess1 =
ReLU-1x1 conv-BN; 4 intermediate nodes each summing its mixed input edges; output = concat of the 4
nodes (4C). All search BNs are affine-free; pools are followed by BN(affine=False) in search only
(DA issue #10). ``pool_bn=False`` + ``final_bn_relu=True`` give IS-DARTS' network (xautodl NASNet search
model: no BN after pools, BN + ReLU before global pooling; reference-notes §6). Edges from the two
inputs of a reduction cell have stride 2. Used for ``darts``, ``darts7`` and ``s1``–``s5``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from searchcore.ops import FactorizedReduce, ReLUConvBN
from searchcore.spaces import CellSpace, SearchSpace
from searchcore.supernets.base import Supernet
from searchcore.supernets.mixed import MixedOp


class DartsSearchCell(nn.Module):
    def __init__(
        self, cell: CellSpace, edges: tuple[tuple[int, int], ...], c_pp: int, c_p: int, c: int,
        reduction: bool, reduction_prev: bool, track: bool, pool_bn: bool = True,
    ) -> None:
        super().__init__()
        self.reduction = reduction
        self.cell_type = cell.name
        self.edges = edges
        self.preprocess0: nn.Module = (
            FactorizedReduce(c_pp, c, affine=False, track=track) if reduction_prev
            else ReLUConvBN(c_pp, c, 1, 1, 0, affine=False, track=track)
        )
        self.preprocess1 = ReLUConvBN(c_p, c, 1, 1, 0, affine=False, track=track)
        self.mixed = nn.ModuleList(
            MixedOp(ops, c, 2 if reduction and j < 2 else 1, track, pool_bn=pool_bn)
            for ops, (_, j) in zip(cell.edge_ops, edges)
        )

    def forward(
        self, s0: torch.Tensor, s1: torch.Tensor, weights: torch.Tensor, active: list[list[int]],
    ) -> torch.Tensor:
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        relus: dict[int, torch.Tensor] = {}

        def relu_of(j: int) -> Callable[[], torch.Tensor]:
            def get() -> torch.Tensor:
                if j not in relus:
                    relus[j] = torch.relu(states[j])
                return relus[j]

            return get

        node_sum: torch.Tensor | None = None
        for e, (node, j) in enumerate(self.edges):
            y = self.mixed[e](states[j], weights[e], active[e], relu_of(j))
            node_sum = y if node_sum is None else node_sum + y
            if e + 1 == len(self.edges) or self.edges[e + 1][0] != node:
                states.append(node_sum)
                node_sum = None
        return torch.cat(states[-4:], dim=1)


class DartsSupernet(Supernet):
    def __init__(
        self, space: SearchSpace, num_classes: int, channels: int = 16, layers: int = 8,
        track_running_stats: bool = True, activation: str = "softmax", steps: int = 4, multiplier: int = 4,
        stem_multiplier: int = 3, pool_bn: bool = True, final_bn_relu: bool = False,
    ) -> None:
        super().__init__(space, activation)
        c_curr = stem_multiplier * channels
        self.stem = nn.Sequential(nn.Conv2d(3, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr))
        c_pp, c_p, c_curr = c_curr, c_curr, channels
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c_curr *= 2
            cell = space.cell("reduce" if reduction else "normal")
            self.cells.append(DartsSearchCell(
                cell, space.edges, c_pp, c_p, c_curr, reduction, reduction_prev, track_running_stats, pool_bn
            ))
            reduction_prev = reduction
            c_pp, c_p = c_p, multiplier * c_curr
        self.lastact: nn.Module = (nn.Sequential(nn.BatchNorm2d(c_p), nn.ReLU()) if final_bn_relu
                                   else nn.Identity())
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_p, num_classes)

    def search_cells(self) -> list[tuple[str, nn.Module]]:
        return [(m.cell_type, m) for m in self.cells]

    def forward_cells(
        self, x: torch.Tensor, cell_weights: list[torch.Tensor], cell_active: list[list[list[int]]],
    ) -> torch.Tensor:
        s0 = s1 = self.stem(x)
        for cell, w, active in zip(self.cells, cell_weights, cell_active):
            s0, s1 = s1, cell(s0, s1, w, active)
        return self.classifier(self.global_pool(self.lastact(s1)).flatten(1))
