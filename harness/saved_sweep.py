"""The expanded sweep saved in its directory (``sweep.yaml`` + ``trials.json`` + ``provenance.json``).

Written before Ray starts, so ``dartsweep resume``, ``collect`` and ``table`` and a chained sweep's
``after:`` read exactly the trials that ran, without the sweep file (which may have changed since).
"""

from __future__ import annotations

import json
from typing import Any

from harness.layout import PROVENANCE_FILE, SWEEP_FILE, TRIALS_FILE
from harness.storage import exists, join, list_dirs, read_text, write_text
from harness.sweepfile.model import Sweep, SweepFile, Trial
from searchcore.yaml_io import load_yaml


def trials_json(sweep: Sweep) -> str:
    return json.dumps({"name": sweep.spec.name, "swept_keys": sweep.swept_keys,
                       "trials": [t.to_json() for t in sweep.trials]}, indent=1)


def load_saved(sweep_yaml: str, trials_text: str, source: str) -> Sweep:
    """The sweep from the texts of ``sweep.yaml`` and ``trials.json``."""
    spec_file = SweepFile.model_validate(load_yaml(sweep_yaml))
    payload = json.loads(trials_text)
    trials = [Trial.from_json(t) for t in payload["trials"]]
    return Sweep(spec_file, trials, source, list(payload.get("swept_keys", [])))


def save_sweep(sweep: Sweep, exp_dir: str, provenance: dict[str, Any]) -> None:
    write_text(join(exp_dir, SWEEP_FILE), sweep.to_yaml())
    write_text(join(exp_dir, TRIALS_FILE), trials_json(sweep))
    write_text(join(exp_dir, PROVENANCE_FILE), json.dumps(provenance, indent=1))


def saved_sweeps(storage: str) -> list[str]:
    """Names of the sweeps saved under a storage root (for error messages)."""
    return sorted(n for n in list_dirs(storage) if exists(join(storage, n, TRIALS_FILE)))


def load_sweep_dir(exp_dir: str) -> Sweep:
    """The sweep saved in ``exp_dir``; FileNotFoundError when none is."""
    spec, trials = read_text(join(exp_dir, SWEEP_FILE)), read_text(join(exp_dir, TRIALS_FILE))
    if spec is None or trials is None:
        raise FileNotFoundError(f"{exp_dir} holds no sweep ({SWEEP_FILE} and {TRIALS_FILE} are written by "
                                "`dartsweep run`)")
    return load_saved(spec, trials, join(exp_dir, SWEEP_FILE))
