"""The expanded sweep saved in its directory (``sweep.yaml`` + ``trials.json`` + ``provenance.json``).

Written before Ray starts, so ``dartsweep resume``, ``collect`` and ``table`` and a chained sweep's
``after:`` read exactly the trials that ran, without the sweep file (which may have changed since).
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from pydantic import ValidationError

from harness.errors import CliError
from harness.layout import PROVENANCE_FILE, SWEEP_FILE, TRIALS_FILE
from harness.storage import exists, join, list_dirs, read_text, write_text
from harness.sweepfile.model import Sweep, SweepFile, Trial
from searchcore.yaml_io import load_yaml


def trials_json(sweep: Sweep) -> str:
    """One line per trial; the config every trial shares (``base_config``) once, each trial's ``changes`` from it
    (:class:`~harness.sweepfile.model.Trial`): 10,000 trials take a few MB, written without building a tree."""
    base = next((t.base for t in sweep.trials if t.base is not None), None)
    head = {"name": sweep.spec.name, "swept_keys": sweep.swept_keys, **({"base_config": base} if base else {})}
    lines = ",\n".join(json.dumps(t.to_json(), separators=(",", ":")) for t in sweep.trials)
    return json.dumps(head)[:-1] + f', "trials": [\n{lines}\n]}}\n'


def load_saved(sweep_yaml: str, trials_text: str, source: str, trials_source: str = TRIALS_FILE) -> Sweep:
    """The sweep from the texts of ``sweep.yaml`` (``source``) and ``trials.json`` (``trials_source``); a
    damaged or hand-edited file is a :class:`CliError` naming it and what it should hold."""
    try:
        spec_file = SweepFile.model_validate(load_yaml(sweep_yaml))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise CliError(f"{where}: not valid YAML ({getattr(err, 'problem', None) or type(err).__name__}); expected "
                       "the sweep `dartsweep run` saved there") from None
    except ValidationError as err:
        e = err.errors()[0]
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        raise CliError(f"{source}: {key}: {e['msg']}; expected the sweep `dartsweep run` saved there") from None
    try:
        payload = json.loads(trials_text)
        base = payload.get("base_config")
        if base is not None and not isinstance(base, dict):
            raise TypeError(f"base_config is a {type(base).__name__}")
        trials = [_trial(t, i, trials_source, base) for i, t in enumerate(payload["trials"])]
        swept = [str(k) for k in payload.get("swept_keys", [])]
    except json.JSONDecodeError as err:
        raise CliError(f"{trials_source}:{err.lineno}: not valid JSON ({err.msg}); expected the trials "
                       "`dartsweep run` saved there") from None
    except (KeyError, TypeError, AttributeError) as err:
        raise CliError(f"{trials_source}: not a trials file ({type(err).__name__}: {err}); expected "
                       '{"name": ..., "swept_keys": [...], "trials": [{"index", "trial_id", "params", "axes", '
                       '"config"}, ...]}') from None
    return Sweep(spec_file, trials, source, swept)


TRIAL_FIELDS = {"index": int, "trial_id": str, "params": dict, "axes": dict}
"""The fields of a saved trial and their JSON types; its config is ``changes`` (a list, from the file's
``base_config``) or, as older sweeps saved it, ``config`` (a dict); ``source`` is optional."""


def _trial(d: Any, i: int, trials_source: str, base: dict[str, Any] | None) -> Trial:
    """One saved trial, its fields checked: later readers index them without looking."""
    bad = [k for k, kind in TRIAL_FIELDS.items() if not isinstance(d, dict) or not isinstance(d.get(k), kind)]
    if isinstance(d, dict) and not (isinstance(d.get("config"), dict) or
                                    (isinstance(d.get("changes"), list) and base is not None)):
        bad.append("config (or changes and base_config)")
    if bad:
        expected = ", ".join(f"{k} ({kind.__name__})" for k, kind in TRIAL_FIELDS.items())
        raise CliError(f"{trials_source}: trials[{i}]: missing or wrong {', '.join(bad)}; expected {expected}, "
                       "config (dict) or changes (list)")
    try:
        trial = Trial.from_json(d, base)
        trial.config  # noqa: B018  (a change that does not fit the base is damage: found now, not in a trial)
    except (KeyError, TypeError, IndexError, ValueError) as err:
        raise CliError(f"{trials_source}: trials[{i}]: changes do not fit base_config ({type(err).__name__}: "
                       f"{err})") from None
    return trial


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
    return load_saved(spec, trials, join(exp_dir, SWEEP_FILE), join(exp_dir, TRIALS_FILE))
