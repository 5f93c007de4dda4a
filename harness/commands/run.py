"""``dartsweep run SWEEP.yaml``: validate and expand a sweep, run its trials on Ray Tune, write Parquet."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from contextlib import ExitStack
from typing import Any

import pandas as pd

from harness.commands.search import parse_overrides
from harness.errors import CliError
from harness.layout import LOCK_FILE, TRIALS_FILE
from harness.parquet import collect
from harness.saved_sweep import save_sweep
from harness.storage import exists, is_uri, join
from harness.sweep_lock import SweepLock
from harness.sweepfile.fusing import fused_groups
from harness.sweepfile.load import load_sweep
from harness.sweepfile.model import Sweep
from harness.trial_record import FINISHED

SUMMARY_COLUMNS = ("trial_id", "status", "epochs_done", "test_acc", "val_acc", "train_acc", "n_skip", "alpha_entropy",
                   "nb201_cifar10_test", "wall_seconds", "arch", "error")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run a sweep file as Ray Tune trials",
                       description="Validate a sweep file, expand its grid, run the trials on Ray Tune (an "
                       "embedded local Ray, or a cluster with --address) and write epochs.parquet and "
                       "trials.parquet under <storage>/<name>/.")
    p.add_argument("sweeps", nargs="+", metavar="SWEEP",
                   help="sweep file(s) (YAML; see docs/sweeps.md); several run one after the other in one Ray "
                   "session, so a selection sweep (after: its search sweep) can follow its search sweep")
    p.add_argument("--dry-run", action="store_true", help="print the expanded trials and exit; starts nothing")
    p.add_argument("--address", default=None,
                   help="Ray cluster to join: 'auto' (the cluster on this machine) or ray://HOST:10001; "
                   "default: $RAY_ADDRESS, else an embedded local Ray")
    p.add_argument("--storage", default=None, help="results root (local, NFS or s3:// URI); default: the "
                   "sweep's storage, else ./results")
    p.add_argument("--num-cpus", type=int, default=None, help="CPUs of the embedded local Ray (default: all)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing sweep directory of that name")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a sweep field (epochs, max_concurrent, resources.cpu, ...) or a config key "
                   "for every trial, e.g. --set data.max_batches=2 (repeatable)")
    p.add_argument("--smoke", action="store_true",
                   help="run at micro scale on the embedded data, one CPU per trial (each trainable's documented "
                   "override set, under your --set values; docs/reproduce.md, Smoke scale)")
    p.set_defaults(func=run)


def load_all(paths: list[str], overrides: dict[str, Any], storage: str | None,
             check_files: bool = False, smoke: bool = False) -> list[Sweep]:
    """Every sweep validated and expanded before anything runs; a later one may chain after an earlier one."""
    sweeps: dict[str, Sweep] = {}
    for path in paths:
        sweep = load_sweep(path, overrides, storage=storage, known=sweeps, check_files=check_files, smoke=smoke)
        if sweep.spec.name in sweeps:
            raise CliError(f"{path}: sweep name {sweep.spec.name!r} is also the name of an earlier sweep file "
                           "in this command; names must differ (they name the results directories)")
        sweeps[sweep.spec.name] = sweep
    return list(sweeps.values())


def check_num_cpus(num_cpus: int | None) -> None:
    if num_cpus is not None and num_cpus < 1:
        raise CliError(f"--num-cpus: expected an integer >= 1 (CPUs of the embedded local Ray), got {num_cpus}")


def run(args: argparse.Namespace) -> int:
    check_num_cpus(args.num_cpus)
    # Inputs are checked here, at their sweep-file lines, on this machine; a cluster checks them on a node where
    # trials run instead (tune_runner.check_cluster): the driver may not see the workers' paths, nor they its.
    joining = bool(args.address or os.environ.get("RAY_ADDRESS"))
    sweeps = load_all(args.sweeps, parse_overrides(args.overrides), args.storage,
                      check_files=not args.dry_run and not joining, smoke=args.smoke)
    exp_dirs = [join(s.spec.storage, s.spec.name) for s in sweeps]
    if args.dry_run:
        for sweep, exp_dir in zip(sweeps, exp_dirs):
            print_trials(sweep, exp_dir)
        return 0
    locks = [SweepLock(d, f"dartsweep run {' '.join(args.sweeps)}") for d in exp_dirs]
    for lock, exp_dir in zip(locks, exp_dirs):  # read-only checks first: a refusal writes nothing
        lock.check("--overwrite would delete its files mid-run" if args.overwrite else
                   "refusing to run the same sweep twice at once")
        _check_claim(exp_dir, args.overwrite)
    with ExitStack() as held:  # released on every exit: errors and Ctrl-C included
        for lock in locks:
            held.enter_context(lock.acquire())
        if args.overwrite:
            for exp_dir in exp_dirs:
                _clear(exp_dir)
        return _run_locked(args, sweeps, exp_dirs)


def _run_locked(args: argparse.Namespace, sweeps: list[Sweep], exp_dirs: list[str]) -> int:
    from harness import tune_runner
    from harness.provenance import provenance

    session = tune_runner.connect(args.address, args.num_cpus)
    rc, done = 0, 0
    try:
        for sweep in sweeps:
            tune_runner.check_cluster(sweep, session)
        for sweep, exp_dir in zip(sweeps, exp_dirs):
            save_sweep(sweep, exp_dir, provenance())
            print(f"sweep {sweep.spec.name}: {len(sweep.trials)} trials on {session.nodes} node(s) -> {exp_dir}",
                  flush=True)
            tune_runner.fit(sweep, exp_dir, echo=echo)
            rc = max(rc, report(sweep, exp_dir))
            done += 1
    except KeyboardInterrupt:
        if done < len(sweeps) and exists(join(exp_dirs[done], TRIALS_FILE)):
            rc = report(sweeps[done], exp_dirs[done], interrupted=True)
        else:
            rc = 130
    finally:
        session.close()
    return rc


def echo(line: str) -> None:
    print(line, flush=True)


def _check_claim(exp_dir: str, overwrite: bool) -> None:
    """Refuses to reuse a sweep directory unless told to (read-only: nothing is removed here)."""
    if not exists(join(exp_dir, TRIALS_FILE)):
        return
    if not overwrite:
        raise CliError(f"{exp_dir} already holds this sweep: finish it with `dartsweep resume {exp_dir}`, "
                       "or pass --overwrite, --storage or another name")
    if is_uri(exp_dir):
        raise CliError(f"--overwrite only removes local directories; delete {exp_dir} yourself")


def _clear(exp_dir: str) -> None:
    """--overwrite: everything in the sweep directory goes but this driver's lock."""
    if not os.path.isdir(exp_dir):
        return
    for name in os.listdir(exp_dir):
        if name == LOCK_FILE:
            continue
        path = os.path.join(exp_dir, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def report(sweep: Sweep, exp_dir: str, interrupted: bool = False) -> int:
    """Collects the Parquet files, prints the summary table and where they are; 1 if a trial failed."""
    epochs_path, trials_path, trials = collect(exp_dir, sweep)
    print_summary(trials)
    print(f"\nresults: {trials_path}\n         {epochs_path}")
    diverged = trials[trials["status"] == "DIVERGED"]
    for _, row in diverged.iterrows():
        print(f"[{row['trial_id']}] {row['error']} (status DIVERGED; not in the tables' means)", file=sys.stderr)
    bad = trials[~trials["status"].isin(FINISHED)]
    if interrupted or len(bad):
        what = "interrupted" if interrupted else f"{len(bad)} of {len(trials)} trials did not finish"
        print(f"{what}: `dartsweep resume {exp_dir}` continues it", file=sys.stderr)
        return 130 if interrupted else 1
    return 0


def print_trials(sweep: Sweep, exp_dir: str) -> None:
    rows = [{"trial_id": t.trial_id, **t.axes, **{k: _short(v) for k, v in t.params.items()}} for t in sweep.trials]
    print(pd.DataFrame(rows).to_string(index=False))
    res = sweep.spec.resources
    k = sweep.spec.seeds_per_trial
    runs = f" as {len(fused_groups(sweep.trials, k))} fused trials of up to {k} seeds" if k > 1 else ""
    print(f"\n{len(sweep.trials)} trials{runs} (trainable {sweep.spec.trainable}, {res.cpu:g} CPU + {res.gpu:g} GPU "
          f"each, max_concurrent {sweep.spec.max_concurrent or 'unlimited'}) -> {exp_dir}")


def print_summary(trials: pd.DataFrame) -> None:
    cols = [c for c in SUMMARY_COLUMNS if c in trials.columns and trials[c].notna().any()]
    table = trials[cols].copy()
    for c in ("arch", "error"):
        if c in table:
            table[c] = table[c].map(lambda v: _short(v, 60))
    print("\nsummary")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))


def _short(value: Any, width: int = 40) -> Any:
    if isinstance(value, str) and len(value) > width:
        return value[: width - 1] + "…"
    return value
