"""Space families, one module each; importing this package registers the built-in families and their
spaces (the ``FAMILIES`` and ``SPACES`` registries import it on their first lookup).

To add a family: subclass :class:`SpaceFamily` in a new module here (or in your own package), register
one instance with :func:`register_family` and its spaces with ``searchcore.spaces.register_space``.
"""

import importlib

from searchcore.families.base import (
    FAMILIES,
    Benchmark,
    NetworkDefaults,
    PaperValue,
    SpaceFamily,
    paper_values,
    register_family,
)

BUILTIN_FAMILIES = ("nb201", "darts", "mobilenet")
"""Registered in this order, which is the order ``dartsweep spaces`` lists them in."""
for _module in BUILTIN_FAMILIES:
    importlib.import_module(f"searchcore.families.{_module}")

__all__ = ["FAMILIES", "Benchmark", "NetworkDefaults", "PaperValue", "SpaceFamily", "paper_values",
           "register_family"]
