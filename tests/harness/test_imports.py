"""The harness's module graph: acyclic, counting imports inside functions too (a lazy import that only
dodges a cycle still couples the modules both ways), and Ray imported by the runners alone (harness.tune_runner,
and harness.train_runner for data-parallel trials)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "harness"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imported(path: Path) -> set[str]:
    """Every module an ``import`` statement anywhere in the file names (functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return names


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for target in _imported(path):
            parts = target.split(".")
            # importing a.b.c runs the packages a and a.b first
            deps.update(p for p in (".".join(parts[:n]) for n in range(1, len(parts) + 1)) if p in modules)
        graph[name] = deps - {name, "harness"}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_harness_module_graph_has_no_cycle():
    graph = _graph()
    assert {"harness.storage", "harness.sweepfile.load", "harness.parquet", "harness.progress"} <= set(graph)
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def test_the_cycle_check_sees_imports_inside_functions():
    graph = {"a": {"b"}, "b": {"a"}}
    assert _cycle(graph) == ["a", "b", "a"]
    assert "harness.tune_runner" in _graph()["harness.commands.run"]  # imported inside run()


def test_only_the_runners_import_ray():
    """Tune in harness.tune_runner; Ray Train (data-parallel trials) in harness.train_runner, used by it alone."""
    users = sorted(name for name, path in _modules().items()
                   if any(t == "ray" or t.startswith("ray.") for t in _imported(path)))
    assert users == ["harness.train_runner", "harness.tune_runner"]
    assert [name for name, deps in _graph().items() if "harness.train_runner" in deps] == ["harness.tune_runner"]
