"""Entry points: read a sweep file (plus ``--set`` / ``--storage`` from the command line), validate it
and expand it into a :class:`~harness.sweepfile.model.Sweep`, raising :class:`~harness.errors.SweepError`
with ``file:line`` (or the command-line flag) before anything is written or started.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.errors import SweepError
from harness.storage import absolute, is_uri, uri_problem
from harness.sweepfile.expand import expand
from harness.sweepfile.keys import pydantic_error
from harness.sweepfile.model import Sweep, SweepFile
from harness.sweepfile.workers import check_workers
from harness.sweepfile.yaml_lines import Locator, parse_yaml
from harness.trainables import TRAINABLES


def apply_cli_overrides(data: dict[str, Any], loc: Locator, overrides: dict[str, Any]) -> None:
    """``--set key=value``: sweep fields (``epochs``, ``storage``, ``resources.cpu``) or config keys."""
    for key, value in overrides.items():
        label = f"--set {key}={value}"
        head, _, rest = key.partition(".")
        if (key in SweepFile.model_fields and key not in ("set", "grid", "zip", "resources")) or head == "resources":
            if rest:
                data.setdefault(head, {})[rest] = value
            else:
                data[head] = value
            loc.labels[tuple(key.split("."))] = label
        else:
            data.setdefault("set", {})
            if not isinstance(data["set"], dict):
                raise loc.error(("set",), "set: expected a mapping of dotted keys to values")
            data["set"][key] = value
            loc.labels[("set", key)] = label


def load_sweep(path: str | os.PathLike, overrides: dict[str, Any] | None = None,
               storage: str | None = None, known: dict[str, Sweep] | None = None, check_files: bool = False) -> Sweep:
    """Read, validate and expand a sweep file; raises :class:`SweepError` (nothing is written). ``known``:
    sweeps given before this one in the same command, by name (what ``after.sweep`` may name). ``check_files``:
    also the files the trials will read (``dartsweep run``; a dry run or a check elsewhere skips them)."""
    filename = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise SweepError(f"{filename}: cannot read sweep file: {err.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")  # a BOM (Windows editors) is not part of the YAML
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise SweepError(f"{filename}:{line}: not UTF-8 text (byte {raw[err.start]:#04x}); save the sweep file "
                         "as UTF-8") from None
    data, loc = parse_yaml(text, filename)
    apply_cli_overrides(data, loc, overrides or {})
    if storage is not None:
        data["storage"] = storage
        loc.labels[("storage",)] = f"--storage {storage}"
    sweep = build_sweep(data, loc, known)
    if check_files:
        check_trial_files(sweep, loc)
    return sweep


FILE_KEYS = ("nb201_table",)
"""Config keys naming a file every trial reads, checked before a sweep runs (data roots: the data loaders)."""


def check_trial_files(sweep: Sweep, loc: Locator) -> None:
    """Every local file a trial config names exists: a typo fails here, not as a failure of every trial. URIs
    are not fetched (nothing may be opened or written before Ray starts)."""
    spec = sweep.spec
    for key in FILE_KEYS:
        for trial in sweep.trials:
            path = trial.config.get(key)
            if isinstance(path, str) and not is_uri(path) and not os.path.isfile(path):
                where = next((w for w in [("grid", key), *(("zip", g, key) for g, z in enumerate(spec.zip) if key in z),
                                          ("set", key)] if _given(spec, w)), (key,))
                raise loc.error(where, f"{key}: no file {path} (the NB201 table, parquet or the shared CSV: "
                                "docs/nb201.md); give a path that exists on every node")


def _given(spec: SweepFile, where: tuple) -> bool:
    section = getattr(spec, where[0])
    return (where[-1] in section[where[1]]) if where[0] == "zip" else where[-1] in section


def build_sweep(data: dict[str, Any], loc: Locator, known: dict[str, Sweep] | None = None) -> Sweep:
    """A parsed sweep file, validated against :class:`SweepFile` and expanded."""
    try:
        spec_file = SweepFile.model_validate(data)
    except ValidationError as err:
        raise pydantic_error(err, loc) from None
    problem = uri_problem(spec_file.storage)
    if problem:
        raise loc.error(("storage",), f"storage: {problem}")
    spec_file.storage = absolute(spec_file.storage)
    trials, swept = expand(spec_file, loc, known)
    check_workers(spec_file, TRAINABLES.get(spec_file.trainable), trials, loc)
    return Sweep(spec_file, trials, loc.filename, swept)
