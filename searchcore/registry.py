"""A tiny named registry used for spaces, families, ops, datasets, method parts, presets and rules.

A registry may name a module that registers its built-in entries (``builtins``): it is imported on the
first lookup, so ``SPACES.get("darts")`` works without the caller knowing which module defines the
space, and modules that only *define* entry types never import their implementations. Every lookup also
imports the plugin modules of ``$DARTSWEEP_PLUGINS`` (``searchcore.plugins``) once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from searchcore.plugins import load_plugins

T = TypeVar("T")


class UnknownNameError(KeyError):
    """Raised for a name that is not registered; the message lists the allowed names."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0])


class Registry(Generic[T]):
    """Maps names to objects; lookups of unknown names fail with the allowed names."""

    def __init__(self, kind: str, builtins: str | None = None) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._builtins = builtins

    def _load(self) -> None:
        if self._builtins is not None:
            module, self._builtins = self._builtins, None
            importlib.import_module(module)
        load_plugins()

    def register(self, name: str, item: T) -> T:
        if name in self._items:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._items[name] = item
        return item

    def decorator(self, name: str) -> Callable[[T], T]:
        def wrap(item: T) -> T:
            return self.register(name, item)

        return wrap

    def get(self, name: str) -> T:
        self._load()
        try:
            return self._items[name]
        except KeyError:
            allowed = ", ".join(sorted(self._items))
            raise UnknownNameError(f"unknown {self.kind} {name!r}; allowed: {allowed}") from None

    def names(self) -> list[str]:
        self._load()
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def items(self) -> list[tuple[str, T]]:
        self._load()
        return list(self._items.items())

    def unregister(self, name: str) -> T:
        """Remove an entry (tests that register a temporary one clean up with this)."""
        return self._items.pop(name)
