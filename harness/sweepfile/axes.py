"""The axes of a sweep: one per grid key and one per zip group; their product is the set of trials.

Each point of an axis keeps the YAML path of every value, so an invalid trial config is reported at the
line of the value that made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.sweepfile.keys import check_key, yaml_leaves
from harness.sweepfile.model import SweepFile
from harness.sweepfile.yaml_lines import Locator
from harness.trainables import TrainableSpec


@dataclass
class Axis:
    keys: tuple[str, ...]
    points: list[tuple]
    paths: list[tuple[tuple, ...]]  # per point, per key: the yaml path of the value


def swept_axes(spec_file: SweepFile, spec: TrainableSpec, loc: Locator) -> list[Axis]:
    """One axis per grid key and per zip group, in file order (the first varies slowest)."""
    seen: dict[str, tuple] = {}

    def swept(section: str, raw: str, values: Any, path: tuple) -> str:
        key = check_key(raw, spec, path, loc, section)
        if not isinstance(values, list) or not values:
            raise loc.error(path, f"{section}.{raw}: expected a non-empty list of values, got {values!r}")
        if key in seen:
            raise loc.error(path, f"{key!r} is swept twice (also at {loc.where(seen[key])})")
        seen[key] = path
        return key

    grid_axes = [Axis((swept("grid", raw, values, path),), [(v,) for v in values],
                      [(path + (i,),) for i in range(len(values))])
                 for raw, values, path in yaml_leaves(spec_file.grid, ("grid",))]
    zip_axes = []
    for g, group in enumerate(spec_file.zip):
        items = yaml_leaves(group, ("zip", g))
        if not items:
            raise loc.error(("zip", g), "zip group is empty")
        keys = tuple(swept("zip", raw, values, path) for raw, values, path in items)
        if len({len(v) for _, v, _ in items}) > 1:
            sizes = ", ".join(f"{k}: {len(v)}" for k, (_, v, _) in zip(keys, items))
            raise loc.error(("zip", g), f"zip group {g}: lists must have equal lengths, got {sizes}")
        n = len(items[0][1])
        zip_axes.append(Axis(keys, [tuple(v[i] for _, v, _ in items) for i in range(n)],
                             [tuple(p + (i,) for _, _, p in items) for i in range(n)]))
    zip_first = loc.lines.get(("zip",), 10**9) < loc.lines.get(("grid",), 10**9)
    return zip_axes + grid_axes if zip_first else grid_axes + zip_axes
