"""Parameter counting as the papers count, and one entry point that builds any discrete network.

Counting rule (quark0/darts ``utils.count_parameters_in_MB``, used by every DARTS-family paper): the sum
of ``numel`` over the named parameters whose name does not contain "auxiliary", divided by 1e6 (a
"million", not MiB). For NAS-Bench-201 networks, which have no auxiliary head, this is the plain total,
which equals the benchmark's ``params`` (CIFAR-10 head) — see docs/networks.md for the exceptions.
"""

from __future__ import annotations

from torch import nn

from searchcore.genotypes import Genotype, parse_genotype
from searchcore.networks.darts import NetworkCIFAR, NetworkImageNet
from searchcore.networks.nb201 import NB201Network
from searchcore.spaces import SPACES

NUM_CLASSES: dict[str, int] = {
    "cifar10": 10, "cifar100": 100, "svhn": 10, "imagenet16": 120, "imagenet": 1000,
    "digits": 10, "fashion-mnist": 10,
}
"""Classes per dataset name; ``imagenet16`` is NAS-Bench-201's ImageNet16-120."""

# Defaults per network kind (reference-notes §2.1, §3.3; DA train_imagenet.py for ImageNet).
NB201_DEFAULTS = {"channels": 16, "layers": 5}  # layers = cells per stage (N)
CIFAR_DEFAULTS = {"channels": 36, "layers": 20}
IMAGENET_DEFAULTS = {"channels": 48, "layers": 14}


def count_parameters_m(model: nn.Module) -> float:
    """Parameters in millions, auxiliary head excluded (DA ``count_parameters_in_MB``)."""
    return sum(p.numel() for name, p in model.named_parameters() if "auxiliary" not in name) / 1e6


def num_classes_for(dataset: str) -> int:
    try:
        return NUM_CLASSES[dataset]
    except KeyError:
        raise ValueError(f"unknown dataset {dataset!r}; allowed: {', '.join(NUM_CLASSES)}") from None


def space_family(space_or_family: str) -> str:
    """'nb201' or 'darts' for a family name or any registered space name (s1..s5, darts7, ...)."""
    if space_or_family in ("nb201", "darts"):
        return space_or_family
    return SPACES.get(space_or_family).family


def build_network(
    space_family_or_name: str, arch_or_genotype: str | Genotype, dataset_classes: int,
    layers: int | None = None, channels: int | None = None, *, imagenet: bool = False, auxiliary: bool = True,
) -> nn.Module:
    """The discrete network of an architecture.

    nb201: :class:`NB201Network` of an arch string; ``layers`` is the number of cells per stage (N = 5).
    darts family: :class:`NetworkCIFAR` (or :class:`NetworkImageNet` when ``imagenet``) of a genotype
    (a :class:`Genotype`, a registered name or ``Genotype(...)`` text); ``layers`` is the cell count.
    Unset ``layers`` / ``channels`` take the paper defaults of that network. Raises ValueError on a
    malformed architecture and UnknownNameError (a KeyError) on an unknown space or op.
    """
    family = space_family(space_family_or_name)
    if family == "nb201":
        if not isinstance(arch_or_genotype, str):
            raise ValueError("an nb201 network needs an arch string, not a genotype")
        return NB201Network(
            arch_or_genotype, channels or NB201_DEFAULTS["channels"], layers or NB201_DEFAULTS["layers"],
            dataset_classes,
        )
    genotype = arch_or_genotype if isinstance(arch_or_genotype, Genotype) else parse_genotype(arch_or_genotype)
    cls, defaults = (NetworkImageNet, IMAGENET_DEFAULTS) if imagenet else (NetworkCIFAR, CIFAR_DEFAULTS)
    return cls(
        channels or defaults["channels"], dataset_classes, layers or defaults["layers"], auxiliary, genotype
    )


def genotype_space_violations(space_name: str, genotype: Genotype) -> list[str]:
    """Pairs of ``genotype`` whose op is not a candidate of that edge in space ``space_name``."""
    space = SPACES.get(space_name)
    problems = []
    for cell_type, pairs in (("normal", genotype.normal), ("reduce", genotype.reduce)):
        cell = space.cell(cell_type)
        for k, (op, j) in enumerate(pairs):
            edge = (2 + k // 2, j)
            if edge not in space.edges:
                problems.append(f"{cell_type} pair {k} {(op, j)}: no edge {edge[1]}->{edge[0]} in {space_name}")
            elif op not in cell.edge_ops[space.edges.index(edge)]:
                allowed = cell.edge_ops[space.edges.index(edge)]
                problems.append(f"{cell_type} pair {k} {(op, j)}: {space_name} allows {', '.join(allowed)} there")
    return problems
