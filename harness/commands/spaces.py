"""``dartsweep spaces``: list the search-space registry."""

from __future__ import annotations

import argparse

from searchcore.spaces import SPACES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("spaces", help="list the registered search spaces")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for name, space in SPACES.items():
        cells = ", ".join(f"{c.name}: {c.num_edges} edges x {c.num_ops} ops" for c in space.cells)
        print(f"{name:8s} [{space.family}] {space.description}")
        print(f"         {cells}; ops: {', '.join(space.all_ops())}")
        print(f"         source: {space.source}")
    return 0
