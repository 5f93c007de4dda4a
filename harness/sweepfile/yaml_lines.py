"""YAML with line numbers: every error about a sweep file can say ``file:line``.

``yaml.safe_load`` forgets where a value came from; composing the node tree once more records the line
of every key and list item under its path in the tree (``("grid", "seed", 1)``). Duplicate keys, which
safe_load silently lets the last one win, are an error here. Numbers and booleans follow YAML 1.2
(``searchcore.yaml_io``: ``1e-3`` is a float, ``yes`` is text) and aliases are refused.
"""

from __future__ import annotations

from typing import Any

import yaml

from harness.errors import SweepError
from searchcore.yaml_io import compose_yaml, load_yaml


class Locator:
    """Maps a path in the YAML tree (``("grid", "seed", 1)``) to ``file:line``.

    ``labels`` override lines for values that came from the command line (``--set key=value``)."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.lines: dict[tuple, int] = {}
        self.labels: dict[tuple, str] = {}

    def where(self, path: tuple) -> str:
        for n in range(len(path), -1, -1):
            key = tuple(path[:n])
            if key in self.labels:
                return self.labels[key]
            if key in self.lines:
                return f"{self.filename}:{self.lines[key]}"
        return f"{self.filename}:1"

    def error(self, path: tuple, message: str) -> SweepError:
        return SweepError(f"{self.where(path)}: {message}")


def _record(node: yaml.Node, path: tuple, loc: Locator) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                dotted = ".".join(map(str, path + (key,)))
                raise SweepError(f"{loc.filename}:{line}: duplicate key {dotted!r} (first at line {seen[key]})")
            seen[key] = line
            loc.lines[path + (key,)] = line
            _record(value_node, path + (key,), loc)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            loc.lines[path + (i,)] = item.start_mark.line + 1
            _record(item, path + (i,), loc)


def parse_yaml(text: str, filename: str) -> tuple[dict[str, Any], Locator]:
    """The mapping of a sweep file and where each of its keys and items is."""
    loc = Locator(filename)
    try:
        node = compose_yaml(text)
        data = load_yaml(text)
    except yaml.YAMLError as err:
        mark, context = getattr(err, "problem_mark", None), getattr(err, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        started = f" ({err.context} started at line {context.line + 1})" if context and err.context else ""
        raise SweepError(f"{filename}:{line}: not valid YAML: {problem}{started}") from None
    if not isinstance(data, dict):
        raise SweepError(f"{filename}:1: a sweep file is a YAML mapping (name:, method:, grid: ...)")
    _record(node, (), loc)
    return data, loc
