"""NAS-Bench-201 cells: ops, edges, the official arch string, and argmax derivation.

Arch string (official format): ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``; the three groups are nodes 1..3
and ``op~j`` is the edge from node j (reference-notes §2.1, SOURCE.md "API conventions").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
NB201_EDGES: tuple[tuple[int, int], ...] = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))
"""(target node, input node) per NB201 edge, in the official arch-string order."""
NB201_CELL = "cell"
"""The one cell type, shared by all 15 cells."""


def nb201_arch_str(edge_ops: Sequence[str]) -> str:
    """Official arch string from 6 op names in edge order (1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2)."""
    if len(edge_ops) != len(NB201_EDGES):
        raise ValueError(f"an NB201 cell has 6 edges, got {len(edge_ops)} ops")
    groups: list[list[str]] = [[], [], []]
    for (node, j), op in zip(NB201_EDGES, edge_ops):
        groups[node - 1].append(f"{op}~{j}")
    return "+".join("|" + "|".join(g) + "|" for g in groups)


def parse_nb201_arch(arch: str) -> list[str]:
    """6 op names in edge order from an official arch string; clear error on a malformed one."""
    nodes = arch.strip().split("+")
    if len(nodes) != 3:
        raise ValueError(f"not an NB201 arch string (needs 3 '+'-separated nodes): {arch!r}")
    ops: list[str] = []
    for i, node in enumerate(nodes, start=1):
        parts = node.strip("|").split("|")
        if len(parts) != i:
            raise ValueError(f"node {i} of {arch!r} must have {i} inputs, has {len(parts)}")
        for j, part in enumerate(parts):
            op, _, src = part.partition("~")
            if src != str(j) or op not in NB201_OPS:
                raise ValueError(f"bad edge {part!r} in {arch!r}: expected 'op~{j}' with op in {NB201_OPS}")
            ops.append(op)
    return ops


@dataclass(frozen=True)
class NB201Arch:
    """One NB201 cell: an op per edge, in edge order."""

    ops: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> NB201Arch:
        return cls(tuple(parse_nb201_arch(text)))

    def to_str(self) -> str:
        return nb201_arch_str(self.ops)

    def cell_ops(self) -> dict[str, list[str]]:
        return {NB201_CELL: list(self.ops)}

    def benchmark_key(self) -> str | None:
        return self.to_str()

    def __str__(self) -> str:
        return self.to_str()


def best_op(names: Sequence[str], row: torch.Tensor, exclude_none: bool) -> str:
    """Argmax of one edge's weights (first in list order on ties); ``exclude_none`` skips ``none``."""
    order = torch.argsort(row, descending=True, stable=True).tolist()
    for k in order:
        if not (exclude_none and names[k] == "none"):
            return names[k]
    return names[order[0]]
