"""Which artifacts have results under a results root, their trials and epochs, and the command for the rest.

A sweep's results live in ``<root>/<name>/`` (``trials.parquet``, ``epochs.parquet``), ``name`` being the
``name:`` of its sweep file (harness/layout.py). Local roots only for now.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from analysis.artifacts.base import Artifact

REPO = Path(__file__).resolve().parents[2]
"""The repository root: sweep files are named relative to it."""


@cache
def sweep_name(sweep_file: str) -> str:
    """The ``name:`` of a sweep file (the name of its results directory)."""
    body = yaml.safe_load((REPO / sweep_file).read_text(encoding="utf-8"))
    return str(body["name"])


def sweep_dir(root: str | Path, sweep_file: str) -> Path:
    return Path(root) / sweep_name(sweep_file)


def missing(root: str | Path, artifact: Artifact) -> list[str]:
    """The artifact's sweep files without a ``trials.parquet`` under ``root``, in run order."""
    return [f for f in artifact.sweeps if not (sweep_dir(root, f) / "trials.parquet").exists()]


def command(root: str | Path, sweep_files: list[str]) -> str:
    """The ``dartsweep run`` that produces them (paper scale; ``--set`` data roots as each file's header says)."""
    return f"dartsweep run {' '.join(sweep_files)} --storage {root}"


def load(root: str | Path, artifact: Artifact) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trials and epochs of every sweep of the artifact, concatenated (each row keeps its ``sweep``)."""
    trials, epochs = [], []
    for f in artifact.sweeps:
        directory = sweep_dir(root, f)
        trials.append(pd.read_parquet(directory / "trials.parquet"))
        if (directory / "epochs.parquet").exists():
            epochs.append(pd.read_parquet(directory / "epochs.parquet"))
    return (pd.concat(trials, ignore_index=True, sort=False),
            pd.concat(epochs, ignore_index=True, sort=False) if epochs else pd.DataFrame())
