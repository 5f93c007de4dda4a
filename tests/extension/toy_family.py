"""A toy space family registered from outside the package: the proof that a new family, space, α-loss
regulariser and selection rule need no edit to any core module.

The cell has 2 computed nodes (node 1 <- 0; node 2 <- 0, 1: 3 edges) with 3 candidate ops per edge; the
supernet is a stem, ``cells`` such cells and a linear head; the architecture's text form is
``toy:op,op,op``. Loaded through ``DARTSWEEP_PLUGINS=tests.extension.toy_family`` in Ray workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from searchcore.config import SupernetConfig
from searchcore.families import FAMILIES, NetworkDefaults, SpaceFamily, register_family
from searchcore.methods.regularizers import REGULARIZERS
from searchcore.ops import build_op
from searchcore.selection.rules import SELECTION_RULES, SelectionRule, register_rule
from searchcore.spaces import SPACES, SearchSpace, register_space, uniform_cell
from searchcore.supernets.base import Supernet
from searchcore.supernets.nb201 import NB201SearchCell

TOY_OPS = ("skip_connect", "nor_conv_3x3", "avg_pool_3x3")
TOY_EDGES = ((1, 0), (2, 0), (2, 1))


@dataclass(frozen=True)
class ToyArch:
    ops: tuple[str, ...]

    def to_str(self) -> str:
        return "toy:" + ",".join(self.ops)

    def cell_ops(self) -> dict[str, list[str]]:
        return {"cell": list(self.ops)}

    def benchmark_key(self) -> str | None:
        return None


class ToySupernet(Supernet):
    def __init__(self, space: SearchSpace, num_classes: int, channels: int, cells: int, activation: str) -> None:
        super().__init__(space, activation)
        self.stem = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels))
        self.cells = nn.ModuleList(NB201SearchCell(space.cells[0], space.edges, channels, False) for _ in range(cells))
        self.head = nn.Linear(channels, num_classes)

    def search_cells(self) -> list[tuple[str, nn.Module]]:
        return [("cell", c) for c in self.cells]

    def forward(self, x, weights=None, mutator=None):
        weights = self.edge_weights() if weights is None else weights
        w, active = weights["cell"], self.active_lists(weights["cell"])
        h = self.stem(x)
        for cell in self.cells:
            w_i, active_i = self.mutate(w, active, self.space.cells[0], mutator)
            h = cell(h, w_i, active_i)
        return self.head(h.mean(dim=(2, 3)))


class ToyNetwork(nn.Module):
    def __init__(self, arch: ToyArch, channels: int, cells: int, num_classes: int) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 3, padding=1)
        self.ops = nn.ModuleList(nn.ModuleList(build_op(op, channels, 1, True, True) for op in arch.ops)
                                 for _ in range(cells))
        self.head = nn.Linear(channels, num_classes)

    def forward(self, x):
        h = self.stem(x)
        for a, b, c in self.ops:
            n1 = a(h)
            h = b(h) + c(n1)
        return self.head(h.mean(dim=(2, 3)))


class ToyFamily(SpaceFamily):
    name = "toy"
    description = "a 2-node cell with 3 ops per edge (test plugin)"

    def build_supernet(self, space: SearchSpace, net: SupernetConfig, activation: str, num_classes: int) -> Supernet:
        return ToySupernet(space, num_classes, net.channels, net.cells_per_stage, activation)

    def derive(self, space, weights, exclude_none):
        w = weights["cell"]  # (edges, ops)
        return ToyArch(tuple(space.cells[0].edge_ops[e][int(w[e].argmax())] for e in range(w.shape[0])))

    def from_masks(self, space, masks):
        return self.derive(space, masks, False)

    def parse_architecture(self, text: str) -> ToyArch:
        if not text.startswith("toy:") or len(text[4:].split(",")) != 3:
            raise ValueError(f"not a toy architecture: {text!r} (expected 'toy:op,op,op')")
        return ToyArch(tuple(text[4:].split(",")))

    def network_defaults(self, dataset: str) -> NetworkDefaults:
        return NetworkDefaults("ToyNetwork", 2, 8, "cells", "test plugin")

    def build_network(self, architecture, num_classes, dataset, layers=None, channels=None, auxiliary=True):
        d = self.network_defaults(dataset)
        return ToyNetwork(architecture, channels or d.channels, layers or d.layers, num_classes)


class ParametricOnly(SelectionRule):
    """A toy search-time rule: the strongest *parametric* op of each edge."""

    def architecture(self, space, model):
        with torch.no_grad():
            w = model.edge_weights()["cell"]
        cell = space.cells[0]
        masked = torch.where(torch.tensor(cell.parametric_mask()), w, torch.full_like(w, -1.0))
        return ToyArch(tuple(cell.edge_ops[e][int(masked[e].argmax())] for e in range(cell.num_edges)))


NAMES = {"family": "toy", "space": "toy2", "regularizer": "toy-l2", "rule": "toy-parametric"}


def register() -> None:
    family = register_family(ToyFamily())
    register_space(SearchSpace(NAMES["space"], family, (uniform_cell("cell", TOY_OPS, 3),), TOY_EDGES,
                               "toy space: 2 computed nodes, 3 ops", "tests/extension"))
    REGULARIZERS.register(NAMES["regularizer"], lambda alpha: alpha.pow(2).sum(dim=-1))  # (edges, ops) -> (edges,)
    register_rule(ParametricOnly(NAMES["rule"], "search", "strongest parametric op", "tests/extension"))


def unregister() -> None:
    """Leave the registries as they were (the registry-wide tests must not see the toy entries)."""
    FAMILIES.unregister(NAMES["family"])
    SPACES.unregister(NAMES["space"])
    REGULARIZERS.unregister(NAMES["regularizer"])
    SELECTION_RULES.unregister(NAMES["rule"])


register()
