"""Sweep outputs: what each trial writes itself, and the two Parquet files rebuilt from it.

Layout under ``<storage>/<sweep name>/`` (a local path, an NFS path or an ``s3://``/``gs://`` URI)::

    sweep.yaml  trials.json  provenance.json      the expanded sweep, written before Ray starts
    <trial_id>/config.json  metrics.jsonl         written by the trial itself (no Ray internals needed)
    <trial_id>/status.json  [errors.txt]          RUNNING / TERMINATED / ERROR, attempts, wall time, host
    epochs.parquet  trials.parquet                one row per trial x epoch / per trial (:func:`collect`)

A restored trial re-reports the epochs after its checkpoint, so ``metrics.jsonl`` may hold an epoch twice:
:func:`collect` keeps the latest line per (trial_id, epoch) (:data:`ROW_KEY`). Every file is replaced
atomically (a temporary file, then ``os.replace``; object stores replace whole objects), so a reader
never sees half a file.
"""

from __future__ import annotations

import io
import json
import math
import os
import socket
import time
import traceback
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow.fs as pafs
import yaml

from harness.errors import CliError
from harness.sweep import Sweep, SweepFile, Trial

SWEEP_FILE, TRIALS_FILE, PROVENANCE_FILE = "sweep.yaml", "trials.json", "provenance.json"
EPOCHS_FILE, TRIALS_TABLE = "epochs.parquet", "trials.parquet"
STATUS_FILE, METRICS_FILE, CONFIG_FILE, ERROR_FILE = "status.json", "metrics.jsonl", "config.json", "errors.txt"
ROW_KEY = ("epoch", "kind", "decision")
"""What identifies a reported row within a trial: the epoch for searches; selection trials report several
rows per epoch (``kind`` decision/tune, ``decision`` index)."""

# ---------------------------------------------------------------- storage: local paths and URIs


def is_uri(path: str) -> bool:
    return "://" in path


def join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *parts]) if is_uri(base) else os.path.join(base, *parts)


def _remote(uri: str) -> tuple[pafs.FileSystem, str]:
    return pafs.FileSystem.from_uri(uri)


def write_bytes(path: str, data: bytes) -> None:
    """Whole-file write that readers never see half done."""
    if is_uri(path):
        fs, p = _remote(path)
        fs.create_dir(p.rsplit("/", 1)[0], recursive=True)
        with fs.open_output_stream(p) as fh:
            fh.write(data)
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_text(path: str, text: str) -> None:
    write_bytes(path, text.encode())


def read_text(path: str) -> str | None:
    try:
        if is_uri(path):
            fs, p = _remote(path)
            with fs.open_input_stream(p) as fh:
                return fh.read().decode()
        with open(path) as fh:
            return fh.read()
    except (FileNotFoundError, OSError):
        return None


def exists(path: str) -> bool:
    if is_uri(path):
        fs, p = _remote(path)
        return fs.get_file_info(p).type != pafs.FileType.NotFound
    return os.path.exists(path)


def list_dirs(path: str) -> list[str]:
    """Names of the directories directly inside ``path`` ([] when it does not exist)."""
    if is_uri(path):
        fs, p = _remote(path)
        infos = fs.get_file_info(pafs.FileSelector(p, allow_not_found=True))
        return [info.base_name for info in infos if info.type == pafs.FileType.Directory]
    if not os.path.isdir(path):
        return []
    return [name for name in os.listdir(path) if os.path.isdir(os.path.join(path, name))]


SHARED_SCHEMES = ("s3://", "gs://", "gcs://", "abfs://", "hdfs://")


def check_shared_storage(storage: str, nodes: int, shared: bool = False) -> None:
    """Trials on other nodes write to ``storage``; a path only this machine sees would scatter results."""
    if nodes <= 1 or shared or storage.startswith(SHARED_SCHEMES):
        return
    raise CliError(
        f"the Ray cluster has {nodes} nodes but storage {storage!r} is a local path: trials on other nodes "
        "would write their checkpoints and results there on their own disks. Use s3:// or gs:// storage "
        "(--storage s3://bucket/dartsweep), or a path every node mounts (NFS) with `storage_shared: true`"
    )


