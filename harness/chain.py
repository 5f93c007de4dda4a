"""Where a chained trial finds its search trial's final checkpoint, when the trial starts.

A sweep with ``after: {sweep: NAME, trials: ...}`` (harness.sweepfile.chaining) gets one trial per chosen search trial;
each records the search trial's directory. Tune keeps the newest ``checkpoint_*`` of every trial under
``<storage>/<search sweep>/<trial_id>/``, which only exists once the search trial has run, so it is looked
up here, at the start of the chained trial, not when the sweep is expanded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator

import pyarrow.fs as pafs

from harness.layout import STATUS_FILE
from harness.storage import is_uri, join, list_dirs, read_text

CHECKPOINT_DIR = re.compile(r"^checkpoint_(\d+)$")


class SourceNotReady(RuntimeError):
    """The search trial a chained trial starts from has not finished or left no checkpoint."""


def latest_checkpoint(trial_dir: str) -> str | None:
    """The newest ``checkpoint_NNNNNN`` directory Tune kept for a trial, or None."""
    numbered = [(int(m.group(1)), name) for name in list_dirs(trial_dir) if (m := CHECKPOINT_DIR.match(name))]
    return join(trial_dir, max(numbered)[1]) if numbered else None


@contextlib.contextmanager
def source_checkpoint(trial_dir: str) -> Iterator[str]:
    """A local directory with the final checkpoint of the finished search trial in ``trial_dir`` (copied
    from object storage when the sweep lives there); raises :class:`SourceNotReady` otherwise."""
    status = json.loads(read_text(join(trial_dir, STATUS_FILE)) or "{}").get("status", "never started")
    if status != "TERMINATED":
        raise SourceNotReady(f"search trial {trial_dir} is {status}, not finished: finish it (`dartsweep resume "
                             f"{os.path.dirname(trial_dir.rstrip('/'))}`), then resume this sweep")
    checkpoint = latest_checkpoint(trial_dir)
    if checkpoint is None:
        raise SourceNotReady(f"search trial {trial_dir} finished but kept no checkpoint_* directory")
    if not is_uri(checkpoint):
        yield checkpoint
        return
    local = tempfile.mkdtemp(prefix="dartsweep-source-")
    try:
        pafs.copy_files(checkpoint, local)
        yield local
    finally:
        shutil.rmtree(local, ignore_errors=True)
