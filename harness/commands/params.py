"""``dartsweep params``: parameter count (millions) of a discrete network, counted as the papers count."""

from __future__ import annotations

import argparse
import json

from harness.errors import CliError
from searchcore.networks.params import NUM_CLASSES, build_network, count_parameters_m
from searchcore.registry import UnknownNameError
from searchcore.spaces import SPACES, SearchSpace


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "params", help="parameter count (M) of a discrete network",
        description="Parameter count in millions of the evaluation network of an architecture, auxiliary head "
        "excluded (quark0/darts utils.count_parameters_in_MB). The space's family builds the network: "
        "NB201 spaces the NAS-Bench-201 network of an arch string, DARTS spaces NetworkCIFAR of a genotype "
        "(NetworkImageNet for --dataset imagenet), mobilenet spaces the MobileNetChain of a 'mobilenet:...' "
        "text or a published name (ProxylessNAS-GPU), with its FLOPs (multiply-adds at 224 px for imagenet).",
    )
    p.add_argument("--space", required=True, help=f"search space: {', '.join(SPACES.names())}")
    p.add_argument("--arch", "--genotype", dest="arch", required=True,
                   help="the architecture's text form: an NB201 arch string '|op~0|+|op~0|op~1|+...', a registered "
                   "genotype name (DARTS_V2), 'Genotype(normal=...)' text, 'mobilenet:op,...|...' or ProxylessNAS-GPU")
    p.add_argument("--layers", type=int, default=None,
                   help="cells (DARTS; NB201: cells per stage); default: the family's paper value for --dataset")
    p.add_argument("--channels", type=int, default=None, help="initial channels; default: the family's paper value")
    p.add_argument("--dataset", default="cifar10", help=f"sets the number of classes: {', '.join(NUM_CLASSES)}")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=run)


def _space(name: str) -> SearchSpace:
    try:
        return SPACES.get(name)
    except UnknownNameError as err:
        raise CliError(str(err)) from None


def run(args: argparse.Namespace) -> int:
    space = _space(args.space)
    if args.dataset not in NUM_CLASSES:
        raise CliError(f"unknown dataset {args.dataset!r}; allowed: {', '.join(NUM_CLASSES)}")
    for name in ("layers", "channels"):
        if getattr(args, name) is not None and getattr(args, name) <= 0:
            raise CliError(f"--{name} must be positive")
    family = space.family
    try:
        architecture = family.parse_architecture(args.arch)
        model = build_network(space.name, architecture, args.dataset, args.layers, args.channels)
    except (ValueError, KeyError) as err:
        raise CliError(str(err)) from None
    defaults = family.network_defaults(args.dataset)
    params_m = count_parameters_m(model)
    flops_m = family.flops_m(model, args.dataset)
    info = {
        "params_m": params_m, "network": type(model).__name__, "space": space.name, "family": family.name,
        "architecture": architecture.to_str(), "dataset": args.dataset, "num_classes": NUM_CLASSES[args.dataset],
        "layers": args.layers or defaults.layers, "channels": args.channels or defaults.channels,
        "flops_m": flops_m,
    }
    if args.json:
        print(json.dumps(info))
        return 0
    print(f"{params_m:.3f} M")
    if flops_m is not None:
        print(f"{flops_m:.1f} M FLOPs (multiply-adds, one image)")
    print(
        f"{info['network']} ({space.name}), {info['layers']} {defaults.layers_meaning}, C={info['channels']}, "
        f"{args.dataset} ({info['num_classes']} classes); exact {params_m:.6f} M, auxiliary head excluded"
    )
    return 0
