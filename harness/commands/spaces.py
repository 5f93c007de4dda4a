"""``dartsweep spaces``: list the search-space registry, grouped by family."""

from __future__ import annotations

import argparse

from searchcore.families import FAMILIES
from searchcore.spaces import SPACES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("spaces", help="list the registered search spaces and their families")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for family_name, family in FAMILIES.items():
        print(f"family {family_name}: {family.description}")
        for name, space in SPACES.items():
            if space.family is not family:
                continue
            cells = ", ".join(f"{c.name}: {c.num_edges} edges x {c.num_ops} ops" for c in space.cells)
            print(f"  {name:8s} {space.description}")
            print(f"           {cells}; ops: {', '.join(space.all_ops())}")
            print(f"           source: {space.source}")
    return 0
