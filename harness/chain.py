"""Chained sweeps: a selection sweep whose trials start from the final checkpoints of a search sweep.

A sweep with ``after: {sweep: NAME, trials: ...}`` gets one trial per chosen search trial (times its own
grid). Its trials are expanded before Ray starts against the search sweep's *expanded* trial list, either
from a sweep given earlier in the same ``dartsweep run`` command or from the sweep saved under the
storage, so a chained pair is validated as a whole. The checkpoint itself is looked up when the trial
starts (:func:`source_checkpoint`): Tune keeps the newest ``checkpoint_*`` of each trial under
``<storage>/<search sweep>/<trial_id>/``, which only exists once the search trial has run.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pyarrow.fs as pafs

CHECKPOINT_DIR = re.compile(r"^checkpoint_(\d+)$")
SOURCE_KEY = "source"
"""The swept key naming the search trial a chained trial starts from (``source.<key>`` carry its labels)."""


class SourceNotReady(RuntimeError):
    """The search trial a chained trial starts from has not finished or left no checkpoint."""


def _listing(trial_dir: str) -> list[str]:
    if "://" in trial_dir:
        fs, path = pafs.FileSystem.from_uri(trial_dir)
        infos = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True))
        return [info.base_name for info in infos if info.type == pafs.FileType.Directory]
    if not os.path.isdir(trial_dir):
        return []
    return [name for name in os.listdir(trial_dir) if os.path.isdir(os.path.join(trial_dir, name))]


def _read(path: str) -> str | None:
    if "://" in path:
        fs, p = pafs.FileSystem.from_uri(path)
        if fs.get_file_info(p).type != pafs.FileType.File:
            return None
        with fs.open_input_stream(p) as f:
            return f.read().decode()
    return open(path).read() if os.path.isfile(path) else None


def latest_checkpoint(trial_dir: str) -> str | None:
    """The newest ``checkpoint_NNNNNN`` directory Tune kept for a trial, or None."""
    numbered = [(int(m.group(1)), name) for name in _listing(trial_dir) if (m := CHECKPOINT_DIR.match(name))]
    if not numbered:
        return None
    sep = "/" if "://" in trial_dir else os.sep
    return trial_dir.rstrip("/") + sep + max(numbered)[1]


@contextlib.contextmanager
def source_checkpoint(trial_dir: str) -> Iterator[str]:
    """A local directory with the final checkpoint of the finished search trial in ``trial_dir`` (copied
    from object storage when the sweep lives there); raises :class:`SourceNotReady` otherwise."""
    status = json.loads(_read(trial_dir.rstrip("/") + "/status.json") or "{}").get("status", "never started")
    if status != "TERMINATED":
        raise SourceNotReady(f"search trial {trial_dir} is {status}, not finished: finish it (`dartsweep resume "
                             f"{os.path.dirname(trial_dir.rstrip('/'))}`), then resume this sweep")
    checkpoint = latest_checkpoint(trial_dir)
    if checkpoint is None:
        raise SourceNotReady(f"search trial {trial_dir} finished but kept no checkpoint_* directory")
    if "://" not in checkpoint:
        yield checkpoint
        return
    local = tempfile.mkdtemp(prefix="dartsweep-source-")
    try:
        pafs.copy_files(checkpoint, local)
        yield local
    finally:
        shutil.rmtree(local, ignore_errors=True)


def source_labels(trial_id: str, axes: dict[str, Any], params: dict[str, Any], seed: Any) -> dict[str, Any]:
    """What a chained trial records of its search trial: id, method/space/dataset, swept keys and seed."""
    labels = {SOURCE_KEY: trial_id}
    labels.update({f"{SOURCE_KEY}.{k}": v for k, v in {**axes, **params}.items()})
    labels.setdefault(f"{SOURCE_KEY}.seed", seed)
    return labels
