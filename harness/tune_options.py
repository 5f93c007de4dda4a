"""Optional Tune parts a sweep file may name: a trial ``scheduler`` (ASHA …), a ``search_alg`` (Optuna …) and
logger ``callbacks`` (W&B, MLflow), one registry each.

An entry says which Tune class it builds (``target``, ``module:Class``, imported only when a sweep runs, by
:mod:`harness.tune_runner`), the options a sweep may give it (a pydantic model that rejects unknown keys, so a
typo fails when the sweep file is validated, not after Ray started) and the pip package it needs beyond
``ray[tune]``. This module imports no Ray: validating a sweep (``--dry-run``) never starts or imports it. Names
are looked up here only, never branched on elsewhere; register your own entries from a plugin module
(``$DARTSWEEP_PLUGINS``) like the built-in ones below.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from searchcore.registry import Registry, UnknownNameError


class Options(BaseModel):
    """Options of one entry; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class TuneOption:
    name: str
    target: str
    """``module:Class`` of the Tune object, called with the options (less :attr:`own_keys`) as keywords."""
    options: type[Options]
    package: str = ""
    """The pip package the target needs besides ``ray[tune]`` ('' when none)."""
    module: str = ""
    """The importable module of :attr:`package` (checked before the sweep runs)."""
    own_keys: tuple[str, ...] = ()
    """Options dartsweep uses itself rather than passing them to the target (``num_samples``, ``param_space``)."""
    summary: str = ""

    def missing(self) -> str:
        """'' when the target can be built here, else the pip package to install."""
        return self.package if self.module and importlib.util.find_spec(self.module) is None else ""

    def kwargs(self, options: Options) -> dict[str, Any]:
        return options.model_dump(exclude=set(self.own_keys), exclude_none=True)


SCHEDULERS: Registry[TuneOption] = Registry("scheduler")
SEARCH_ALGS: Registry[TuneOption] = Registry("search_alg")
CALLBACKS: Registry[TuneOption] = Registry("callback")


def register(registry: Registry[TuneOption], entry: TuneOption) -> TuneOption:
    return registry.register(entry.name, entry)


# ---------------------------------------------------------------- schedulers


class _Metric(Options):
    metric: str = "val_acc"
    """A metric every report of the trainable carries (``val_acc``, ``train_loss``, ``nb201_cifar10_test`` …)."""
    mode: Literal["min", "max"] = "max"


class AshaOptions(_Metric):
    time_attr: str = "training_iteration"
    """What counts as time: reports so far (one per epoch for searches), or a reported column (``epoch``)."""
    grace_period: int = Field(1, ge=1)
    max_t: int = Field(100, ge=1)
    reduction_factor: float = Field(4.0, gt=1)
    brackets: int = Field(1, ge=1)


class MedianOptions(_Metric):
    time_attr: str = "training_iteration"
    grace_period: float = Field(1.0, ge=0)
    min_samples_required: int = Field(3, ge=1)


register(SCHEDULERS, TuneOption(
    "asha", "ray.tune.schedulers:ASHAScheduler", AshaOptions,
    summary="asynchronous successive halving: stops the worse trials at rungs grace_period × reduction_factor^k"))
register(SCHEDULERS, TuneOption(
    "median", "ray.tune.schedulers:MedianStoppingRule", MedianOptions,
    summary="stops a trial whose best result is below the median of the others' running averages"))


# ---------------------------------------------------------------- search algorithms

DISTRIBUTIONS: dict[str, int | None] = {"uniform": 2, "quniform": 3, "loguniform": 2, "qloguniform": 3,
                                        "randint": 2, "lograndint": 2, "choice": None}
"""Distributions of ``search_alg.param_space`` (Tune's functions of the same names) and how many numbers each
takes: ``{uniform: [0.0, 0.5]}``, ``{loguniform: [1.0e-4, 1.0e-1]}``, ``{randint: [0, 4]}`` (upper bound
excluded); ``choice`` (None) takes the list of values itself: ``{choice: [linear, exponential]}``."""


def distribution_problem(spec: Any) -> str:
    """What is wrong with one ``param_space`` entry ('' when nothing)."""
    allowed = ", ".join(DISTRIBUTIONS)
    if not isinstance(spec, dict) or len(spec) != 1:
        return f"expected one {{distribution: [arguments]}} mapping ({allowed}), got {spec!r}"
    (name, args), = spec.items()
    if name not in DISTRIBUTIONS:
        return f"unknown distribution {name!r}; allowed: {allowed}"
    if not isinstance(args, list) or not args:
        return f"{name}: expected a non-empty list, got {args!r}"
    arity = DISTRIBUTIONS[name]
    if arity is not None:
        if len(args) != arity or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args):
            return f"{name}: expected {arity} numbers, got {args!r}"
        if args[0] >= args[1]:
            return f"{name}: the lower bound must be below the upper bound, got {args!r}"
        if name.startswith(("log", "qlog")) and args[0] <= 0:
            return f"{name}: bounds must be > 0, got {args!r}"
    return ""


