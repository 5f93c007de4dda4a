"""``dartsweep methods``: every preset with its axes and the source of each default."""

from __future__ import annotations

import argparse

from searchcore.config import MethodConfig, SearchConfig, flatten
from searchcore.methods.presets import PRESETS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("methods", help="list method presets, their axes and sources")
    p.add_argument("--space", default="nb201", help="space whose defaults to show (p_max etc. vary)")
    p.add_argument("--dataset", default="cifar10")
    p.set_defaults(func=run)


AXES = ("forward", "level", "activation", "regularizer.kind", "arch_optim.fix_alpha", "order")


def run(args: argparse.Namespace) -> int:
    base = flatten(SearchConfig().model_dump(mode="json"))
    for name, fn in PRESETS.items():
        preset = fn(args.space, args.dataset)
        method = flatten(MethodConfig().model_dump(mode="json"))
        for key, value in preset.overrides.items():
            if key.startswith("method."):
                method[key[len("method."):]] = value
        axes = ", ".join(f"{a}={method[a]}" for a in AXES)
        print(f"{name}: {preset.summary}")
        print(f"  axes: {axes}")
        changed = {k: v for k, v in preset.overrides.items() if k != "method.name" and base.get(k) != v}
        for key, value in changed.items():
            print(f"  {key} = {value}")
        for key, source in preset.sources.items():
            print(f"  source [{key}]: {source}")
    return 0
