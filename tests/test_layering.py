"""The layering the house style asks for, checked on the source (imports inside functions count too):

* ``searchcore`` never imports Ray, ``harness`` or ``analysis``; ``analysis`` imports none of torch, Ray,
  ``searchcore`` or ``harness``;
* ``searchcore.selection`` never imports ``searchcore.search`` (the loop uses the selection rules; the
  trainables that rebuild a search run live in ``searchcore.trainables``);
* no module of ``searchcore`` is in an import cycle at module level.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else ast.walk(tree)
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _sources(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


@pytest.mark.parametrize(("package", "forbidden"), [
    ("searchcore", ("ray", "harness", "analysis")),
    ("analysis", ("torch", "ray", "searchcore", "harness")),
    ("searchcore/selection", ("searchcore.search",)),
])
def test_layers_import_only_what_they_may(package, forbidden):
    bad = [f"{path.relative_to(REPO)} imports {name}" for path in _sources(package) for name in _imports(path)
           if any(name == f or name.startswith(f + ".") for f in forbidden)]
    assert not bad, bad


def test_searchcore_has_no_module_level_import_cycle():
    modules = {_module_name(p): p for p in _sources("searchcore")}
    graph = {}
    for name, path in modules.items():
        deps = set()
        for target in _imports(path, top_level_only=True):
            parts = target.split(".")
            deps.update(".".join(parts[:n]) for n in range(1, len(parts) + 1) if ".".join(parts[:n]) in modules)
        ancestors = {".".join(name.split(".")[:n]) for n in range(1, name.count(".") + 1)}
        graph[name] = deps - {name} - ancestors  # a package's __init__ runs before its modules anyway
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        assert node not in path, " -> ".join(path[path.index(node):] + [node])
        if node in done:
            return
        for dep in sorted(graph[node]):
            visit(dep, path + [node])
        done.add(node)

    for module in sorted(graph):
        visit(module, [])
