"""Search spaces: per-cell-type, per-edge candidate op lists, in a registry.

Two families share the machinery:

* ``nb201`` cells have 4 nodes; node i sums edges from every j < i; the edge order is the official
  arch-string order (1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2); one cell type (``cell``) shared by all 15 cells.
* ``darts`` cells have 2 inputs and 4 intermediate nodes; edge k runs node by node (node 2: inputs 0, 1;
  node 3: 0..2; node 4: 0..3; node 5: 0..4), 14 edges; two cell types, ``normal`` and ``reduce``.

α layout: one tensor per cell type, shape (edges, ops), row e = edge e in the order above, column k =
``edge_ops[e][k]``. Every edge of a cell type has the same number of candidates (true for all papers'
spaces), so α stays rectangular even where op sets differ per edge (S1).

S1–S4 op sets are RobustDARTS ``spaces.py`` (reference-notes §4.1); ``darts7`` is DARTS-PT's space
(the DARTS ops without ``none``); ``s5`` is EM-DARTS' parametric-only space (its README and spaces.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from searchcore.ops import OPS
from searchcore.registry import Registry

Family = Literal["nb201", "darts"]

NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
DARTS_OPS = (
    "none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
    "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5",
)

NB201_EDGES: tuple[tuple[int, int], ...] = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))
"""(target node, input node) per NB201 edge, in the official arch-string order."""

DARTS_EDGES: tuple[tuple[int, int], ...] = tuple((node, j) for node in range(2, 6) for j in range(node))
"""(target node, input node) per DARTS edge; nodes 0 and 1 are the outputs of cells k-2 and k-1."""


@dataclass(frozen=True)
class CellSpace:
    """Candidate ops of one cell type, per edge."""

    name: str
    edge_ops: tuple[tuple[str, ...], ...]

    @property
    def num_edges(self) -> int:
        return len(self.edge_ops)

    @property
    def num_ops(self) -> int:
        return len(self.edge_ops[0])

    def parametric_mask(self) -> list[list[bool]]:
        """(edges, ops): whether each candidate has parameters (a property of the op)."""
        return [[OPS.get(op).parametric for op in ops] for ops in self.edge_ops]


@dataclass(frozen=True)
class SearchSpace:
    name: str
    family: Family
    cells: tuple[CellSpace, ...]
    description: str
    source: str

    @property
    def edges(self) -> tuple[tuple[int, int], ...]:
        return NB201_EDGES if self.family == "nb201" else DARTS_EDGES

    @property
    def cell_types(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.cells)

    def cell(self, name: str) -> CellSpace:
        for c in self.cells:
            if c.name == name:
                return c
        raise KeyError(f"space {self.name!r} has no cell type {name!r}; it has {self.cell_types}")

    def all_ops(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for cell in self.cells:
            for ops in cell.edge_ops:
                seen.update(dict.fromkeys(ops))
        return tuple(seen)


SPACES: Registry[SearchSpace] = Registry("search space")


def _uniform(name: str, ops: tuple[str, ...], edges: int) -> CellSpace:
    return CellSpace(name, tuple(ops for _ in range(edges)))


def _darts_space(name: str, ops: tuple[str, ...], description: str, source: str) -> SearchSpace:
    cells = (_uniform("normal", ops, 14), _uniform("reduce", ops, 14))
    return SearchSpace(name, "darts", cells, description, source)


def _check(space: SearchSpace) -> SearchSpace:
    for cell in space.cells:
        if cell.num_edges != len(space.edges):
            raise ValueError(f"{space.name}/{cell.name}: {cell.num_edges} edges, expected {len(space.edges)}")
        if len({len(ops) for ops in cell.edge_ops}) != 1:
            raise ValueError(f"{space.name}/{cell.name}: every edge must have the same number of candidates")
        for ops in cell.edge_ops:
            for op in ops:
                OPS.get(op)
    return space


def register_space(space: SearchSpace) -> SearchSpace:
    return SPACES.register(space.name, _check(space))


_S1_NORMAL = (
    ("skip_connect", "dil_conv_3x3"), ("skip_connect", "dil_conv_5x5"), ("skip_connect", "dil_conv_5x5"),
    ("skip_connect", "sep_conv_3x3"), ("skip_connect", "dil_conv_3x3"), ("max_pool_3x3", "skip_connect"),
    ("skip_connect", "sep_conv_3x3"), ("skip_connect", "sep_conv_3x3"), ("skip_connect", "dil_conv_3x3"),
    ("skip_connect", "sep_conv_3x3"), ("max_pool_3x3", "skip_connect"), ("skip_connect", "dil_conv_3x3"),
    ("dil_conv_3x3", "dil_conv_5x5"), ("dil_conv_3x3", "dil_conv_5x5"),
)
_S1_REDUCE = (
    ("max_pool_3x3", "avg_pool_3x3"), ("max_pool_3x3", "dil_conv_3x3"), ("max_pool_3x3", "avg_pool_3x3"),
    ("max_pool_3x3", "avg_pool_3x3"), ("skip_connect", "dil_conv_5x5"), ("max_pool_3x3", "avg_pool_3x3"),
    ("max_pool_3x3", "sep_conv_3x3"), ("skip_connect", "dil_conv_3x3"), ("skip_connect", "dil_conv_5x5"),
    ("max_pool_3x3", "avg_pool_3x3"), ("max_pool_3x3", "avg_pool_3x3"), ("skip_connect", "dil_conv_5x5"),
    ("skip_connect", "dil_conv_5x5"), ("skip_connect", "dil_conv_5x5"),
)

register_space(SearchSpace(
    "nb201", "nb201", (_uniform("cell", NB201_OPS, 6),),
    "NAS-Bench-201: 5 ops, 6 edges, one cell type shared by all cells",
    "Dong & Yang 2020; AutoDL search_model_darts.py (reference-notes §2)",
))
register_space(_darts_space(
    "darts", DARTS_OPS, "DARTS CNN space: 8 ops incl. none, 14 edges, normal + reduce",
    "Liu et al. 2019; quark0/darts operations.py (reference-notes §3)",
))
register_space(_darts_space(
    "darts7", DARTS_OPS[1:], "DARTS-PT's DARTS space: the 7 ops without none",
    "Wang et al. 2021 (DARTS-PT) spaces.py 's5' (reference-notes §4.1)",
))
register_space(SearchSpace(
    "s1", "darts", (CellSpace("normal", _S1_NORMAL), CellSpace("reduce", _S1_REDUCE)),
    "RobustDARTS S1: two ops per edge, per-edge sets", "Zela et al. 2020, spaces.py (reference-notes §4.1)",
))
register_space(_darts_space(
    "s2", ("skip_connect", "sep_conv_3x3"), "RobustDARTS S2: {skip_connect, sep_conv_3x3}", "Zela et al. 2020",
))
register_space(_darts_space(
    "s3", ("none", "skip_connect", "sep_conv_3x3"), "RobustDARTS S3: {none, skip_connect, sep_conv_3x3}",
    "Zela et al. 2020",
))
register_space(_darts_space(
    "s4", ("noise", "sep_conv_3x3"), "RobustDARTS S4: {noise, sep_conv_3x3}", "Zela et al. 2020",
))
register_space(_darts_space(
    "s5", ("sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"),
    "EM-DARTS S5: the 4 parametric DARTS ops", "EM-DARTS (ICLR 2025 submission) spaces.py (reference-notes §4.1)",
))


def get_space(name: str) -> SearchSpace:
    return SPACES.get(name)
