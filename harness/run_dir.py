"""The output directory of a single run (``dartsweep search/select/evaluate --out``): never replaced or
continued with another config silently.

Without ``--resume`` an existing run in ``--out`` is refused (``--overwrite`` replaces it); with ``--resume``
the config must equal the one saved there (``config.yaml``), and the differing keys are named when it does not;
a checkpoint that cannot be read is refused before anything is written. The checks only read: the command
writes once they pass.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from harness.errors import CliError
from searchcore.config import flatten
from searchcore.yaml_io import load_yaml

RUN_FILES = ("config.yaml", "metrics.jsonl", "select.json", "checkpoint", "checkpoint.tmp", "checkpoints")
"""What a run writes into ``--out`` (``searchcore.search.reporter.LocalReporter`` and the commands)."""
SHOWN_CHANGES = 8
"""Differing keys named in a refusal (then ``and N more``)."""


def run_files(out: Path) -> list[str]:
    return [name for name in RUN_FILES if (out / name).exists()]


def check_out(out: Path, resume: bool, overwrite: bool) -> None:
    """Refuses to replace an existing run without ``--overwrite`` (read-only)."""
    if resume and overwrite:
        raise CliError("--resume continues the run in --out and --overwrite replaces it; pass one of them")
    if out.exists() and not out.is_dir():
        raise CliError(f"--out {out}: exists and is not a directory")
    found = run_files(out)
    if found and not resume and not overwrite:
        raise CliError(f"--out {out} already holds a run ({', '.join(found)}): continue it with --resume, replace "
                       "it with --overwrite, or pass another --out")


def clear_out(out: Path) -> None:
    """``--overwrite``: the files of the earlier run go (nothing else in the directory)."""
    for name in RUN_FILES:
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


def read_model(path: Path, model: type[BaseModel] | Callable[[Any], BaseModel], what: str) -> BaseModel:
    """A saved config (``config.yaml``), validated; a damaged one is a one-line error naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text; expected the {what} dartsweep wrote there") from None
    try:
        tree = load_yaml(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise CliError(f"{where}: not valid YAML ({getattr(err, 'problem', None) or type(err).__name__}); expected "
                       f"the {what} dartsweep wrote there") from None
    try:
        return model.model_validate(tree) if isinstance(model, type) else model(tree)
    except ValidationError as err:
        e = err.errors()[0]
        key = ".".join(str(p) for p in e["loc"]) or "(top level)"
        raise CliError(f"{path}: {key}: {e['msg']}; expected the {what} dartsweep wrote there") from None


def config_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """``key: old -> new`` for every dotted key whose value differs (or exists on one side only)."""
    a, b = flatten(old), flatten(new)
    missing = "(absent)"
    return [f"{k}: {a.get(k, missing)!r} -> {b.get(k, missing)!r}" for k in [*a, *(k for k in b if k not in a)]
            if a.get(k, missing) != b.get(k, missing)]


def check_same_config(saved: Path, old: BaseModel, new: BaseModel) -> None:
    """``--resume`` continues the run as it was configured: a changed config is refused, naming the keys."""
    changes = config_changes(old.model_dump(mode="json"), new.model_dump(mode="json"))
    if changes:
        shown = "; ".join(changes[:SHOWN_CHANGES])
        more = f"; and {len(changes) - SHOWN_CHANGES} more" if len(changes) > SHOWN_CHANGES else ""
        raise CliError(f"--resume: the config differs from {saved} ({shown}{more}); resume with the options the "
                       "run was started with, or start over with --overwrite")


def check_checkpoint(directory: Path) -> dict[str, Any]:
    """The state in ``directory/state.pt``, loaded once to prove it is readable (truncated, damaged or not a
    checkpoint: a one-line error naming the file) before the command writes anything."""
    from searchcore.search.checkpoint import STATE_FILE, load_checkpoint

    path = directory / STATE_FILE
    try:
        state = load_checkpoint(directory)
    except FileNotFoundError:
        raise
    except Exception as err:  # noqa: BLE001 - torch.load raises many kinds on a damaged file; all mean the same
        raise CliError(f"{path}: not a readable checkpoint (cut off, damaged or not a torch file: torch.load raised "
                       f"{type(err).__name__}); expected the state.pt a search or selection run wrote") from None
    if not isinstance(state, dict) or not {"model", "epoch"} <= set(state):
        raise CliError(f"{path}: not a dartsweep checkpoint (expected a dict with 'model', 'epoch', ...)")
    return state


def check_resume(out: Path, model: type[BaseModel], what: str, command: str, new: BaseModel) -> None:
    """``--resume``: the config saved in ``out`` (``what``, validated as ``model``) must be ``new``, and its
    checkpoint readable (else a one-line refusal); no checkpoint yet means the run starts at epoch 1, which
    ``command`` says."""
    checkpoint = out / "checkpoint"
    saved = next((p for p in (out / "config.yaml", checkpoint / "config.yaml") if p.exists()), None)
    if saved is not None:
        check_same_config(saved, read_model(saved, model, what), new)
    if (checkpoint / "state.pt").exists():
        check_checkpoint(checkpoint)
    else:
        print(f"{command}: --resume: no checkpoint in {checkpoint} yet; starting at epoch 1", flush=True)