# ---------------------------------------------------------------- the expanded sweep


def load_saved(sweep_yaml: str, trials_text: str, source: str) -> Sweep:
    """The expanded sweep saved in ``<storage>/<name>/`` (``sweep.yaml`` + ``trials.json``)."""
    spec_file = SweepFile.model_validate(yaml.safe_load(sweep_yaml))
    payload = json.loads(trials_text)
    trials = [Trial.from_json(t) for t in payload["trials"]]
    return Sweep(spec_file, trials, source, list(payload.get("swept_keys", [])))


def trials_json(sweep: Sweep) -> str:
    return json.dumps({"name": sweep.spec.name, "swept_keys": sweep.swept_keys,
                       "trials": [t.to_json() for t in sweep.trials]}, indent=1)


def save_sweep(sweep: Sweep, exp_dir: str, provenance: dict[str, Any]) -> None:
    write_text(join(exp_dir, SWEEP_FILE), sweep.to_yaml())
    write_text(join(exp_dir, TRIALS_FILE), trials_json(sweep))
    write_text(join(exp_dir, PROVENANCE_FILE), json.dumps(provenance, indent=1))


def saved_sweeps(storage: str) -> list[str]:
    """Names of the sweeps saved under a storage root (for error messages)."""
    return sorted(n for n in list_dirs(storage) if exists(join(storage, n, TRIALS_FILE)))


def load_sweep_dir(exp_dir: str) -> Sweep:
    spec, trials = read_text(join(exp_dir, SWEEP_FILE)), read_text(join(exp_dir, TRIALS_FILE))
    if spec is None or trials is None:
        raise FileNotFoundError(f"{exp_dir} holds no sweep ({SWEEP_FILE} and {TRIALS_FILE} are written by "
                                "`dartsweep run`)")
    return load_saved(spec, trials, join(exp_dir, SWEEP_FILE))


# ---------------------------------------------------------------- what a trial writes


def _jsonable(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in metrics.items()}


class TrialOutputs:
    """The trial-side record in ``<exp>/<trial_id>/``; every write replaces a whole file."""

    def __init__(self, trial_dir: str, trial_id: str) -> None:
        self.dir = trial_dir
        self.trial_id = trial_id
        self.status: dict[str, Any] = json.loads(read_text(join(trial_dir, STATUS_FILE)) or "{}")
        self.lines = (read_text(join(trial_dir, METRICS_FILE)) or "").splitlines()
        self._start = time.time()

    def _write_status(self, **update: Any) -> None:
        self.status.update(update, trial_id=self.trial_id, host=socket.gethostname(), updated=time.time())
        write_text(join(self.dir, STATUS_FILE), json.dumps(self.status, indent=1, default=str))

    def finished(self) -> bool:
        return self.status.get("status") == "TERMINATED"

    def start(self, config: dict[str, Any]) -> None:
        write_text(join(self.dir, CONFIG_FILE), json.dumps(config, indent=1))
        self._start = time.time()
        self._write_status(status="RUNNING", attempt=int(self.status.get("attempt", 0)) + 1,
                           started=self.status.get("started", self._start), error=None)

    def append_metrics(self, metrics: dict[str, Any]) -> None:
        row = {"trial_id": self.trial_id, "attempt": self.status.get("attempt", 1), "time": time.time(),
               **_jsonable(metrics)}
        self.lines.append(json.dumps(row, default=str))
        write_text(join(self.dir, METRICS_FILE), "\n".join(self.lines) + "\n")

    def _wall(self) -> float:
        return float(self.status.get("wall_seconds", 0.0)) + time.time() - self._start

    def finish(self) -> None:
        self._write_status(status="TERMINATED", wall_seconds=self._wall(), ended=time.time())

    def fail(self, err: BaseException) -> None:
        text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        old = read_text(join(self.dir, ERROR_FILE)) or ""
        header = f"--- attempt {self.status.get('attempt', 1)} on {socket.gethostname()}\n"
        write_text(join(self.dir, ERROR_FILE), old + header + text)
        self._write_status(status="ERROR", error=f"{type(err).__name__}: {err}"[:2000],
                           wall_seconds=self._wall(), ended=time.time())


