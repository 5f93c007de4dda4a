"""Discrete architectures behind one protocol (:class:`Architecture`): NAS-Bench-201 arch strings
(``nb201.py``) and DARTS-space genotypes (``darts.py``). A family parses, derives and builds networks of
its own kind; everything else handles them through the protocol."""

from searchcore.architectures.base import Architecture, architecture_ops

__all__ = ["Architecture", "architecture_ops"]
