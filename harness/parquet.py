"""The two tables of a sweep, rebuilt from what the trials wrote: ``epochs.parquet`` (one row per trial
and report) and ``trials.parquet`` (one row per trial: labels, flattened config, status, final metrics,
provenance). Rebuilding is idempotent, so ``dartsweep collect`` can run any time, also mid-sweep.

A restored trial re-reports the epochs after its checkpoint, so ``metrics.jsonl`` may hold an epoch twice:
:func:`collect` keeps the latest line per (trial_id, :data:`ROW_KEY`). Column names and meanings:
:mod:`analysis.columns`.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pandas as pd

from harness.layout import CONFIG_FILE, EPOCHS_FILE, METRICS_FILE, PROVENANCE_FILE, STATUS_FILE, TRIALS_TABLE
from harness.saved_sweep import load_sweep_dir
from harness.storage import join, read_text, write_bytes
from harness.sweepfile.model import Sweep, Trial
from harness.trial_record import read_json_object
from searchcore.config import flatten

log = logging.getLogger("dartsweep.collect")

ROW_KEY = ("epoch", "kind", "decision")
"""What identifies a reported row within a trial: the epoch for searches; selection trials report several
rows per epoch (``kind`` decision/tune, ``decision`` index)."""


def _epoch_rows(exp_dir: str, trial_id: str) -> list[dict[str, Any]]:
    """The trial's reported rows, the latest per :data:`ROW_KEY`. A line that is not a JSON object (cut by a
    crash or a full disk mid-write, or damaged by hand) is left out *with a warning naming the file and line*,
    so a table never shows an earlier epoch as final without saying why."""
    path = join(exp_dir, trial_id, METRICS_FILE)
    text = read_text(path) or ""
    rows = []
    lines = text.splitlines()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            row = None
        if not isinstance(row, dict):
            last = rows[-1].get("epoch") if rows else None
            what = "the last line is cut off" if n == len(lines) else "the line is not a JSON object"
            kept = f"last complete row: epoch {last}" if rows else "no complete row before it"
            log.warning("%s:%d: %s (%r...); using the %d complete row(s) before it (%s)", path, n, what,
                        line[:40], len(rows), kept)
            continue
        rows.append(row)
    latest: dict[tuple, dict[str, Any]] = {}
    for row in rows:  # a resumed attempt's line replaces the earlier one, in the earlier one's place
        latest[tuple(row.get(k) for k in ROW_KEY)] = row
    return list(latest.values())


def _cell(value: Any) -> Any:
    """Lists and mappings as JSON text: a Parquet column keeps one scalar type."""
    return json.dumps(value) if isinstance(value, (list, dict)) else value


def _columns(tree: dict[str, Any]) -> dict[str, Any]:
    """A nested config (or provenance) as one column per dotted key."""
    return {k: _cell(v) for k, v in flatten(tree).items()}


def _config_and_params(sweep: Sweep, trial: Trial, exp_dir: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A trial's config and swept values: from the expanded sweep, or, where a ``search_alg`` chose the values as
    the trial started, from the config the trial wrote (``config.json``; the slot's shared config until then)."""
    if sweep.spec.search_alg is None:
        return trial.config, trial.params
    config = read_json_object(join(exp_dir, trial.trial_id, CONFIG_FILE)) or trial.config
    flat = flatten(config)
    return config, {k: flat.get(k) for k in sweep.swept_keys}


def build_frames(sweep: Sweep, exp_dir: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(epochs, trials) data frames of a sweep from its trials' own files."""
    provenance = read_json_object(join(exp_dir, PROVENANCE_FILE))
    epochs, trials = [], []
    for trial in sweep.trials:
        config, params = _config_and_params(sweep, trial, exp_dir)
        labels = {"trial_id": trial.trial_id, "trial_index": trial.index, "sweep": sweep.spec.name,
                  "seed": config.get("seed"), **trial.axes, **{k: _cell(v) for k, v in params.items()}}
        rows = _epoch_rows(exp_dir, trial.trial_id)
        epochs.extend({**labels, **row} for row in rows)
        status = read_json_object(join(exp_dir, trial.trial_id, STATUS_FILE))
        row = {**labels, **_columns(config)}
        row.update(status=status.get("status", "PENDING"), error=status.get("error"),
                   attempts=status.get("attempt", 0), wall_seconds=status.get("wall_seconds"),
                   host=status.get("host"), epochs_done=len(rows))
        final = rows[-1] if rows else {}
        row.update({k: v for k, v in final.items() if k not in row and k not in ("attempt", "time")})
        row.update({k: v for k, v in _columns(provenance).items() if k not in row})
        trials.append(row)
    return pd.DataFrame(epochs), pd.DataFrame(trials)


def one_type_per_column(df: pd.DataFrame) -> pd.DataFrame:
    """A column whose values mix kinds (a grid of ``1e-3`` text and 0.01, a metric that is sometimes text)
    becomes text: Parquet keeps one type per column, and ``collect`` must never fail on a result."""
    out = df.copy()
    for col in out.select_dtypes(include="object", exclude="str").columns:
        kinds = {"number" if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v).__name__
                 for v in out[col] if v is not None and not (isinstance(v, float) and v != v)}
        if len(kinds) > 1:
            out[col] = out[col].map(lambda v: v if v is None or (isinstance(v, float) and v != v) else str(v))
    return out


def write_parquet(df: pd.DataFrame, path: str) -> None:
    buf = io.BytesIO()
    one_type_per_column(df).to_parquet(buf, index=False)
    write_bytes(path, buf.getvalue())


def collect(exp_dir: str, sweep: Sweep | None = None) -> tuple[str, str, pd.DataFrame]:
    """Rebuilds ``epochs.parquet`` and ``trials.parquet`` from the trials' own outputs (idempotent)."""
    sweep = sweep or load_sweep_dir(exp_dir)
    epochs_df, trials_df = build_frames(sweep, exp_dir)
    epochs_path, trials_path = join(exp_dir, EPOCHS_FILE), join(exp_dir, TRIALS_TABLE)
    write_parquet(epochs_df, epochs_path)
    write_parquet(trials_df, trials_path)
    return epochs_path, trials_path, trials_df
