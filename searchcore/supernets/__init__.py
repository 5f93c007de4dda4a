"""Search supernets; :func:`build_supernet` asks the space's family to build one for a config."""

from __future__ import annotations

from searchcore.config import SearchConfig
from searchcore.spaces import get_space
from searchcore.supernets.base import Supernet

__all__ = ["Supernet", "build_supernet"]


def build_supernet(config: SearchConfig, num_classes: int) -> Supernet:
    space = get_space(config.space)
    return space.family.build_supernet(space, config.supernet, config.method.activation, num_classes)
