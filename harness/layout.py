"""The files of a sweep directory, by name: the one place that says what lives where.

Layout under ``<storage>/<sweep name>/`` (a local path, an NFS path or an ``s3://``/``gs://`` URI)::

    sweep.yaml  trials.json  provenance.json      the expanded sweep, written before Ray starts
    <trial_id>/config.json  metrics.jsonl         written by the trial itself (no Ray internals needed)
    <trial_id>/status.json  [errors.txt]          RUNNING / TERMINATED / ERROR, attempts, wall time, host
    epochs.parquet  trials.parquet                one row per trial x epoch / per trial (rebuilt by collect)
    dartsweep.lock                                while a driver runs it: its host, pid and heartbeat

Readers: :mod:`harness.saved_sweep` (the expanded sweep), :mod:`harness.trial_record` (a trial's own
files), :mod:`harness.parquet` (the two tables) and :mod:`harness.chain` (a search trial's status).
"""

from __future__ import annotations

SWEEP_FILE, TRIALS_FILE, PROVENANCE_FILE = "sweep.yaml", "trials.json", "provenance.json"
EPOCHS_FILE, TRIALS_TABLE = "epochs.parquet", "trials.parquet"
STATUS_FILE, METRICS_FILE, CONFIG_FILE, ERROR_FILE = "status.json", "metrics.jsonl", "config.json", "errors.txt"
LOCK_FILE = "dartsweep.lock"
"""The live driver's owner lock (host, pid, heartbeat; :mod:`harness.sweep_lock`), gone when it ends."""
