"""Runs an expanded sweep as Ray Tune trials: the only module of dartsweep that imports Ray.

Each trial is a Tune function trainable that looks its config up by the deterministic trial id (the
only value in Tune's ``param_space``, one ``grid_search`` over the ids), runs the plain searchcore
trainable with a :class:`TuneReporter`, and keeps its own record beside Ray's (``harness.trial_record``).
``Tuner.restore`` finishes a sweep whose driver died: unfinished trials continue from their last
checkpoint, errored ones are resumed (or restarted) and TERMINATED ones are kept.

Checked against Ray 2.60: ``tune.report(metrics, checkpoint=tune.Checkpoint.from_directory(d))``
persists the checkpoint before returning; ``tune.get_checkpoint()`` offers it on restart.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ray
from ray import tune

from harness.chain import CHAIN_INPUTS, SourceNotReady
from harness.errors import CliError
from harness.progress import format_report
from harness.storage import check_shared_storage, join
from harness.sweepfile.model import Sweep
from harness.train_runner import DRIVER_MEMORY, data_parallel_target
from harness.trainables import TRAINABLES
from harness.trial_record import TrialOutputs, mark_error, run_trial

log = logging.getLogger("dartsweep.run")


class TuneReporter:
    """The searchcore reporter protocol over Ray Tune, plus the trial-side ``metrics.jsonl``."""

    def __init__(self, outputs: TrialOutputs) -> None:
        self.outputs = outputs
        self._restore_copy: str | None = None

    def report(self, metrics: dict[str, Any], checkpoint_dir: str | None = None) -> None:
        self.outputs.append_metrics(metrics)
        checkpoint = tune.Checkpoint.from_directory(checkpoint_dir) if checkpoint_dir else None
        tune.report(dict(metrics), checkpoint=checkpoint)  # copies the checkpoint to storage before returning

    def restore_dir(self) -> str | None:
        checkpoint = tune.get_checkpoint()
        if checkpoint is None:
            return None
        self._restore_copy = tempfile.mkdtemp(prefix="dartsweep-restore-")
        with checkpoint.as_directory() as directory:  # may be a temporary download: copy it for the trial
            shutil.copytree(directory, self._restore_copy, dirs_exist_ok=True)
        return self._restore_copy

    def close(self) -> None:
        if self._restore_copy:
            shutil.rmtree(self._restore_copy, ignore_errors=True)


def _tune_trial(config: dict[str, Any], *, target: Callable, trials: dict[str, dict], exp_dir: str,
                sources: dict[str, str], chain_key: str | None, chain_takes: str) -> None:
    trial_id = config["trial_id"]
    outputs = TrialOutputs(join(exp_dir, trial_id), trial_id)
    reporter = TuneReporter(outputs)
    try:
        if trial_id not in sources:
            run_trial(target, trials[trial_id], outputs, reporter)
            return
        try:  # what the trial takes from its source trial: a checkpoint, an architecture (harness.chain)
            with CHAIN_INPUTS.get(chain_takes).fetch(sources[trial_id]) as value:
                run_trial(target, {**trials[trial_id], chain_key: value}, outputs, reporter)
        except SourceNotReady as err:
            outputs.fail(err)
            raise
    finally:
        reporter.close()


def trial_dirname(trial: Any) -> str:
    return trial.config["trial_id"]


def make_trainable(sweep: Sweep, exp_dir: str) -> Any:
    """The Tune trainable of a sweep: one function, trial configs looked up by trial id."""
    spec = TRAINABLES.get(sweep.spec.trainable)
    res = sweep.spec.resources
    target = spec.load() if res.workers == 1 else data_parallel_target(spec.name, res)
    fn = functools.partial(_tune_trial, target=target, trials={t.trial_id: t.config for t in sweep.trials},
                           exp_dir=exp_dir, sources={t.trial_id: t.source for t in sweep.trials if t.source},
                           chain_key=spec.chain_key, chain_takes=spec.chain_takes)
    fn.__name__ = sweep.spec.trainable  # Tune names the trainable after it
    if res.workers > 1:  # the trial only drives its Ray Train run, whose workers hold the CPUs and GPUs
        return tune.with_resources(fn, {"cpu": 0, "memory": DRIVER_MEMORY})
    return tune.with_resources(fn, {"cpu": res.cpu, "gpu": res.gpu})


class Progress(tune.Callback):
    """One concise line per epoch and per trial end (instead of Tune's wide status table)."""

    def __init__(self, echo: Callable[[str], None] = log.info, total: int = 0) -> None:
        self.echo = echo
        self.total = total

    def on_trial_start(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        self.echo(f"[{trial.config['trial_id']}] started")

    def on_trial_result(self, iteration: int, trials: list, trial: Any, result: dict, **info: Any) -> None:
        done = sum(t.status == "TERMINATED" for t in trials)
        total = max(self.total, len(trials))
        self.echo(f"[{trial.config['trial_id']}] {format_report(result)}  ({done}/{total} trials done)")

    def on_trial_complete(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        self.echo(f"[{trial.config['trial_id']}] finished")

    def on_trial_error(self, iteration: int, trials: list, trial: Any, **info: Any) -> None:
        self.echo(f"[{trial.config['trial_id']}] FAILED (see {trial.config['trial_id']}/errors.txt)")


# ---------------------------------------------------------------- Ray session


@dataclass
class Session:
    connected_here: bool
    """This process called ``ray.init`` (so it disconnects at the end)."""
    nodes: int
    local: bool = False
    """Ray was *started* here (no address): the machine is the cluster, so a trial must fit it. Joining a
    cluster (``--address``) is not local: an autoscaler may add the nodes a trial needs later."""

    def close(self) -> None:
        if self.connected_here and ray.is_initialized():
            ray.shutdown()


def alive_nodes() -> int:
    return len([n for n in ray.nodes() if n.get("Alive")])


def connect(address: str | None = None, num_cpus: int | None = None) -> Session:
    """Joins ``address`` (``auto``, ``ray://...``, or ``$RAY_ADDRESS``) or starts a quiet local Ray."""
    if ray.is_initialized():
        return Session(False, alive_nodes(), local=False)
    address = address or os.environ.get("RAY_ADDRESS")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if address:
        ray.init(address=address, logging_level=logging.WARNING)
        return Session(True, alive_nodes(), local=False)
    # Trial outputs go to files (metrics.jsonl, errors.txt); worker logs would repeat Tune's messages.
    ray.init(num_cpus=num_cpus or os.cpu_count(), include_dashboard=False, logging_level=logging.ERROR,
             log_to_driver=False)
    return Session(True, alive_nodes(), local=True)


def check_cluster(sweep: Sweep, session: Session) -> None:
    """Shared storage on multi-node clusters; on the embedded local Ray, a trial must fit the machine
    (an autoscaling cluster may add GPU nodes later, so it is not checked there)."""
    check_shared_storage(sweep.spec.storage, session.nodes, sweep.spec.storage_shared)
    if not session.local:
        return
    have = ray.cluster_resources()
    for name, key in (("cpu", "CPU"), ("gpu", "GPU")):
        workers = sweep.spec.resources.workers
        need = getattr(sweep.spec.resources, name) * workers
        if need > have.get(key, 0):
            each = f" × {workers} workers = {need:g}" if workers > 1 else ""
            raise CliError(f"each trial asks for resources.{name}: {need / workers:g}{each} but this machine offers "
                           f"{have.get(key, 0):g}; lower it (--set resources.{name}=...) or join a cluster "
                           "with --address")


# ---------------------------------------------------------------- fit and restore


def _run_config(sweep: Sweep, echo: Callable[[str], None]) -> tune.RunConfig:
    spec = sweep.spec
    return tune.RunConfig(
        name=spec.name, storage_path=spec.storage, verbose=0, callbacks=[Progress(echo, len(sweep.trials))],
        failure_config=tune.FailureConfig(max_failures=spec.max_failures),
        checkpoint_config=tune.CheckpointConfig(num_to_keep=spec.keep_checkpoints),
    )


def _quiet() -> None:
    # Tune's new console output prints a banner and paths even at verbose=0; the legacy one at 0 prints
    # nothing, and :class:`Progress` reports instead. RAY_AIR_NEW_OUTPUT=1 brings Tune's output back.
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")


def fit(sweep: Sweep, exp_dir: str, echo: Callable[[str], None] = log.info) -> dict[str, str]:
    """Runs every trial of the sweep; returns trial_id -> Ray's status."""
    _quiet()
    tuner = tune.Tuner(
        make_trainable(sweep, exp_dir),
        param_space={"trial_id": tune.grid_search([t.trial_id for t in sweep.trials])},
        tune_config=tune.TuneConfig(max_concurrent_trials=sweep.spec.max_concurrent, reuse_actors=True,
                                    trial_dirname_creator=trial_dirname, trial_name_creator=trial_dirname),
        run_config=_run_config(sweep, echo),
    )
    return _finish(tuner, exp_dir)


def can_restore(exp_dir: str) -> bool:
    return tune.Tuner.can_restore(exp_dir)


def restore(sweep: Sweep, exp_dir: str, restart_errored: bool = False) -> dict[str, str]:
    """Finishes a sweep from Tune's experiment state: unfinished trials continue from their last
    checkpoint; errored ones are resumed from theirs (or restarted from scratch)."""
    _quiet()
    tuner = tune.Tuner.restore(exp_dir, trainable=make_trainable(sweep, exp_dir), resume_unfinished=True,
                               resume_errored=not restart_errored, restart_errored=restart_errored)
    return _finish(tuner, exp_dir)


def _finish(tuner: tune.Tuner, exp_dir: str) -> dict[str, str]:
    grid = tuner.fit()
    statuses = {}
    for result in grid:
        trial_id = (result.config or {}).get("trial_id")
        if trial_id is None:
            continue
        statuses[trial_id] = "ERROR" if result.error else "TERMINATED"
        if result.error:
            mark_error(exp_dir, trial_id, f"{type(result.error).__name__}: {result.error}")
    return statuses
