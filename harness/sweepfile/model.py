"""The typed sweep file (what a user writes) and the expanded sweep (what runs and is saved).

The pydantic models reject unknown keys (house style); :class:`Trial` and :class:`Sweep` are the
expansion's result, JSON/YAML round-trippable so a saved sweep can be resumed or chained after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from harness.tune_options import CallbackChoice, SchedulerChoice, SearchAlgChoice

DEFAULT_STORAGE = "./results"
SOURCE_KEY = "source"
"""Chained sweeps: the swept key naming the source trial a trial starts from (``source.<key>``: its labels)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Resources(_Strict):
    """What one trial holds. ``cpu`` and ``gpu`` are per worker: a trial of ``workers`` W holds W·cpu CPUs and
    W·gpu GPUs (with W = 1, per trial)."""

    cpu: float = Field(1.0, gt=0)
    """CPUs per worker (fractions allowed); Ray also sets the worker's thread count from it."""
    gpu: float = Field(0.0, ge=0)
    """GPUs per worker; 0.5 packs two single-worker trials on one GPU."""
    workers: int = Field(1, ge=1)
    """Data-parallel workers of one trial (``harness.train_runner``: Ray Train, DDP): each trains on its share
    of every global batch, on one GPU (``gpu: 1``, NCCL) or on CPUs (``gpu: 0``, gloo), on any nodes.
    Only trainables that can train data-parallel (``evaluate``) take more than one."""

    @model_validator(mode="after")
    def _one_gpu_per_worker(self) -> Resources:
        if self.workers > 1 and self.gpu not in (0, 1):
            raise PydanticCustomError(
                "workers_gpu", f"gpu: {self.gpu:g} with workers: {self.workers}: a data-parallel worker trains "
                "on one whole GPU (gpu: 1) or on CPUs (gpu: 0)")
        return self


class After(_Strict):
    """Chaining: start each trial from what a trial of an earlier sweep left (the final checkpoint of a search
    trial, or the final architecture of a search, selection or random trial; ``harness.chain``)."""

    sweep: str
    """The earlier sweep: its name (under this sweep's storage, or given earlier in the same `dartsweep
    run`), or the path / URI of its directory."""
    trials: Literal["all"] | list[str] | dict[str, Any] = "all"
    """Which of its trials: ``all``, a list of trial ids (or their ``tNNN`` prefixes), or a filter on its
    swept keys and method/space/dataset (``{method: em-darts, seed: [0, 1]}``)."""


class SweepFile(_Strict):
    """The top level of a sweep file; every field is documented in docs/sweeps.md."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    trainable: str = "search"
    method: str = "darts"
    protocol: str = "darts-cifar"
    """Evaluation protocol of the ``evaluate`` trainable (``searchcore.evaluate.protocols``)."""
    space: str = "nb201"
    dataset: str = "digits"
    data_root: str | None = None
    epochs: int | None = Field(None, ge=1)
    nb201_table: str | None = None
    checkpoint_every: int | None = Field(None, ge=1)
    after: After | None = None
    set: dict[str, Any] = {}
    grid: dict[str, Any] = {}
    zip: list[dict[str, Any]] = []
    resources: Resources = Resources()
    max_concurrent: int | None = Field(None, ge=1)
    seeds_per_trial: int = Field(1, ge=1)
    """Fold the ``seed`` axis into trials of this many seeds trained as one fused model (``searchcore.fused``);
    every seed still gets its own trial directory, rows and status, as if it had run alone (docs/sweeps.md)."""
    max_failures: int = Field(0, ge=0)
    keep_checkpoints: int = Field(2, ge=1)
    storage: str = DEFAULT_STORAGE
    storage_shared: bool = False
    """The (non-URI) storage path is on a file system every node mounts at the same path (NFS)."""
    scheduler: SchedulerChoice | None = None
    """A Tune trial scheduler that stops poor trials early (``{name: asha, metric: val_acc, ...}``)."""
    search_alg: SearchAlgChoice | None = None
    """A Tune search algorithm proposing ``num_samples`` trials from its ``param_space`` (instead of a grid)."""
    callbacks: list[CallbackChoice] = []
    """Logger callbacks (W&B, MLflow) fed with every trial's swept values and reports."""
    tune_loggers: list[Literal["csv", "json", "tensorboard"]] = ["csv", "json", "tensorboard"]
    """Tune's own per-trial logs: ``progress.csv``; ``result.json`` + ``params.json`` + ``params.pkl`` (what
    ``ExperimentAnalysis`` / ``ResultGrid`` read metric histories from); TensorBoard event files. The trials' own
    ``metrics.jsonl`` holds the same; ``[]`` saves 4–5 files per trial on sweeps of thousands (docs/benchmarks.md)."""


