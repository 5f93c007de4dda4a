"""Which artifacts have results under a results root, their trials and epochs, and the command for the rest.

A sweep's results live in ``<root>/<name>/`` (``trials.parquet``, ``epochs.parquet``), ``name`` being the
``name:`` of its sweep file (harness/layout.py). The root is a local path or any URI pyarrow opens (``s3://``,
``gs://``, ``file://``: the storage ``dartsweep run --storage`` wrote to), read in place through
``pyarrow.fs`` with the cloud's usual credentials.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import yaml

from analysis.artifacts.base import Artifact

REPO = Path(__file__).resolve().parents[2]
"""The repository root: sweep files are named relative to it."""


@cache
def sweep_name(sweep_file: str) -> str:
    """The ``name:`` of a sweep file (the name of its results directory)."""
    body = yaml.safe_load((REPO / sweep_file).read_text(encoding="utf-8"))
    return str(body["name"])


def _filesystem(root: str | Path) -> tuple[pafs.FileSystem, str]:
    """The file system of a results root and the root's path in it."""
    text = str(root)
    if "://" in text:
        try:
            return pafs.FileSystem.from_uri(text)
        except (pa.ArrowException, OSError, ValueError) as err:
            raise ResultsRootError(f"{text}: cannot open this results root ({str(err).splitlines()[0]})") from None
    return pafs.LocalFileSystem(), str(Path(text).resolve())


class ResultsRootError(OSError):
    """A results root that cannot be opened (unknown scheme, no credentials, no such bucket)."""


def is_root(root: str | Path) -> bool:
    """Whether ``root`` is an existing directory (local or remote)."""
    fs, base = _filesystem(root)
    return fs.get_file_info(base).type == pafs.FileType.Directory


def sweep_dir(root: str | Path, sweep_file: str) -> str:
    fs, base = _filesystem(root)
    return f"{base.rstrip('/')}/{sweep_name(sweep_file)}"


def missing(root: str | Path, artifact: Artifact) -> list[str]:
    """The artifact's sweep files without a ``trials.parquet`` under ``root``, in run order."""
    fs, _ = _filesystem(root)
    return [f for f in artifact.sweeps
            if fs.get_file_info(f"{sweep_dir(root, f)}/trials.parquet").type != pafs.FileType.File]


def command(root: str | Path, sweep_files: list[str]) -> str:
    """The ``dartsweep run`` that produces them (paper scale; ``--set`` data roots as each file's header says)."""
    return f"dartsweep run {' '.join(sweep_files)} --storage {root}"


def load(root: str | Path, artifact: Artifact) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trials and epochs of every sweep of the artifact, concatenated (each row keeps its ``sweep``)."""
    fs, _ = _filesystem(root)
    trials, epochs = [], []
    for f in artifact.sweeps:
        directory = sweep_dir(root, f)
        trials.append(pq.read_table(f"{directory}/trials.parquet", filesystem=fs).to_pandas())
        if fs.get_file_info(f"{directory}/epochs.parquet").type == pafs.FileType.File:
            epochs.append(pq.read_table(f"{directory}/epochs.parquet", filesystem=fs).to_pandas())
    return (pd.concat(trials, ignore_index=True, sort=False),
            pd.concat(epochs, ignore_index=True, sort=False) if epochs else pd.DataFrame())
