"""What a space family is: everything that depends on a family's cell topology, in one object.

A family (NB201 cells, DARTS cells, ...) builds its search supernet, turns edge weights or selection masks
into an :class:`~searchcore.architectures.Architecture`, says how DARTS-PT schedules its decisions and
which nodes get a topology step, how IS-DARTS groups candidates, which evaluation network an
architecture trains as (with its paper defaults), which tabular benchmark scores it, and which preset
values are specific to it. Code outside ``searchcore/families/`` asks the family of a space
(``space.family``) instead of branching on names; a new family is one module that registers one object
and its spaces.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import torch
from torch import nn

from searchcore.architectures import Architecture
from searchcore.config import SupernetConfig
from searchcore.families.sampling import RandomGenerator
from searchcore.ops import OPS
from searchcore.registry import Registry
from searchcore.selection.schedule import Slot, interleaved_schedule
from searchcore.spaces import PaperValues, SearchSpace
from searchcore.supernets.base import Supernet


@dataclass(frozen=True)
class PaperValue:
    """A config value a paper or reference script fixes for a preset, with where it says so."""

    value: Any
    source: str


@dataclass(frozen=True)
class NetworkDefaults:
    """The paper defaults of a family's evaluation network for one data set."""

    network: str
    """Class name of the network (``NetworkCIFAR``, ``NB201Network``, ...)."""
    layers: int
    channels: int
    layers_meaning: str
    """What ``layers`` counts (``cells``, ``cells per stage``)."""
    source: str


class Benchmark(Protocol):
    """A tabular benchmark that scores architectures of a family (NAS-Bench-201 for NB201 cells)."""

    name: str

    def load(self, path: str) -> Any: ...

    def metrics(self, table: Any, key: str | None) -> dict[str, float | None]: ...


class SpaceFamily(ABC):
    name: str
    description: str
    paper_values: PaperValues = {}
    """preset -> dataset (or ``"*"``) -> dotted key -> :class:`PaperValue`: this family's preset values."""
    benchmark: Benchmark | None = None
    pt_lr_schedule: str = "cosine"
    """DARTS-PT's tuning lr schedule when ``lr_schedule: auto`` (sota/cnn/projection.py: cosine)."""
    topology_keep: int = 2
    """Inputs each node keeps after DARTS-PT's topology step."""

    # ------------------------------------------------------------------ search

    @abstractmethod
    def build_supernet(self, space: SearchSpace, net: SupernetConfig, activation: str,
                       num_classes: int) -> Supernet: ...

    @abstractmethod
    def derive(self, space: SearchSpace, weights: dict[str, torch.Tensor], exclude_none: bool) -> Architecture:
        """The discrete architecture of (edges, ops) weights per cell type (masked ops have weight 0)."""

    @abstractmethod
    def from_masks(self, space: SearchSpace, masks: dict[str, torch.Tensor]) -> Architecture:
        """The architecture the 0/1 op masks leave once a shrinking rule is done."""

    def op_counts(self, architecture: Architecture) -> dict[str, int]:
        """Collapse indicators: skip-connections and parametric ops per cell type; the first cell type
        (NB201's only cell, DARTS' normal cell) unsuffixed, the others suffixed ``_<cell>``."""
        out: dict[str, int] = {}
        for i, (cell, ops) in enumerate(architecture.cell_ops().items()):
            suffix = "" if i == 0 else f"_{cell}"
            out[f"n_skip{suffix}"] = sum(op == "skip_connect" for op in ops)
            out[f"n_parametric{suffix}"] = sum(OPS.get(op).parametric for op in ops)
        return out

    # ------------------------------------------------------------------ selection

    def topology_nodes(self, space: SearchSpace) -> list[int]:
        """Nodes that get a DARTS-PT topology decision (none unless the family keeps a subset of inputs)."""
        return []

    def pt_schedule(self, space: SearchSpace, tune_epochs: int, seed: int) -> tuple[list[Slot], int]:
        """DARTS-PT's decision slots in order and the number of tuning epochs."""
        return interleaved_schedule(space, tune_epochs, seed, self.topology_nodes(space))

    def shrink_groups(self, space: SearchSpace) -> tuple[list[list[int]], int]:
        """IS-DARTS' comparison sets (groups of edges whose candidates compete) and the survivors of each."""
        return [[e] for e in range(len(space.edges))], 1

    # ------------------------------------------------------------------ architectures and networks

    @abstractmethod
    def parse_architecture(self, text: str) -> Architecture:
        """Read an architecture's text form (raises ValueError with what was expected)."""

    def check_architecture(self, space: SearchSpace, architecture: Architecture) -> list[str]:
        """Why ``architecture`` is not in ``space`` (empty when it is)."""
        return []

    def sample_architecture(self, space: SearchSpace, generator: RandomGenerator) -> Architecture:
        """One architecture of ``space`` drawn uniformly at random with ``generator`` (torch or NumPy): the
        random-sampling baseline (EM-DARTS App. A.7 Table 7, ``searchcore.trainables.random_sample``).

        "Uniformly" is the family's own convention (which architectures count as distinct, whether ``none``
        may be chosen), so each family defines it; the result must pass :meth:`check_architecture`."""
        raise NotImplementedError(
            f"space family {self.name!r} cannot sample architectures: override "
            f"{type(self).__name__}.sample_architecture(space, generator) to use the random baseline on it")

    @abstractmethod
    def network_defaults(self, dataset: str) -> NetworkDefaults: ...

    @abstractmethod
    def build_network(self, architecture: Architecture, num_classes: int, dataset: str, layers: int | None = None,
                      channels: int | None = None, auxiliary: bool = True) -> nn.Module:
        """The evaluation network; unset ``layers``/``channels`` take :meth:`network_defaults`."""

    def flops_m(self, network: nn.Module, dataset: str) -> float | None:
        """FLOPs (millions) of one forward pass of ``network`` (built by :meth:`build_network` for
        ``dataset``) as the family's papers count them; ``None`` where the family reports none (the
        NB201 and DARTS families: ``dartsweep params`` then prints parameters only)."""
        return None


FAMILIES: Registry[SpaceFamily] = Registry("space family", builtins="searchcore.families")


def register_family(family: SpaceFamily) -> SpaceFamily:
    return FAMILIES.register(family.name, family)


def paper_values(space: SearchSpace, preset: str, dataset: str) -> dict[str, PaperValue]:
    """The values ``preset`` takes on ``space`` and ``dataset``: the family's, then the space's (any data
    set first, then this one), later ones winning."""
    out: dict[str, PaperValue] = {}
    for table in (space.family.paper_values, space.paper_values):
        by_dataset: Mapping[str, Mapping[str, PaperValue]] = table.get(preset, {})
        out.update(by_dataset.get("*", {}))
        out.update(by_dataset.get(dataset, {}))
    return out
