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
from harness.smoke import smoke_overrides
from harness.storage import absolute, uri_problem
from harness.sweepfile.expand import SHORTHANDS, expand
from harness.sweepfile.fusing import check_fusing
from harness.sweepfile.keys import pydantic_error
from harness.sweepfile.model import Sweep, SweepFile
from harness.sweepfile.workers import check_workers
from harness.sweepfile.yaml_lines import Locator, parse_yaml
from harness.trainables import TRAINABLES
from harness.trial_inputs import input_problem, trial_inputs


def apply_cli_overrides(data: dict[str, Any], loc: Locator, overrides: dict[str, Any], label: str = "--set") -> None:
    """``--set key=value``: sweep fields (``epochs``, ``storage``, ``resources.cpu``) or config keys."""
    for key, value in overrides.items():
        where = f"{label} {key}={value}"
        head, _, rest = key.partition(".")
        if (key in SweepFile.model_fields and key not in ("set", "grid", "zip", "resources")) or head == "resources":
            if rest:
                data.setdefault(head, {})[rest] = value
            else:
                data[head] = value
            loc.labels[tuple(key.split("."))] = where
        else:
            data.setdefault("set", {})
            if not isinstance(data["set"], dict):
                raise loc.error(("set",), "set: expected a mapping of dotted keys to values")
            data["set"][key] = value
            loc.labels[("set", key)] = where


def load_sweep(path: str | os.PathLike, overrides: dict[str, Any] | None = None,
               storage: str | None = None, known: dict[str, Sweep] | None = None, check_files: bool = False,
               smoke: bool = False) -> Sweep:
    """Read, validate and expand a sweep file; raises :class:`SweepError` (nothing is written). ``known``:
    sweeps given before this one in the same command, by name (what ``after.sweep`` may name). ``check_files``:
    also the files the trials will read (``dartsweep run``; a dry run or a check elsewhere skips them).
    ``smoke``: at micro scale (:mod:`harness.smoke`; ``overrides`` still win)."""
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
    if smoke and isinstance(data, dict):
        apply_cli_overrides(data, loc, smoke_overrides(data), label="--smoke")
    apply_cli_overrides(data, loc, overrides or {})
    if storage is not None:
        data["storage"] = storage
        loc.labels[("storage",)] = f"--storage {storage}"
    sweep = build_sweep(data, loc, known)
    if check_files:
        check_trial_files(sweep, loc)
    return sweep


def check_trial_files(sweep: Sweep, loc: Locator) -> None:
    """Every data root and table a trial reads is there and holds its data set's files, for local paths and URIs
    alike (:mod:`harness.trial_inputs`; read, never written): a typo or a missing data set fails here, at the line
    that set it, not as a failure of every trial. ``dartsweep run`` on a cluster checks on a node instead."""
    for item in trial_inputs(t.config for t in sweep.trials):
        problem = input_problem(item)
        if problem:
            raise loc.error(_where(sweep.spec, loc, item.key), f"{item.key}: {problem}")


def _where(spec: SweepFile, loc: Locator, key: str) -> tuple:
    """The sweep-file path that set a config key: a grid or zip list, ``set`` (dotted or nested), a shorthand."""
    shorthand = {config_key: field for field, config_key in SHORTHANDS.items()}
    candidates: list[tuple] = []
    for name in (key, key.removeprefix("search.")):
        candidates += [("grid", name), *(("zip", g, name) for g in range(len(spec.zip))), ("set", name),
                       ("set", *name.split(".")), *([(shorthand[name],)] if name in shorthand else [])]
    return next((c for c in candidates if c in loc.lines or c in loc.labels), ("set",))


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
    check_fusing(spec_file, trials, swept, loc)
    return Sweep(spec_file, trials, loc.filename, swept)
