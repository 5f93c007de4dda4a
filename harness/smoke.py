"""``dartsweep run --smoke``: any sweep file at micro scale, one documented override set per trainable.

The overrides are the trainable's :attr:`harness.trainables.TrainableSpec.smoke` (the embedded digits data, a
1–2 epoch supernet or network of a few channels, two batches per epoch) plus CPU resources for every trial. They go
under the command's own ``--set`` values (which win) and skip the keys a sweep sweeps (``grid``/``zip``): a sweep
over data sets keeps its data sets, so its smoke run needs their data roots (docs/reproduce.md, *Smoke scale*).
"""

from __future__ import annotations

from typing import Any

from harness.trainables import TRAINABLES
from searchcore.yaml_io import load_yaml

RESOURCES = ("resources.gpu=0", "resources.cpu=1", "resources.workers=1")
"""Every smoke trial on one CPU: the point is the path sweep -> Parquet -> report, on any machine."""


def parse(pairs: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        out[key] = load_yaml(value)
    return out


def smoke_overrides(data: dict[str, Any]) -> dict[str, Any]:
    """The smoke overrides of a parsed sweep file (its trainable's, minus the keys it sweeps)."""
    trainable = data.get("trainable", "search")
    spec = TRAINABLES.get(trainable) if trainable in TRAINABLES.names() else None
    overrides = parse(RESOURCES + (spec.smoke if spec is not None else ()))
    swept = set(data.get("grid") or {}) if isinstance(data.get("grid"), dict) else set()
    for group in data.get("zip") or []:
        if isinstance(group, dict):
            swept |= set(group)
    return {k: v for k, v in overrides.items() if k not in swept}
