"""What a trial reads besides its config — its data root and NB-201 table — and whether it is there.

Checked before any trial starts, so a missing data set is one error instead of a failure (and ``max_failures``
retries) of every trial: by ``dartsweep run`` on this machine (:func:`harness.sweepfile.load.check_trial_files`, at
the line of the sweep file that set the path), and on a cluster by one preflight task on a node where trials run
(:func:`harness.tune_runner.check_cluster`), because a path or a bucket may be reachable from the driver and not
from the workers, or the other way round.

A value is a local path or a URI pyarrow opens (``s3://``, ``gs://``, ``file://`` …; :mod:`harness.storage`), read
with the credentials of the machine that checks it. URIs are copied onto each node when a trial starts
(:mod:`harness.staging`); the searchcore trainables only ever see local paths.
"""

from __future__ import annotations

import itertools
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow.fs as pafs

from harness.storage import is_uri, uri_problem

INPUT_KEYS = ("data.root", "search.data.root", "nb201_table")
"""Config keys naming what a trial reads: the data root (``search.data.root``: a select trial's override of the
data root its supernet was trained on) and the NB-201 table. ``checkpoint`` is not one: it comes from a sweep's
storage, which :mod:`harness.chain` reads."""

_PATTERN = "<*?["
"""Characters of an ``expected_files`` entry that is a pattern (``train/<wnid>/*.JPEG``), not a path."""


@dataclass(frozen=True)
class TrialInput:
    """One path a trial reads, under the config key that names it."""

    key: str
    value: str | None
    """Local path or URI; None: the data set's default root (``data.root`` only)."""
    dataset: str | None = None
    """The data set a data root must hold (None: a table, or a select trial's root, whose data set its
    checkpoint names: only its existence is checked)."""

    @property
    def is_table(self) -> bool:
        return self.key.endswith("nb201_table")


def _walk(tree: dict[str, Any], prefix: str = "") -> Iterator[tuple[dict[str, Any], str, str]]:
    """(mapping, its key, dotted config key) of every input key in a nested config; a key may itself be dotted
    (a select trial's ``search: {"data.root": ...}``)."""
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if key in INPUT_KEYS:
            yield tree, name, key
        elif isinstance(value, dict) and any(k.startswith(key + ".") for k in INPUT_KEYS):
            yield from _walk(value, key + ".")


def map_inputs(config: dict[str, Any], fn: Callable[[str, str], str], prefix: str = "") -> dict[str, Any]:
    """A copy of ``config`` with every input path ``v`` under key ``k`` replaced by ``fn(k, v)`` (the rest shared)."""
    out = dict(config)
    for name, value in config.items():
        key = f"{prefix}{name}"
        if key in INPUT_KEYS and isinstance(value, str):
            out[name] = fn(key, value)
        elif isinstance(value, dict) and any(k.startswith(key + ".") for k in INPUT_KEYS):
            out[name] = map_inputs(value, fn, key + ".")
    return out


def trial_inputs(configs: Iterable[dict[str, Any]]) -> list[TrialInput]:
    """The distinct inputs of some trial configs, in first-seen order."""
    seen: dict[TrialInput, None] = {}
    for config in configs:
        for tree, name, key in _walk(config):
            value = tree[name]
            dataset = tree.get(name[: -len("root")] + "dataset") if key.endswith("root") else None
            if value is None and (key != "data.root" or _embedded(dataset)):  # nothing on disk to check
                continue
            seen.setdefault(TrialInput(key, value, dataset), None)
    return list(seen)


def _embedded(dataset: str | None) -> bool:
    """A data set that needs no files when no root is given (digits: inside scikit-learn)."""
    from searchcore.data import DATASETS

    return dataset is not None and dataset in DATASETS and not required_entries(DATASETS.get(dataset).expected_files)


