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
    max_failures: int = Field(0, ge=0)
    keep_checkpoints: int = Field(2, ge=1)
    storage: str = DEFAULT_STORAGE
    storage_shared: bool = False
    """The (non-URI) storage path is on a file system every node mounts at the same path (NFS)."""


@dataclass
class Trial:
    index: int
    trial_id: str
    params: dict[str, Any]
    """The swept keys of this trial (grid and zip), in axis order."""
    axes: dict[str, str]
    """method, space, dataset of this trial."""
    config: dict[str, Any]
    """The resolved, validated trainable config (nested, JSON-ready)."""
    source: str | None = None
    """Chained trials: the directory of the source trial this trial starts from (its checkpoint or architecture)."""

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "trial_id": self.trial_id, "params": self.params, "axes": self.axes,
                "config": self.config, "source": self.source}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Trial:
        return cls(d["index"], d["trial_id"], d["params"], d["axes"], d["config"], d.get("source"))


@dataclass
class Sweep:
    spec: SweepFile
    trials: list[Trial]
    source: str
    swept_keys: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        body = self.spec.model_dump(mode="json")
        return f"# resolved from {self.source}\n" + yaml.safe_dump(body, sort_keys=False)
