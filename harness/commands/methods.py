"""``dartsweep methods``: every preset with its axes and the source of each default, the selection rules and
the baselines (trainables that search nothing, e.g. ``random``)."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from harness.commands.evaluate import print_protocols
from harness.commands.search import validation_message
from harness.errors import CliError
from harness.method_docs import methods_markdown
from harness.trainables import TRAINABLES
from searchcore.config import SearchConfig, flatten
from searchcore.methods.presets import PRESETS
from searchcore.methods.resolve import resolve_config, resolve_preset
from searchcore.registry import UnknownNameError
from searchcore.selection.rules import SELECTION_RULES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("methods", help="list method presets, their axes and sources, and the selection rules")
    p.add_argument("--space", default="nb201", help="space whose defaults to show (p_max etc. vary)")
    p.add_argument("--dataset", default="cifar10")
    p.add_argument("--markdown", action="store_true",
                   help="every default and preset value with its source, as Markdown (docs/fidelity.md)")
    p.set_defaults(func=run)


AXES = ("forward", "level", "activation", "regularizer.kind", "arch_optim.fix_alpha", "order", "selection")
"""The method axes of ``MethodConfig`` shown for every preset."""


def run(args: argparse.Namespace) -> int:
    if args.markdown:
        print(methods_markdown(), end="")
        return 0
    try:
        base = flatten(SearchConfig(space=args.space, data={"dataset": args.dataset}).model_dump(mode="json"))
    except ValidationError as err:
        raise CliError(validation_message(err)) from None
    for name in PRESETS.names():
        try:
            preset = resolve_preset(name, args.space, args.dataset)
            resolved = flatten(resolve_config(name, args.space, args.dataset).model_dump(mode="json"))
        except UnknownNameError as err:
            raise CliError(str(err)) from None
        axes = ", ".join(f"{a}={resolved[f'method.{a}']}" for a in AXES)
        print(f"{name}: {preset.summary}")
        print(f"  axes: {axes}")
        for key, value in resolved.items():
            if key != "method.name" and base.get(key) != value:
                print(f"  {key} = {value}")
        for key, source in preset.sources.items():
            print(f"  source [{key}]: {source}")
    print("\nselection rules (search: method.selection; select: the select trainable's rule)")
    for name, rule in SELECTION_RULES.items():
        print(f"  {name} [{rule.stage}]: {rule.summary} — {rule.source}")
    print_protocols()
    from searchcore.probes import PROBES

    print("\nprobes (off by default; a search names them in probes.names, e.g. --set probes.names=[edge_weight_grad])")
    for name, spec in PROBES.items():
        print(f"  {name}: {spec.summary}")
    print("\nwhere each default comes from, and where papers and code disagree: docs/fidelity.md")
    baselines = [spec for _, spec in TRAINABLES.items() if spec.baseline]
    if baselines:
        print("\nbaselines (sweep files: trainable: NAME)")
        for spec in baselines:
            print(f"  {spec.name}: {spec.summary} — {spec.baseline}")
    return 0
