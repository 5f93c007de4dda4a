"""Key checks for sweep files, and the one-line errors that say where a key is and what is allowed.

A typo in a grid key must fail before any trial starts, naming the file and line, the closest known key
and its siblings (``allowed under method.mutation: p_max, growth, ...``).
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from harness.errors import SweepError
from harness.sweepfile.model import SweepFile
from harness.sweepfile.yaml_lines import Locator
from harness.trainables import AXES, TrainableSpec

ALIASES = {"data.dataset": "dataset"}
"""``data.dataset`` in ``set``/``grid``/``zip`` means the sweep's ``dataset``: presets depend on it."""


def yaml_leaves(tree: dict[str, Any], path: tuple) -> list[tuple[str, Any, tuple]]:
    """(dotted key, value, yaml path) for every leaf of a nested override mapping.

    Not :func:`searchcore.config.flatten`: an error must point at the YAML line of each value, and keys
    may themselves be dotted (``set: {data.root: x}``), so the path cannot be recovered from the dotted
    key. An empty mapping is a leaf here (``grid: {lr: {}}`` is then reported as not a list), where the
    config flattener drops it."""
    out = []
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            out.extend((f"{key}.{k}", v, p) for k, v, p in yaml_leaves(value, path + (key,)))
        else:
            out.append((str(key), value, path + (key,)))
    return out


def pydantic_error(err: ValidationError, loc: Locator) -> SweepError:
    """The first error of validating a sweep file against :class:`SweepFile`, at its line."""
    e = err.errors()[0]
    path = tuple(e["loc"])
    key = ".".join(str(p) for p in path) or "(top level)"
    if e["type"] == "extra_forbidden":
        parent = _model_at(SweepFile, path[:-1])
        hint = f"; allowed: {', '.join(parent.model_fields)}" if parent else ""
        return loc.error(path, f"unknown key {key!r}{hint}")
    return loc.error(path, f"{key}: {e['msg']}{got(e)}")


def got(e: dict[str, Any]) -> str:
    """`` (got 2)`` for a pydantic error on a scalar input."""
    return f" (got {e['input']!r})" if "input" in e and not isinstance(e["input"], dict) else ""


def _model_at(model: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    for part in path:
        f = model.model_fields.get(str(part))
        options = typing.get_args(f.annotation) or (f.annotation,) if f else ()
        ann = next((a for a in options if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if ann is None:
            return None
        model = ann
    return model


def check_key(key: str, spec: TrainableSpec, path: tuple, loc: Locator, section: str) -> str:
    """The config key (or axis) ``key`` names in ``section`` (set/grid/zip); raises when the trainable has none."""
    key = ALIASES.get(key, key)
    if key in AXES:
        if section == "set":
            raise loc.error(path, f"set.{key}: give {key!r} at the top level of the sweep (or sweep it in grid)")
        if key not in spec.axes:
            raise loc.error(path, f"{section}.{key}: trainable {spec.name!r} takes no {key!r}")
        return key
    known = spec.keys()
    if key not in known:
        raise loc.error(path, f"{section} key {key!r} is not a config key of trainable {spec.name!r}"
                        f"{_suggest(key, known)}")
    return key


def _suggest(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    section = key.rsplit(".", 1)[0] if "." in key else ""
    siblings = [k for k in known if section and k.startswith(section + ".")]
    if siblings:
        return f"{hint} allowed under {section}: {', '.join(k[len(section) + 1:] for k in siblings)}"
    tops = sorted({k.split(".")[0] + ("." if "." in k else "") for k in known})
    return f"{hint} allowed: {', '.join(tops)} (see `dartsweep search --print-config`)"
