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
from harness.storage import absolute
from harness.sweepfile.expand import expand
from harness.sweepfile.keys import pydantic_error
from harness.sweepfile.model import Sweep, SweepFile
from harness.sweepfile.yaml_lines import Locator, parse_yaml


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
               storage: str | None = None, known: dict[str, Sweep] | None = None) -> Sweep:
    """Read, validate and expand a sweep file; raises :class:`SweepError` (nothing is written). ``known``:
    sweeps given before this one in the same command, by name (what ``after.sweep`` may name)."""
    filename = str(path)
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise SweepError(f"{filename}: cannot read sweep file: {err.strerror}") from None
    data, loc = parse_yaml(text, filename)
    apply_cli_overrides(data, loc, overrides or {})
    if storage is not None:
        data["storage"] = storage
        loc.labels[("storage",)] = f"--storage {storage}"
    return build_sweep(data, loc, known)


def build_sweep(data: dict[str, Any], loc: Locator, known: dict[str, Sweep] | None = None) -> Sweep:
    """A parsed sweep file, validated against :class:`SweepFile` and expanded."""
    try:
        spec_file = SweepFile.model_validate(data)
    except ValidationError as err:
        raise pydantic_error(err, loc) from None
    spec_file.storage = absolute(spec_file.storage)
    trials, swept = expand(spec_file, loc, known)
    return Sweep(spec_file, trials, loc.filename, swept)
