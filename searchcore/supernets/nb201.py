"""NAS-Bench-201 search supernet: AutoDL's DARTS-V1 ``TinyNetworkDarts`` (reference-notes §2.1).

stem (3x3 conv 3->C, BN) | N search cells at C | ResNet block (stride 2) | N cells at 2C | ResNet
block | N cells at 4C | BN-ReLU | global average pool | linear. C = 16, N = 5 (17 modules).
Search cells: node i = Σ_{j<i} mixed_edge(node j); the cell output is node 3 (no concat); op BNs are
affine-free; avg pool has no BN after it (``pool_bn`` adds one, as EM-DARTS' NB201 net has). One α
(6 edges x 5 ops) is shared by all cells.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from searchcore.blocks import ResNetBasicBlock
from searchcore.spaces import CellSpace, SearchSpace
from searchcore.supernets.base import Supernet
from searchcore.supernets.mixed import MixedOp


class NB201SearchCell(nn.Module):
    def __init__(self, cell: CellSpace, edges: tuple[tuple[int, int], ...], channels: int, track: bool,
                 pool_bn: bool = False) -> None:
        super().__init__()
        self.edges = edges
        self.mixed = nn.ModuleList(
            MixedOp(ops, channels, 1, track, pool_bn=pool_bn) for ops in cell.edge_ops
        )

    def forward(self, x: torch.Tensor, weights: torch.Tensor, active: list[list[int]]) -> torch.Tensor:
        nodes: list[torch.Tensor] = [x]
        relus: dict[int, torch.Tensor] = {}

        def relu_of(j: int) -> Callable[[], torch.Tensor]:
            def get() -> torch.Tensor:
                if j not in relus:
                    relus[j] = torch.relu(nodes[j])
                return relus[j]

            return get

        partial: dict[int, torch.Tensor] = {}
        for e, (node, j) in enumerate(self.edges):
            y = self.mixed[e](nodes[j], weights[e], active[e], relu_of(j))
            partial[node] = y if node not in partial else partial[node] + y
            if e + 1 == len(self.edges) or self.edges[e + 1][0] != node:
                nodes.append(partial.pop(node))
        return nodes[-1]


class NB201Supernet(Supernet):
    def __init__(
        self, space: SearchSpace, num_classes: int, channels: int = 16, cells_per_stage: int = 5,
        track_running_stats: bool = False, activation: str = "softmax", pool_bn: bool = False,
        final_bn_relu: bool = True,
    ) -> None:
        super().__init__(space, activation)
        cell = space.cells[0]
        self.stem = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels))
        blocks: list[nn.Module] = []
        c = channels
        for stage in range(3):
            if stage > 0:
                blocks.append(ResNetBasicBlock(c, 2 * c, 2))
                c *= 2
            blocks.extend(NB201SearchCell(cell, space.edges, c, track_running_stats, pool_bn)
                          for _ in range(cells_per_stage))
        self.cells = nn.ModuleList(blocks)
        self.lastact: nn.Module = (nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=True)) if final_bn_relu
                                   else nn.Identity())
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, num_classes)

    def search_cells(self) -> list[tuple[str, nn.Module]]:
        return [("cell", m) for m in self.cells if isinstance(m, NB201SearchCell)]

    def forward_cells(
        self, x: torch.Tensor, cell_weights: list[torch.Tensor], cell_active: list[list[list[int]]],
    ) -> torch.Tensor:
        h = self.stem(x)
        i = 0
        for module in self.cells:
            if isinstance(module, NB201SearchCell):
                h = module(h, cell_weights[i], cell_active[i])
                i += 1
            else:
                h = module(h)
        h = self.global_pool(self.lastact(h)).flatten(1)
        return self.classifier(h)
