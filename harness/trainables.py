"""Registry of trainables a sweep can name: ``search`` (searchcore's search loop), ``select`` (DARTS-PT).

A trainable is a plain ``fn(config: dict, reporter) -> dict`` from searchcore (no Ray); its entry here
says how a sweep turns (method, space, dataset) + dotted overrides into a validated config, which keys
exist (to reject unknown grid keys before anything starts), and which keys are file paths (made
absolute, because Ray runs each trial in its own working directory). Functions are imported lazily so
validating a sweep never builds a network.
"""

from __future__ import annotations

import importlib
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from searchcore.registry import Registry

AXES = ("method", "space", "dataset")
"""Sweep-level names that pick presets and registries rather than config values."""

TrainableFn = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class TrainableSpec:
    name: str
    target: str
    """``module:function`` of the plain trainable."""
    resolve: Callable[[dict[str, str], dict[str, Any]], dict[str, Any]]
    """(axes, dotted overrides) -> validated nested config; raises ValidationError/UnknownNameError."""
    keys: Callable[[], list[str]]
    model: Callable[[], type[BaseModel]]
    axes: tuple[str, ...] = AXES
    path_keys: tuple[str, ...] = ()
    summary: str = ""
    chain_key: str | None = None
    """The config key that takes a search checkpoint, when the trainable can follow a search sweep
    (``after:`` in a sweep file; see harness.chain)."""

    def load(self) -> TrainableFn:
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)

    def allowed(self, dotted: str) -> str:
        """What a key accepts, from the config model's annotation and constraints ('' when unknown)."""
        return describe_field(self.model(), dotted)


TRAINABLES: Registry[TrainableSpec] = Registry("trainable")


def register(spec: TrainableSpec) -> TrainableSpec:
    return TRAINABLES.register(spec.name, spec)


def describe_field(model: type[BaseModel], dotted: str) -> str:
    parts = dotted.split(".")
    for part in parts[:-1]:
        f = model.model_fields.get(part)
        if f is None or not (isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel)):
            return ""
        model = f.annotation
    f = model.model_fields.get(parts[-1])
    if f is None:
        return ""
    ann = f.annotation
    if typing.get_origin(ann) is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(ann))
    bounds = []
    for meta in f.metadata:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if getattr(meta, attr, None) is not None:
                bounds.append(f"{sym} {getattr(meta, attr)}")
    kind = getattr(ann, "__name__", str(ann)).replace("typing.", "")
    return f"{kind} {' and '.join(bounds)}" if bounds else ""


# ---------------------------------------------------------------- search


def _resolve_search(axes: dict[str, str], overrides: dict[str, Any]) -> dict[str, Any]:
    from searchcore.data import DATASETS
    from searchcore.methods.resolve import resolve_config

    DATASETS.get(axes["dataset"])
    cfg = resolve_config(axes["method"], axes["space"], axes["dataset"], overrides)
    return cfg.model_dump(mode="json")


def _search_keys() -> list[str]:
    from searchcore.config import known_keys

    return known_keys()


def _search_model() -> type[BaseModel]:
    from searchcore.config import SearchConfig

    return SearchConfig


register(TrainableSpec(
    "search", "searchcore.search:search_trainable", _resolve_search, _search_keys, _search_model,
    path_keys=("data.root", "nb201_table"),
    summary="architecture search (searchcore.search.search_trainable): one report + checkpoint per epoch",
))


# ---------------------------------------------------------------- select (DARTS-PT)


def _resolve_select(axes: dict[str, str], overrides: dict[str, Any]) -> dict[str, Any]:
    from searchcore.selection.select_config import select_config

    return select_config(overrides).model_dump(mode="json")


def _select_keys() -> list[str]:
    from searchcore.config import known_keys
    from searchcore.selection.select_config import SELECT_KEYS

    search = known_keys()
    return [k for k in SELECT_KEYS if k != "search"] + search + [f"search.{k}" for k in search]


def _select_model() -> type[BaseModel]:
    from searchcore.selection.select_config import SelectConfig

    return SelectConfig


register(TrainableSpec(
    "select", "searchcore.trainables.select:select_trainable", _resolve_select, _select_keys, _select_model,
    axes=(), path_keys=("checkpoint", "nb201_table", "data.root", "search.data.root"),
    summary="DARTS-PT selection from a search checkpoint (searchcore.trainables.select.select_trainable)",
    chain_key="checkpoint",
))
