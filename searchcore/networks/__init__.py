"""Discrete (evaluation) networks of selected architectures and the papers' parameter counting.

* :class:`NB201Network`: the network NAS-Bench-201 trained for an arch string.
* :class:`NetworkCIFAR`, :class:`NetworkImageNet`: DARTS' evaluation networks for a genotype.
* :func:`count_parameters_m`, :func:`build_network`, :func:`num_classes_for`.
"""

from __future__ import annotations

from searchcore.networks.darts import EvalCell, NetworkCIFAR, NetworkImageNet, drop_path
from searchcore.networks.nb201 import NB201Cell, NB201Network
from searchcore.networks.params import (
    NUM_CLASSES,
    build_network,
    count_parameters_m,
    num_classes_for,
)

__all__ = [
    "NUM_CLASSES", "EvalCell", "NB201Cell", "NB201Network", "NetworkCIFAR", "NetworkImageNet", "build_network",
    "count_parameters_m", "drop_path", "num_classes_for",
]
