"""NAS-Bench-201's discrete (evaluation) network for one arch string (reference-notes §2.1).

This is the network the benchmark trained for every cell (AutoDL ``TinyNetwork`` with ``InferCell``):
stem (3x3 conv 3->C without bias, BN) | N cells at C | ResNet block (stride 2, C->2C) | N cells at 2C |
ResNet block (->4C) | N cells at 4C | BN-ReLU | global average pool | linear; C = 16, N = 5.

Cell: node 0 is the cell input, node i = Σ_{j<i} op_{i<-j}(node j), output = node 3 (no concat). Ops are
the NB201 ops of :mod:`searchcore.ops` with affine BN and running statistics; at affine=True a conv has no
bias (AutoDL's rule "bias exactly when not affine"), which is what makes the parameter count equal the
benchmark's ``params`` column (checked on sampled archs in ``tests/searchcore/networks``).
"""

from __future__ import annotations

import torch
from torch import nn

from searchcore.architectures.nb201 import NB201_EDGES, parse_nb201_arch
from searchcore.blocks import ResNetBasicBlock
from searchcore.ops import build_op


class NB201Cell(nn.Module):
    """One NB201 cell for fixed ops; 'none' edges are not computed (their term is exactly 0)."""

    def __init__(self, edge_ops: list[str], channels: int, track_running_stats: bool = True) -> None:
        super().__init__()
        if len(edge_ops) != len(NB201_EDGES):
            raise ValueError(f"an NB201 cell has {len(NB201_EDGES)} edges, got {len(edge_ops)} ops")
        self.edge_ops = tuple(edge_ops)
        self.ops = nn.ModuleList(
            build_op(name, channels, 1, affine=True, track_running_stats=track_running_stats) for name in edge_ops
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, H, W) -> (B, C, H, W)
        nodes: list[torch.Tensor] = [x]
        for node in range(1, 4):
            total: torch.Tensor | None = None
            for e, (target, j) in enumerate(NB201_EDGES):
                if target != node or self.edge_ops[e] == "none":
                    continue
                y = self.ops[e](nodes[j])
                total = y if total is None else total + y
            nodes.append(torch.zeros_like(x) if total is None else total)
        return nodes[-1]


class NB201Network(nn.Module):
    """The NB201 evaluation network of ``arch`` (official arch string); ``forward`` returns logits."""

    def __init__(
        self, arch: str, channels: int = 16, cells_per_stage: int = 5, num_classes: int = 10,
        track_running_stats: bool = True,
    ) -> None:
        super().__init__()
        self.arch = arch
        edge_ops = parse_nb201_arch(arch)
        self.stem = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels))
        modules: list[nn.Module] = []
        c = channels
        for stage in range(3):
            if stage > 0:
                modules.append(ResNetBasicBlock(c, 2 * c, 2, track_running_stats))
                c *= 2
            modules.extend(NB201Cell(edge_ops, c, track_running_stats) for _ in range(cells_per_stage))
        self.cells = nn.ModuleList(modules)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU())
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, H, W) -> (B, classes)
        h = self.stem(x)
        for module in self.cells:
            h = module(h)
        return self.classifier(self.global_pool(self.lastact(h)).flatten(1))
