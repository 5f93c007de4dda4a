"""DARTS-PT's decision schedule: which edge or node is decided before which tuning epoch (Wang et al.
2021, Alg. 1; reference-notes §5). Families pick the variant their reference script uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from searchcore.spaces import SearchSpace

Phase = Literal["operation", "topology"]


@dataclass(frozen=True)
class Slot:
    """One scheduled decision: before tuning epoch ``epoch``, decide ``edge`` (operation) or ``node``
    (topology) of cell type ``cell``."""

    epoch: int
    phase: Phase
    cell: str
    edge: int | None = None
    node: int | None = None


def interleaved_schedule(
    space: SearchSpace, tune_epochs: int, seed: int, topology_nodes: list[int],
) -> tuple[list[Slot], int]:
    """sota/cnn/projection.py: T = intv·(E + N − 1) + 1 tuning epochs for E edges and N topology nodes;
    decisions before epochs {0, intv, ...}: the first E pick one random undecided edge in *each* cell type,
    the last N one random node per cell type. Random orders from ``np.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    n_edges = len(space.edges)
    total = tune_epochs * (n_edges + len(topology_nodes) - 1) + 1
    edge_orders = {c.name: rng.permutation(n_edges).tolist() for c in space.cells}
    node_orders = {c.name: [topology_nodes[i] for i in rng.permutation(len(topology_nodes))] for c in space.cells}
    slots: list[Slot] = []
    for k in range(n_edges):
        slots.extend(Slot(k * tune_epochs, "operation", c.name, edge=edge_orders[c.name][k]) for c in space.cells)
    for i in range(len(topology_nodes)):
        t = (n_edges + i) * tune_epochs
        slots.extend(Slot(t, "topology", c.name, node=node_orders[c.name][i]) for c in space.cells)
    return slots, total


def last_epoch_schedule(space: SearchSpace, tune_epochs: int, seed: int) -> tuple[list[Slot], int]:
    """nasbench201/projection.py: T = intv·(E−1) tuning epochs; decisions before epochs k·intv and before
    the last epoch T−1 ({0, 5, 10, 15, 20, 24} on NB201), one random undecided edge each, one cell type.
    With ``tune_epochs = 1`` the reference's rule would leave an edge undecided; here T grows by one epoch
    so that every edge gets its decision."""
    rng = np.random.default_rng(seed)
    n_edges = len(space.edges)
    cell = space.cells[0].name
    total = max(tune_epochs * (n_edges - 1), n_edges)
    epochs = [k * tune_epochs for k in range(n_edges - 1)] + [total - 1]
    order = rng.permutation(n_edges).tolist()
    return [Slot(t, "operation", cell, edge=e) for t, e in zip(epochs, order)], total


def single_edge_schedule(cell: str, edge: int, tune_epochs: int) -> tuple[list[Slot], int]:
    """One operation decision before tuning epoch 0, then ``tune_epochs`` epochs: discretising one edge and tuning
    the rest until it converges again (001_… §3.1 "discretization accuracy at convergence", Figures 1 and 2)."""
    return [Slot(0, "operation", cell, edge=edge)], tune_epochs