def check_inputs(inputs: Iterable[TrialInput]) -> tuple[str, list[str]]:
    """(this host, ``key: problem`` of every input that is not there): run on this machine or as a Ray task on a
    node (a plain function: :func:`harness.tune_runner.check_cluster` ships it)."""
    problems = []
    for item in inputs:
        problem = input_problem(item)
        if problem:
            problems.append(f"{item.key}: {problem}")
    return socket.gethostname(), problems


def input_problem(item: TrialInput) -> str | None:
    """What is wrong with one input where this runs (missing, not readable, lacking the data set's files), or
    None. Never raises for a bad path or URI: the answer is the one-line message."""
    if item.value is not None and is_uri(item.value):
        problem = uri_problem(item.value)
        if problem:
            return f"{item.value}: {problem}"
    try:
        if item.is_table:
            return _table_problem(item.value)
        return _root_problem(item.value, item.dataset)
    except (OSError, ValueError) as err:  # credentials, permissions, network: pyarrow's first line says which
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        return f"cannot read {item.value} ({first})"


def _table_problem(value: str | None) -> str | None:
    kind = _kind(value) if value else pafs.FileType.NotFound
    if kind == pafs.FileType.File:
        return None
    where = f"{value} is a directory" if kind == pafs.FileType.Directory else f"no file {value}"
    return f"{where} (the NB201 table, parquet or the shared CSV: docs/nb201.md); give a path that exists on every node"


def _root_problem(value: str | None, dataset: str | None) -> str | None:
    from searchcore.data import DATASETS

    spec = DATASETS.get(dataset) if dataset else None
    required = required_entries(spec.expected_files) if spec else []
    if spec is not None and not required:
        return None  # embedded data (digits): nothing on disk to check
    root = value if value is not None else (spec.default_root if spec else None)
    expected = f"expected files: {', '.join(spec.expected_files)} (docs/data.md)" if spec else ""
    if root is None:
        return f"not given and {dataset} has no default data root; {expected}"
    if _kind(root) != pafs.FileType.Directory:
        return f"{root} does not exist or is not a directory" + (f"; {expected}" if expected else "")
    missing = [path for path, kind, alternatives in required
               if not any(_kind(_join(root, p)) == kind for p in alternatives)]
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        return f"{root} lacks {shown}; {expected}"
    return None


def required_entries(expected_files: Iterable[str]) -> list[tuple[str, pafs.FileType, tuple[str, ...]]]:
    """(entry, file or directory, paths that satisfy it) a data root must hold, from a
    :class:`searchcore.data.DatasetSpec`'s ``expected_files``: a plain path is a file (a gzipped one may also lie
    there uncompressed: the loaders read either), a pattern (``train/<wnid>/*.JPEG``) needs the directory before
    its first wildcard, and a description in parentheses (embedded data) needs nothing."""
    out = []
    for entry in expected_files:
        if "(" in entry:
            continue
        parts = entry.split("/")
        literal = list(itertools.takewhile(lambda p: not any(c in p for c in _PATTERN), parts))
        if len(literal) == len(parts):
            alternatives = (entry, entry[:-3]) if entry.endswith(".gz") else (entry,)
            out.append((entry, pafs.FileType.File, alternatives))
        elif literal:
            directory = "/".join(literal)
            out.append((directory + "/", pafs.FileType.Directory, (directory,)))
    return out


def _join(root: str, rel: str) -> str:
    return f"{root.rstrip('/')}/{rel}" if is_uri(root) else os.path.join(os.path.expanduser(root), rel)


def _kind(path: str) -> pafs.FileType:
    """File, Directory or NotFound, for a local path or a URI alike."""
    if not is_uri(path):
        path = os.path.expanduser(path)
        return (pafs.FileType.Directory if os.path.isdir(path) else pafs.FileType.File if os.path.isfile(path)
                else pafs.FileType.NotFound)
    fs, inner = pafs.FileSystem.from_uri(path)
    return fs.get_file_info(inner).type
