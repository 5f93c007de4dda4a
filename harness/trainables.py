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

SEARCH_AXES = ("method", "space", "dataset")
"""The axes of a search: method preset, space, data set (the default of :attr:`TrainableSpec.axes`)."""
AXES = (*SEARCH_AXES, "protocol")
"""Sweep-level names that pick presets and registries rather than config values; each trainable takes some
(``protocol``: the evaluation protocol of the ``evaluate`` trainable)."""

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
    axes: tuple[str, ...] = SEARCH_AXES
    path_keys: tuple[str, ...] = ()
    summary: str = ""
    chain_key: str | None = None
    """The config key that takes what a chained trial gets from its source trial, when the trainable can
    follow another sweep (``after:`` in a sweep file; see harness.chain)."""
    chain_takes: str = "checkpoint"
    """What goes into ``chain_key``: an entry of ``harness.chain.CHAIN_INPUTS`` (``checkpoint``: the source
    trial's final checkpoint; ``architecture``: the genotype of its last reported row)."""
    chain_inherits: tuple[str, ...] = ()
    """Axes a chained trial takes from its source trial unless the sweep gives them (``space``: the
    architecture belongs to the source's space)."""
    chain_gives: tuple[str, ...] = ("architecture",)
    """What a trial of this trainable leaves for trials chained after it (entries of ``CHAIN_INPUTS``); every
    trainable reporting a ``genotype`` gives an architecture."""
    baseline: str = ""
    """For a baseline that searches nothing: the papers' rows it reproduces, with their source
    (``dartsweep methods`` lists these beside the presets)."""
    fused_target: str | None = None
    """``module:function`` training several seeds of one config as one fused model (``fn(configs, reporter)``,
    ``searchcore.fused``), for ``seeds_per_trial`` > 1; ``None``: the trainable runs one seed per trial."""
    fusion_problem: Callable[[list[dict[str, Any]]], str] | None = None
    """Why validated configs (one per seed) cannot run fused ('' when they can)."""
    smoke: tuple[str, ...] = ()
    """``KEY=VALUE`` overrides of ``dartsweep run --smoke`` for this trainable's sweeps: micro scale on the embedded
    data, so any paper sweep runs end to end on a CPU in seconds per trial (``harness.smoke``, docs/reproduce.md)."""
    workers_problem: Callable[[dict[str, Any], int], str] | None = None
    """For a trainable that can train data-parallel (its function takes ``ranks=``; ``resources.workers`` > 1 runs
    it on that many Ray Train workers, ``harness.train_runner``): why a validated config cannot be split over
    that many workers ('' when it can). ``None``: the trainable runs in one process."""

    def load(self) -> TrainableFn:
        return _function(self.target)

    def load_fused(self) -> Callable[[list[dict[str, Any]], Any], Any]:
        if self.fused_target is None:
            raise ValueError(f"trainable {self.name!r} cannot run seeds fused")
        return _function(self.fused_target)

    def allowed(self, dotted: str) -> str:
        """What a key accepts, from the config model's annotation and constraints ('' when unknown)."""
        return describe_field(self.model(), dotted)


TRAINABLES: Registry[TrainableSpec] = Registry("trainable")


