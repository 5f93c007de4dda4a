"""``dartsweep resume PATH``: finish a sweep whose driver died (or was interrupted).

Finished trials are kept (Tune's state and each trial's own ``status.json`` both say so, so none is
rerun), unfinished ones continue from their last checkpoint, errored ones are resumed from theirs
(``--restart-errored``: from scratch) and get ``max_failures`` retries again.
"""

from __future__ import annotations

import argparse
import os

from harness.commands.run import check_num_cpus, echo, report
from harness.errors import CliError
from harness.layout import STATUS_FILE
from harness.saved_sweep import load_sweep_dir
from harness.storage import check_uri, is_uri, join
from harness.sweep_lock import SweepLock
from harness.sweepfile.model import Sweep
from harness.trial_record import read_json_object


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("resume", help="finish a sweep whose driver died",
                       description="Continue the sweep in PATH (<storage>/<name>): unfinished trials from "
                       "their last checkpoint, errored ones retried; finished ones are not rerun.")
    p.add_argument("path", help="the sweep directory, e.g. results/quickstart")
    p.add_argument("--address", default=None, help="Ray cluster to join (as for `dartsweep run`)")
    p.add_argument("--num-cpus", type=int, default=None, help="CPUs of the embedded local Ray (default: all)")
    p.add_argument("--restart-errored", action="store_true",
                   help="restart errored trials from scratch instead of from their last checkpoint")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_num_cpus(args.num_cpus)
    path = check_uri(args.path) if is_uri(args.path) else os.path.abspath(args.path)  # Tune wants absolute paths
    try:
        sweep = load_sweep_dir(path)
    except FileNotFoundError as err:
        raise CliError(str(err)) from None
    for trial in sweep.trials:  # a damaged status would rerun a finished trial or hide a failed one
        read_json_object(join(path, trial.trial_id, STATUS_FILE))
    lock, what = SweepLock(path, f"dartsweep resume {args.path}"), "refusing to resume a sweep that is running"
    lock.check(what)  # read-only first: a refusal writes nothing
    with lock.acquire(what):
        return _resume_locked(args, sweep, path)


def _resume_locked(args: argparse.Namespace, sweep: Sweep, path: str) -> int:
    from harness import tune_runner

    session = tune_runner.connect(args.address, args.num_cpus)
    interrupted = False
    try:
        tune_runner.check_cluster(sweep, session)
        if tune_runner.can_restore(path):
            print(f"resuming sweep {sweep.spec.name} from {path}", flush=True)
            tune_runner.restore(sweep, path, restart_errored=args.restart_errored)
        else:  # the driver died before Tune saved any state: run again; finished trials are skipped
            print(f"no Tune state in {path}; rerunning the unfinished trials of {sweep.spec.name}", flush=True)
            tune_runner.fit(sweep, path, echo=echo)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        session.close()
    return report(sweep, path, interrupted)
