"""How a trainable talks to whoever runs it: a reporter.

A trainable is ``fn(config: dict, reporter) -> dict``. Once per epoch it calls
``reporter.report(metrics, checkpoint_dir)``, where ``checkpoint_dir`` is a temporary directory holding
a full checkpoint that the reporter must persist (copy or move) before returning. On start it asks
``reporter.restore_dir()`` for a checkpoint to resume from. ``harness`` implements this with Ray Tune
(``tune.report`` / ``tune.get_checkpoint``); :class:`LocalReporter` implements it on a plain directory.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol


class Reporter(Protocol):
    def report(self, metrics: dict[str, Any], checkpoint_dir: str | None = None) -> None: ...

    def restore_dir(self) -> str | None: ...


class NullReporter:
    """Keeps the reported metrics in memory; no checkpoints (tests, quick experiments)."""

    persists_checkpoints = False
    """Optional reporter attribute (default True): False spares the trainable writing checkpoints."""

    def __init__(self) -> None:
        self.history: list[dict[str, Any]] = []

    def report(self, metrics: dict[str, Any], checkpoint_dir: str | None = None) -> None:
        self.history.append(dict(metrics))

    def restore_dir(self) -> str | None:
        return None


class LocalReporter:
    """Writes ``metrics.jsonl`` and keeps the latest checkpoint under ``out_dir/checkpoint``.

    With ``resume=True`` it offers that checkpoint on start. ``keep_epochs`` also keeps a copy per
    epoch (``checkpoints/epoch_0003``) for later selection runs or resume tests. ``on_report`` is
    called with every report once it is persisted: the command line prints its progress lines there
    (searchcore formats nothing for terminals; ``harness.progress`` does).
    """

    def __init__(self, out_dir: str | os.PathLike, resume: bool = False, keep_epochs: bool = False,
                 on_report: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.resume = resume
        self.keep_epochs = keep_epochs
        self.on_report = on_report
        self.history: list[dict[str, Any]] = []
        if not resume:
            (self.out_dir / "metrics.jsonl").unlink(missing_ok=True)

    @property
    def checkpoint_path(self) -> Path:
        return self.out_dir / "checkpoint"

    def report(self, metrics: dict[str, Any], checkpoint_dir: str | None = None) -> None:
        self.history.append(dict(metrics))
        with open(self.out_dir / "metrics.jsonl", "a") as fh:
            fh.write(json.dumps(jsonable(metrics)) + "\n")
        if checkpoint_dir is not None:
            tmp = self.out_dir / "checkpoint.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(checkpoint_dir, tmp)
            shutil.rmtree(self.checkpoint_path, ignore_errors=True)
            os.replace(tmp, self.checkpoint_path)
            if self.keep_epochs:
                dest = self.out_dir / "checkpoints" / f"epoch_{int(metrics.get('epoch', 0)):04d}"
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(checkpoint_dir, dest)
        if self.on_report is not None:
            self.on_report(metrics)

    def restore_dir(self) -> str | None:
        if self.resume and (self.checkpoint_path / "state.pt").exists():
            return str(self.checkpoint_path)
        return None


def jsonable(metrics: dict[str, Any]) -> dict[str, Any]:
    """The metrics with non-finite floats as None: JSON has no NaN/inf (``json.dumps`` would write the
    non-standard ``NaN``, which strict readers and Parquet converters reject)."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in metrics.items()}
