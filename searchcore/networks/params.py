"""Parameter counting as the papers count, and one entry point that builds any discrete network.

Counting rule (quark0/darts ``utils.count_parameters_in_MB``, used by every DARTS-family paper): the sum
of ``numel`` over the named parameters whose name does not contain "auxiliary", divided by 1e6 (a
"million", not MiB). For NAS-Bench-201 networks, which have no auxiliary head, this is the plain total,
which equals the benchmark's ``params`` (CIFAR-10 head) — see docs/networks.md for the exceptions.
"""

from __future__ import annotations

from torch import nn

from searchcore.architectures import Architecture
from searchcore.spaces import get_space

NUM_CLASSES: dict[str, int] = {
    "cifar10": 10, "cifar100": 100, "svhn": 10, "imagenet16": 120, "imagenet": 1000,
    "digits": 10, "fashion-mnist": 10,
}
"""Classes per dataset name; ``imagenet16`` is NAS-Bench-201's ImageNet16-120."""


def count_parameters_m(model: nn.Module) -> float:
    """Parameters in millions, auxiliary head excluded (DA ``count_parameters_in_MB``)."""
    return sum(p.numel() for name, p in model.named_parameters() if "auxiliary" not in name) / 1e6


def num_classes_for(dataset: str) -> int:
    try:
        return NUM_CLASSES[dataset]
    except KeyError:
        raise ValueError(f"unknown dataset {dataset!r}; allowed: {', '.join(NUM_CLASSES)}") from None


def build_network(
    space_name: str, architecture: Architecture | str, dataset: str = "cifar10", layers: int | None = None,
    channels: int | None = None, auxiliary: bool = True,
) -> nn.Module:
    """The evaluation network of an architecture of space ``space_name`` (or its text form), as its family
    builds it for ``dataset`` (the number of classes and, e.g., the ImageNet stem follow from it). Unset
    ``layers`` / ``channels`` take the family's paper defaults. Raises ValueError on a malformed or
    out-of-space architecture and UnknownNameError (a KeyError) on an unknown space or op."""
    space = get_space(space_name)
    family = space.family
    if isinstance(architecture, str):
        architecture = family.parse_architecture(architecture)
    problems = family.check_architecture(space, architecture)
    if problems:
        raise ValueError(f"architecture does not fit space {space.name}: " + "; ".join(problems))
    return family.build_network(architecture, num_classes_for(dataset), dataset, layers, channels, auxiliary)
