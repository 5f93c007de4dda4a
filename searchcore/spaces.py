"""Search spaces: per-cell-type, per-edge candidate op lists, in a registry.

A space belongs to a *family* (``searchcore.families``): the family owns everything that depends on the
cell topology — the supernet, architecture derivation, DARTS-PT's decision schedule, IS-DARTS' comparison
sets, the evaluation network and benchmark lookups. The space itself is data: its cell types, the
edges of a cell as (target node, input node) pairs, and each edge's candidate ops. The built-in spaces
are registered by their family modules (``searchcore/families/nb201.py``, ``darts.py``).

α layout: one tensor per cell type, shape (edges, ops), row e = edge e in the order of ``edges``,
column k = ``edge_ops[e][k]``. Every edge of a cell type has the same number of candidates (true for all
papers' spaces), so α stays rectangular even where op sets differ per edge (S1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from searchcore.ops import OPS
from searchcore.registry import Registry

if TYPE_CHECKING:
    from searchcore.families.base import PaperValue, SpaceFamily


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


PaperValues = Mapping[str, Mapping[str, Mapping[str, "PaperValue"]]]
"""preset -> dataset (or ``"*"`` for any) -> dotted config key -> value with its source."""


@dataclass(frozen=True)
class SearchSpace:
    name: str
    family: SpaceFamily
    cells: tuple[CellSpace, ...]
    edges: tuple[tuple[int, int], ...]
    """(target node, input node) per edge, in α row order."""
    description: str
    source: str
    paper_values: PaperValues = field(default_factory=dict)
    """Preset values that belong to this space rather than its family (EM-DARTS Table 5's p_max for S1-S4)."""

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

    def nodes(self) -> list[int]:
        """Target nodes in edge order."""
        return sorted({n for n, _ in self.edges})

    def node_edges(self, node: int) -> list[int]:
        """Indices of the edges into ``node``."""
        return [e for e, (n, _) in enumerate(self.edges) if n == node]

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "family": self.family.name, "cells": {c.name: [c.num_edges, c.num_ops]
                for c in self.cells}, "ops": list(self.all_ops()), "source": self.source}


SPACES: Registry[SearchSpace] = Registry("search space", builtins="searchcore.families")


def uniform_cell(name: str, ops: tuple[str, ...], edges: int) -> CellSpace:
    """A cell type whose every edge has the same candidates."""
    return CellSpace(name, tuple(ops for _ in range(edges)))


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


def get_space(name: str) -> SearchSpace:
    return SPACES.get(name)
