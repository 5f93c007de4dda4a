"""Search supernets, built from a space and a config by :func:`build_supernet`."""

from __future__ import annotations

from searchcore.config import SearchConfig
from searchcore.spaces import get_space
from searchcore.supernets.base import Supernet
from searchcore.supernets.darts import DartsSupernet
from searchcore.supernets.nb201 import NB201Supernet

__all__ = ["Supernet", "NB201Supernet", "DartsSupernet", "build_supernet"]


def build_supernet(config: SearchConfig, num_classes: int) -> Supernet:
    space = get_space(config.space)
    net = config.supernet
    activation = config.method.activation
    if space.family == "nb201":
        track = False if net.track_running_stats is None else net.track_running_stats
        return NB201Supernet(space, num_classes, net.channels, net.cells_per_stage, track, activation)
    track = True if net.track_running_stats is None else net.track_running_stats
    return DartsSupernet(space, num_classes, net.channels, net.layers, track, activation)
