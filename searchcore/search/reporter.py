"""How a trainable talks to whoever runs it: a reporter.

A trainable is ``fn(config: dict, reporter) -> dict``. Once per epoch it calls
``reporter.report(metrics, checkpoint_dir)``, where ``checkpoint_dir`` is a temporary directory holding
a full checkpoint that the reporter must persist (copy or move) before returning. On start it asks
``reporter.restore_dir()`` for a checkpoint to resume from. ``harness`` implements this with Ray Tune
(``tune.report`` / ``tune.get_checkpoint``); :class:`LocalReporter` implements it on a plain directory.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


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
    epoch (``checkpoints/epoch_0003``) for later selection runs or resume tests.
    """

    def __init__(self, out_dir: str | os.PathLike, resume: bool = False, keep_epochs: bool = False,
                 echo: bool = True) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.resume = resume
        self.keep_epochs = keep_epochs
        self.echo = echo
        self.history: list[dict[str, Any]] = []
        if not resume:
            (self.out_dir / "metrics.jsonl").unlink(missing_ok=True)

    @property
    def checkpoint_path(self) -> Path:
        return self.out_dir / "checkpoint"

    def report(self, metrics: dict[str, Any], checkpoint_dir: str | None = None) -> None:
        self.history.append(dict(metrics))
        with open(self.out_dir / "metrics.jsonl", "a") as fh:
            fh.write(json.dumps(_jsonable(metrics)) + "\n")
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
        if self.echo:
            log.info(format_progress(metrics))

    def restore_dir(self) -> str | None:
        if self.resume and (self.checkpoint_path / "state.pt").exists():
            return str(self.checkpoint_path)
        return None


def _jsonable(metrics: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in metrics.items():
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[key] = value
    return out


def format_progress(m: dict[str, Any]) -> str:
    """One line per epoch for people watching a terminal."""
    parts = [f"epoch {m.get('epoch')}/{m.get('epochs')}"]
    for key, fmt in (("train_acc", "train {:.2f}%"), ("val_acc", "val {:.2f}%"), ("lr", "lr {:.4g}"),
                     ("p", "p {:.3f}"), ("n_skip", "skip {}"), ("epoch_seconds", "{:.1f}s"),
                     ("images_per_second", "{:.0f} img/s"), ("nb201_cifar10_test", "NB201 c10 test {:.2f}")):
        if m.get(key) is not None:
            parts.append(fmt.format(m[key]))
    if m.get("arch"):
        parts.append(str(m["arch"]))
    return " | ".join(parts)
