"""``dartsweep params``: parameter count (millions) of a discrete network, counted as the papers count."""

from __future__ import annotations

import argparse
import json

from harness.errors import CliError
from searchcore.genotypes import Genotype, parse_genotype, parse_nb201_arch
from searchcore.networks.params import (
    CIFAR_DEFAULTS,
    IMAGENET_DEFAULTS,
    NB201_DEFAULTS,
    NUM_CLASSES,
    build_network,
    count_parameters_m,
    genotype_space_violations,
)
from searchcore.registry import UnknownNameError
from searchcore.spaces import SPACES, SearchSpace


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "params", help="parameter count (M) of a discrete network",
        description="Parameter count in millions of the evaluation network of an architecture, auxiliary head "
        "excluded (quark0/darts utils.count_parameters_in_MB). nb201 -> the NAS-Bench-201 network of --arch; "
        "darts-family spaces -> NetworkCIFAR of --genotype (NetworkImageNet for --dataset imagenet).",
    )
    p.add_argument("--space", required=True, help=f"search space: {', '.join(SPACES.names())}")
    arch = p.add_mutually_exclusive_group(required=True)
    arch.add_argument("--genotype", help="darts family: a registered genotype name or 'Genotype(normal=...)' text")
    arch.add_argument("--arch", help="nb201: an arch string '|op~0|+|op~0|op~1|+|op~0|op~1|op~2|'")
    p.add_argument(
        "--layers", type=int, default=None,
        help=f"darts: number of cells (default {CIFAR_DEFAULTS['layers']}, ImageNet {IMAGENET_DEFAULTS['layers']}); "
        f"nb201: cells per stage (default {NB201_DEFAULTS['layers']})",
    )
    p.add_argument(
        "--channels", type=int, default=None,
        help=f"initial channels (default darts {CIFAR_DEFAULTS['channels']}, ImageNet "
        f"{IMAGENET_DEFAULTS['channels']}, nb201 {NB201_DEFAULTS['channels']})",
    )
    p.add_argument("--dataset", default="cifar10", help=f"sets the number of classes: {', '.join(NUM_CLASSES)}")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=run)


def _space(name: str) -> SearchSpace:
    try:
        return SPACES.get(name)
    except UnknownNameError as err:
        raise CliError(str(err)) from None


def _architecture(args: argparse.Namespace, space: SearchSpace) -> str | Genotype:
    if space.family == "nb201":
        if args.arch is None:
            raise CliError(f"space {space.name} takes --arch (an NB201 arch string), not --genotype")
        try:
            parse_nb201_arch(args.arch)
        except ValueError as err:
            raise CliError(str(err)) from None
        return args.arch
    if args.genotype is None:
        raise CliError(f"space {space.name} takes --genotype (a name or 'Genotype(...)' text), not --arch")
    try:
        genotype = parse_genotype(args.genotype)
    except (ValueError, SyntaxError, TypeError) as err:
        raise CliError(str(err)) from None
    problems = genotype_space_violations(space.name, genotype)
    if problems:
        raise CliError(f"genotype does not fit space {space.name}: " + "; ".join(problems))
    return genotype


def run(args: argparse.Namespace) -> int:
    space = _space(args.space)
    if args.dataset not in NUM_CLASSES:
        raise CliError(f"unknown dataset {args.dataset!r}; allowed: {', '.join(NUM_CLASSES)}")
    for name in ("layers", "channels"):
        if getattr(args, name) is not None and getattr(args, name) <= 0:
            raise CliError(f"--{name} must be positive")
    architecture = _architecture(args, space)
    imagenet = args.dataset == "imagenet" and space.family == "darts"
    try:
        model = build_network(
            space.name, architecture, NUM_CLASSES[args.dataset], args.layers, args.channels, imagenet=imagenet
        )
    except (ValueError, KeyError) as err:
        raise CliError(str(err)) from None
    params_m = count_parameters_m(model)
    layers = len(model.cells) if space.family == "darts" else args.layers or NB201_DEFAULTS["layers"]
    info = {
        "params_m": params_m, "network": type(model).__name__, "space": space.name,
        "architecture": architecture if isinstance(architecture, str) else architecture.to_str(),
        "dataset": args.dataset, "num_classes": NUM_CLASSES[args.dataset], "layers": layers,
        "channels": args.channels or _default_channels(space.family, imagenet),
    }
    if args.json:
        print(json.dumps(info))
        return 0
    print(f"{params_m:.3f} M")
    per = "cells per stage" if space.family == "nb201" else "cells"
    print(
        f"{info['network']} ({space.name}), {layers} {per}, C={info['channels']}, {args.dataset} "
        f"({info['num_classes']} classes); exact {params_m:.6f} M, auxiliary head excluded"
    )
    return 0


def _default_channels(family: str, imagenet: bool) -> int:
    if family == "nb201":
        return NB201_DEFAULTS["channels"]
    return (IMAGENET_DEFAULTS if imagenet else CIFAR_DEFAULTS)["channels"]