def run_trial(fn: Callable[[dict[str, Any], Any], dict[str, Any]], config: dict[str, Any],
              outputs: TrialOutputs, reporter: Any) -> dict[str, Any]:
    """Runs one trial with its trial-side record; a trial already TERMINATED is not rerun."""
    if outputs.finished():
        return {}
    outputs.start(config)
    try:
        final = fn(config, reporter)
    except BaseException as err:
        outputs.fail(err)
        raise
    outputs.finish()
    return final


def mark_error(exp_dir: str, trial_id: str, message: str) -> None:
    """Driver side: a trial Ray saw fail without a trial-side record (process killed, OOM)."""
    outputs = TrialOutputs(join(exp_dir, trial_id), trial_id)
    if outputs.status.get("status") != "ERROR":
        outputs._write_status(status="ERROR", error=message[:2000])


# ---------------------------------------------------------------- collect


def _epoch_rows(exp_dir: str, trial_id: str) -> list[dict[str, Any]]:
    text = read_text(join(exp_dir, trial_id, METRICS_FILE)) or ""
    rows = []
    for line in text.splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:  # a line cut by a crash mid-write (never with atomic writes)
            continue
    latest: dict[tuple, dict[str, Any]] = {}
    for row in rows:  # a resumed attempt's line replaces the earlier one, in the earlier one's place
        latest[tuple(row.get(k) for k in ROW_KEY)] = row
    return list(latest.values())


def _flat(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = json.dumps(value) if isinstance(value, list) else value
    return out


def build_frames(sweep: Sweep, exp_dir: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    provenance = json.loads(read_text(join(exp_dir, PROVENANCE_FILE)) or "{}")
    epochs, trials = [], []
    for trial in sweep.trials:
        labels = {"trial_id": trial.trial_id, "trial_index": trial.index, "sweep": sweep.spec.name,
                  "seed": trial.config.get("seed"), **trial.axes, **{k: _cell(v) for k, v in trial.params.items()}}
        rows = _epoch_rows(exp_dir, trial.trial_id)
        epochs.extend({**labels, **row} for row in rows)
        status = json.loads(read_text(join(exp_dir, trial.trial_id, STATUS_FILE)) or "{}")
        row = {**labels, **_flat(trial.config)}
        row.update(status=status.get("status", "PENDING"), error=status.get("error"),
                   attempts=status.get("attempt", 0), wall_seconds=status.get("wall_seconds"),
                   host=status.get("host"), epochs_done=len(rows))
        final = rows[-1] if rows else {}
        row.update({k: v for k, v in final.items() if k not in row and k not in ("attempt", "time")})
        row.update({k: v for k, v in _flat(provenance).items() if k not in row})
        trials.append(row)
    return pd.DataFrame(epochs), pd.DataFrame(trials)


def _cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, (list, dict)) else value


def write_parquet(df: pd.DataFrame, path: str) -> None:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    write_bytes(path, buf.getvalue())


def collect(exp_dir: str, sweep: Sweep | None = None) -> tuple[str, str, pd.DataFrame]:
    """Rebuilds ``epochs.parquet`` and ``trials.parquet`` from the trials' own outputs (idempotent)."""
    sweep = sweep or load_sweep_dir(exp_dir)
    epochs_df, trials_df = build_frames(sweep, exp_dir)
    epochs_path, trials_path = join(exp_dir, EPOCHS_FILE), join(exp_dir, TRIALS_TABLE)
    write_parquet(epochs_df, epochs_path)
    write_parquet(trials_df, trials_path)
    return epochs_path, trials_path, trials_df