def extremes(spec: dict[str, list]) -> list[Any]:
    """The values a distribution can reach at its ends (every value of a ``choice``): each is validated as a trial
    config before the sweep runs, so a range the config refuses (p_max above 1) fails at once."""
    (name, args), = spec.items()
    if DISTRIBUTIONS[name] is None:
        return list(args)
    low, high = args[0], args[1]
    return [low, high - 1] if name.endswith("randint") else [low, high]


class SearchOptions(_Metric):
    num_samples: int = Field(10, ge=1)
    """How many trials the search algorithm proposes (the sweep's trials t000 … t<num_samples - 1>)."""
    param_space: dict[str, Any] = Field(min_length=1)
    """Dotted config key -> ``{distribution: [arguments]}`` (:data:`DISTRIBUTIONS`)."""
    seed: int | None = None

    @field_validator("param_space")
    @classmethod
    def _distributions(cls, space: dict[str, Any]) -> dict[str, Any]:
        for key, spec in space.items():
            problem = distribution_problem(spec)
            if problem:
                raise PydanticCustomError("distribution", f"{key}: {problem}")
        return space


register(SEARCH_ALGS, TuneOption(
    "optuna", "ray.tune.search.optuna:OptunaSearch", SearchOptions, package="optuna", module="optuna",
    own_keys=("num_samples", "param_space"), summary="Optuna's TPE sampler (ray.tune.search.optuna.OptunaSearch)"))
register(SEARCH_ALGS, TuneOption(
    "random", "harness.tune_runner:RandomSearch", SearchOptions, own_keys=("num_samples", "param_space"),
    summary="independent random draws from param_space (no extra package; seeded)"))


# ---------------------------------------------------------------- logger callbacks


class WandbOptions(Options):
    project: str
    group: str | None = None
    entity: str | None = None
    tags: list[str] | None = None
    api_key_file: str | None = None
    log_config: bool = False
    upload_checkpoints: bool = False
    excludes: list[str] | None = None


class MlflowOptions(Options):
    tracking_uri: str | None = None
    registry_uri: str | None = None
    experiment_name: str | None = None
    tags: dict[str, str] | None = None
    save_artifact: bool = False


register(CALLBACKS, TuneOption(
    "wandb", "ray.air.integrations.wandb:WandbLoggerCallback", WandbOptions, package="wandb", module="wandb",
    summary="one W&B run per trial: config (the swept values) and every report"))
register(CALLBACKS, TuneOption(
    "mlflow", "ray.air.integrations.mlflow:MLflowLoggerCallback", MlflowOptions, package="mlflow", module="mlflow",
    summary="one MLflow run per trial: params (the swept values) and metrics"))


# ---------------------------------------------------------------- in a sweep file


class TuneChoice(BaseModel):
    """``{name: <entry>, <option>: <value>, ...}`` in a sweep file, validated against the entry's options.
    Subclasses name their registry; the options stay in the model's extras, so ``sweep.yaml`` keeps them as given."""

    model_config = ConfigDict(extra="allow")
    registry: ClassVar[Registry[TuneOption]]
    name: str
    _options: Options | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _check(self) -> TuneChoice:
        try:
            entry = self.registry.get(self.name)
        except UnknownNameError as err:
            raise PydanticCustomError("unknown_entry", str(err)) from None
        given = dict(self.model_extra or {})
        unknown = [k for k in given if k not in entry.options.model_fields]
        if unknown:
            raise PydanticCustomError(
                "unknown_option", f"unknown key {unknown[0]!r} of {self.registry.kind} {self.name!r}; allowed: "
                f"name, {', '.join(entry.options.model_fields)}")
        try:
            self._options = entry.options.model_validate(given)
        except ValidationError as err:
            e = err.errors()[0]
            key = ".".join(str(p) for p in e["loc"]) or "(options)"
            value = f" (got {e['input']!r})" if "input" in e and not isinstance(e["input"], dict) else ""
            raise PydanticCustomError("bad_option", f"{key}: {e['msg']}{value}") from None
        return self

    @property
    def entry(self) -> TuneOption:
        return self.registry.get(self.name)

    @property
    def options(self) -> Options:
        assert self._options is not None
        return self._options


class SchedulerChoice(TuneChoice):
    registry: ClassVar[Registry[TuneOption]] = SCHEDULERS


class SearchAlgChoice(TuneChoice):
    registry: ClassVar[Registry[TuneOption]] = SEARCH_ALGS

    @property
    def options(self) -> SearchOptions:
        assert isinstance(self._options, SearchOptions)
        return self._options


class CallbackChoice(TuneChoice):
    registry: ClassVar[Registry[TuneOption]] = CALLBACKS
