"""Diagnostics a paper's figure needs, off by default: the ``PROBES`` registry (``probes.names`` of a search config).

A probe attaches to a :class:`searchcore.search.SearchRun` when the run starts and adds columns to every epoch's
metrics (so they land in epochs.parquet beside the rest). An artifact's sweep file switches on what its figure
needs (docs/reproduce.md); a run without probes pays nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from searchcore.registry import Registry


class Probe(Protocol):
    def epoch_metrics(self) -> dict[str, float]:
        """This epoch's columns; the probe starts the next epoch afresh."""


@dataclass(frozen=True)
class ProbeSpec:
    name: str
    build: Callable[[Any, Any], Probe]
    """(the running SearchRun, its ProbeConfig) -> the attached probe."""
    summary: str


PROBES: Registry[ProbeSpec] = Registry("probe")


def register_probe(spec: ProbeSpec) -> ProbeSpec:
    return PROBES.register(spec.name, spec)


from searchcore.probes import (  # noqa: E402,F401  (built-in probes register on import)
    edge_weight_grad,
    grad_correlation,
    iim_by_images,
    op_weights,
    pt_trajectory,
)

__all__ = ["PROBES", "Probe", "ProbeSpec", "register_probe"]