def _function(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


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


def _search_fusion_problem(configs: list[dict[str, Any]]) -> str:
    from searchcore.config import SearchConfig
    from searchcore.fused import fusion_problem

    return fusion_problem([SearchConfig.model_validate(c) for c in configs])


register(TrainableSpec(
    "search", "searchcore.search:search_trainable", _resolve_search, _search_keys, _search_model,
    path_keys=("data.root", "nb201_table"),
    summary="architecture search (searchcore.search.search_trainable): one report + checkpoint per epoch",
    chain_gives=("checkpoint", "architecture"),
    fused_target="searchcore.fused:fused_search_trainable", fusion_problem=_search_fusion_problem,
    smoke=("dataset=digits", "epochs=2", "supernet.channels=4", "supernet.cells_per_stage=1", "supernet.layers=3",
           "data.batch_size=16", "data.limit_train_images=64", "data.max_batches=2", "data.eval_batches=1",
           "threads=1", "method.shrink.steps=1", "method.shrink.interval=1", "method.shrink.samples=16"),
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
    smoke=("tune_epochs=1", "eval_batches=1", "threads=1"),
))


# ---------------------------------------------------------------- evaluate (train from scratch)


def _resolve_evaluate(axes: dict[str, str], overrides: dict[str, Any]) -> dict[str, Any]:
    from searchcore.data import DATASETS
    from searchcore.evaluate.protocols import resolve_eval_config

    DATASETS.get(axes["dataset"])  # UnknownNameError: the sweep error points at the data set's line
    return resolve_eval_config(axes["protocol"], axes["space"], axes["dataset"], overrides).model_dump(mode="json")


def _evaluate_keys() -> list[str]:
    from searchcore.evaluate.config import EVAL_KEYS

    return [k for k in EVAL_KEYS if k not in ("space", "protocol")]


def _evaluate_model() -> type[BaseModel]:
    from searchcore.evaluate.config import EvalConfig

    return EvalConfig


def _evaluate_workers(config: dict[str, Any], workers: int) -> str:
    from searchcore.evaluate.distributed import batch_problem

    return batch_problem(config["data"]["batch_size"], workers)


register(TrainableSpec(
    "evaluate", "searchcore.evaluate.loop:evaluate_trainable", _resolve_evaluate, _evaluate_keys, _evaluate_model,
    axes=("protocol", "space", "dataset"), path_keys=("data.root", "nb201_table"),
    summary="train an architecture from scratch with a paper's protocol (searchcore.evaluate.loop."
            "evaluate_trainable): one report + checkpoint per epoch",
    chain_key="architecture", chain_takes="architecture", chain_inherits=("space", "dataset"), chain_gives=(),
    workers_problem=_evaluate_workers,
    smoke=("protocol=cpu-demo", "dataset=digits", "epochs=1", "network.layers=3", "network.channels=4",
           "network.auxiliary=false", "data.batch_size=16", "data.limit_train_images=64", "data.max_batches=2",
           "data.eval_batches=1"),
))


# ---------------------------------------------------------------- random (the random-sampling baseline)


def _resolve_random(axes: dict[str, str], overrides: dict[str, Any]) -> dict[str, Any]:
    from searchcore.config import unflatten
    from searchcore.data import DATASETS
    from searchcore.spaces import SPACES
    from searchcore.trainables.random_sample import RandomSampleConfig

    SPACES.get(axes["space"])  # UnknownNameError: the sweep error points at the space's line
    DATASETS.get(axes["dataset"])
    tree = {**unflatten(overrides), "space": axes["space"], "dataset": axes["dataset"]}
    return RandomSampleConfig.model_validate(tree).model_dump(mode="json")


def _random_keys() -> list[str]:
    from searchcore.trainables.random_sample import RANDOM_KEYS

    return [k for k in RANDOM_KEYS if k not in AXES]


def _random_model() -> type[BaseModel]:
    from searchcore.trainables.random_sample import RandomSampleConfig

    return RandomSampleConfig


register(TrainableSpec(
    "random", "searchcore.trainables.random_sample:random_trainable", _resolve_random, _random_keys, _random_model,
    axes=("space", "dataset"), path_keys=("nb201_table",),
    summary="random-sampling baseline: one architecture drawn uniformly per seed, reported once "
            "(searchcore.trainables.random_sample.random_trainable)",
    baseline="EM-DARTS App. A.7 Table 7 'Random Sampling' (S5, CIFAR-10, 4 runs); on NB201 the benchmark's "
             "uniform draw over its 15,625 cells (Dong & Yang 2020); DARTS §2.4 cell rules (2 distinct "
             "inputs per node, never none) on DARTS spaces",
    smoke=("dataset=digits",),
))