class Trial:
    """One expanded trial. Its config is held whole (``config=``), or as its changes from a config every trial of
    the sweep shares (``base=``, ``changes=``, what :func:`harness.sweepfile.expand.expand` makes): 10,000 trials
    then cost their swept values, not 10,000 configs, in memory, in ``trials.json`` and in the trainable Ray ships
    to every trial process (docs/benchmarks.md, *Sweep scale*). ``config`` is always a fresh, whole dict."""

    __slots__ = ("index", "trial_id", "params", "axes", "source", "_config", "base", "changes")

    def __init__(self, index: int, trial_id: str, params: dict[str, Any], axes: dict[str, str],
                 config: dict[str, Any] | None = None, source: str | None = None, *,
                 base: dict[str, Any] | None = None, changes: list[list] | None = None) -> None:
        self.index = index
        self.trial_id = trial_id
        self.params = params
        """The swept keys of this trial (grid and zip), in axis order."""
        self.axes = axes
        """method, space, dataset of this trial."""
        self.source = source
        """Chained trials: the directory of the source trial this trial starts from (checkpoint or architecture)."""
        self._config = config
        self.base = base
        self.changes = changes or []
        if config is None and base is None:
            raise ValueError("a Trial needs its config, or a base config and its changes")

    @property
    def config(self) -> dict[str, Any]:
        """The resolved, validated trainable config (nested, JSON-ready)."""
        if self._config is not None:
            return self._config
        return apply_changes(self.base or {}, self.changes)

    @config.setter
    def config(self, value: dict[str, Any]) -> None:
        self._config, self.base, self.changes = value, None, []

    def compact(self, base: dict[str, Any]) -> Trial:
        """This trial held as its changes from ``base`` (shared, never modified)."""
        config = self.config
        self._config, self.base, self.changes = None, base, config_changes(base, config)
        return self

    def to_json(self) -> dict[str, Any]:
        body = {"changes": self.changes} if self._config is None else {"config": self._config}
        return {"index": self.index, "trial_id": self.trial_id, "params": self.params, "axes": self.axes, **body,
                "source": self.source}

    @classmethod
    def from_json(cls, d: dict[str, Any], base: dict[str, Any] | None = None) -> Trial:
        if "config" in d:
            return cls(d["index"], d["trial_id"], d["params"], d["axes"], d["config"], d.get("source"))
        return cls(d["index"], d["trial_id"], d["params"], d["axes"], None, d.get("source"), base=base or {},
                   changes=d["changes"])

    def __eq__(self, other: object) -> bool:
        """Same trial, however its config is held."""
        fields = ("index", "trial_id", "params", "axes", "source")
        return isinstance(other, Trial) and all(getattr(self, f) == getattr(other, f) for f in fields) \
            and self.config == other.config

    def __repr__(self) -> str:
        return f"Trial({self.index}, {self.trial_id!r}, {self.params!r}, {self.axes!r})"


def config_changes(base: dict[str, Any], config: dict[str, Any], path: tuple = ()) -> list[list]:
    """``[[path, value], ...]`` that turn ``base`` into ``config``, ``[path]`` for a key ``config`` lacks. Paths are
    lists of keys (a key may itself hold dots: a select config's search overrides); a value differs when its JSON
    type does (1 and 1.0 and True are different values in a config)."""
    out: list[list] = []
    for key, value in config.items():
        old = base.get(key, _MISSING)
        if isinstance(value, dict) and isinstance(old, dict) and value and old:
            out.extend(config_changes(old, value, (*path, key)))
        elif old is _MISSING or type(old) is not type(value) or old != value:
            out.append([[*path, key], value])
    out.extend([[*path, key]] for key in base if key not in config)
    return out


def apply_changes(base: dict[str, Any], changes: list[list]) -> dict[str, Any]:
    """A fresh config: ``base`` with :func:`config_changes`' changes applied (``base`` is left as it was)."""
    config = _copy(base)
    for change in changes:
        *parents, last = change[0]
        node = config
        for key in parents:
            node = node[key]
        if len(change) == 2:
            node[last] = _copy(change[1])
        else:
            del node[last]
    return config


_MISSING = object()


def _copy(value: Any) -> Any:
    """A copy of JSON data (dicts, lists, scalars): several times faster than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


@dataclass
class Sweep:
    spec: SweepFile
    trials: list[Trial]
    source: str
    swept_keys: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        body = self.spec.model_dump(mode="json")
        return f"# resolved from {self.source}\n" + yaml.safe_dump(body, sort_keys=False)
