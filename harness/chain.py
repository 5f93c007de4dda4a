"""What a chained trial takes from its source trial, fetched when the trial starts.

A sweep with ``after: {sweep: NAME, trials: ...}`` (harness.sweepfile.chaining) gets one trial per chosen source
trial; each records the source trial's directory. What it takes from there is the trainable's
``chain_takes`` (``harness.trainables``), an entry of :data:`CHAIN_INPUTS`:

* ``checkpoint``: the newest ``checkpoint_*`` Tune kept under ``<storage>/<source sweep>/<trial_id>/`` (DARTS-PT
  selection starts from a search's supernet);
* ``architecture``: the ``genotype`` of the source trial's last reported row in its ``metrics.jsonl`` (an
  evaluation trains what a search, selection or random trial ended with).

Both exist only once the source trial has run, so they are looked up here, at the start of the chained
trial, not when the sweep is expanded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

import pyarrow.fs as pafs

from harness.layout import METRICS_FILE, STATUS_FILE
from harness.storage import is_uri, join, list_dirs, read_text
from searchcore.registry import Registry

CHECKPOINT_DIR = re.compile(r"^checkpoint_(\d+)$")


class SourceNotReady(RuntimeError):
    """The source trial of a chained trial has not finished, or left nothing this trial can take."""


def latest_checkpoint(trial_dir: str) -> str | None:
    """The newest ``checkpoint_NNNNNN`` directory Tune kept for a trial, or None."""
    numbered = [(int(m.group(1)), name) for name in list_dirs(trial_dir) if (m := CHECKPOINT_DIR.match(name))]
    return join(trial_dir, max(numbered)[1]) if numbered else None


def require_finished(trial_dir: str, what: str = "search") -> None:
    """Raises :class:`SourceNotReady` unless the trial in ``trial_dir`` finished (status TERMINATED)."""
    status = json.loads(read_text(join(trial_dir, STATUS_FILE)) or "{}").get("status", "never started")
    if status != "TERMINATED":
        raise SourceNotReady(f"{what} trial {trial_dir} is {status}, not finished: finish it (`dartsweep resume "
                             f"{os.path.dirname(trial_dir.rstrip('/'))}`), then resume this sweep")


@contextlib.contextmanager
def source_checkpoint(trial_dir: str) -> Iterator[str]:
    """A local directory with the final checkpoint of the finished search trial in ``trial_dir`` (copied
    from object storage when the sweep lives there); raises :class:`SourceNotReady` otherwise."""
    require_finished(trial_dir)
    status = json.loads(read_text(join(trial_dir, STATUS_FILE)) or "{}")
    if status.get("fused_trial"):  # a seed of a fused group: its checkpoint is a part of the group's
        group_dir = join(os.path.dirname(trial_dir.rstrip("/")), status["fused_trial"])
        group_checkpoint = latest_checkpoint(group_dir)
        checkpoint = None if group_checkpoint is None else join(group_checkpoint, f"seed_{status['fused_index']}")
    else:
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


def final_architecture(trial_dir: str) -> str:
    """The ``genotype`` of the last row the finished trial in ``trial_dir`` reported (its final derived or
    selected architecture, in the text form its space's family reads)."""
    require_finished(trial_dir, "source")
    last: dict = {}
    for line in (read_text(join(trial_dir, METRICS_FILE)) or "").splitlines():
        try:
            last = json.loads(line)
        except json.JSONDecodeError:  # a line cut by a crash mid-write (never with atomic writes)
            continue
    genotype = last.get("genotype")
    if not genotype:
        raise SourceNotReady(f"source trial {trial_dir} finished but its last row in {METRICS_FILE} has no "
                             "genotype to evaluate")
    return str(genotype)


@contextlib.contextmanager
def source_architecture(trial_dir: str) -> Iterator[str]:
    """:func:`final_architecture` as a context, like :func:`source_checkpoint`."""
    yield final_architecture(trial_dir)


@dataclass(frozen=True)
class ChainInput:
    """What a chained trial takes from its source trial (a trainable's ``chain_takes``)."""

    name: str
    fetch: Callable[[str], AbstractContextManager[str]]
    """source trial directory -> (context giving) the value of the chained trial's ``chain_key``."""
    known_at_expansion: bool
    """Whether the chain key holds the source directory until the trial starts (a checkpoint path is checked
    only when used), or stays unset (an architecture is validated against the space: only the real one can be)."""
    description: str


CHAIN_INPUTS: Registry[ChainInput] = Registry("chain input")
"""The kinds of chain input, by name (a trainable's ``chain_takes`` and a source trainable's ``chain_gives``)."""
CHAIN_INPUTS.register("checkpoint", ChainInput(
    "checkpoint", source_checkpoint, True, "the final checkpoint of a search trial (its supernet)"))
CHAIN_INPUTS.register("architecture", ChainInput(
    "architecture", source_architecture, False, "the genotype of the last row a trial reported"))
