"""Runs an expanded sweep as Ray Tune trials: the only module of dartsweep that imports Ray (with train_runner).

Each trial is a Tune function trainable that looks its config up by the deterministic trial id and runs the plain
searchcore trainable with a :class:`TuneReporter`, keeping its own record beside Ray's (``harness.trial_record``).
Tune's config of a trial holds the id *and* the trial's swept values (:func:`hyperparameters`: axes and grid/zip
keys, flat dotted names, JSON scalars), so Ray's dashboard, TensorBoard's HParams, ``ResultGrid.get_dataframe()``
and W&B/MLflow callbacks see what varied. They come from a :class:`SweepTrials` searcher proposing the trials in
order rather than one ``grid_search`` over the ids: Tune's variant generator deep-copies the whole grid for every
trial (quadratic: about a minute of driver time for 10,000 trials), a searcher costs the same per trial at any size.
A sweep's ``search_alg`` (:mod:`harness.tune_options`) proposes values instead; :class:`SampledSlots` gives its
proposals the sweep's slot ids. ``Tuner.restore`` finishes a sweep whose driver died: unfinished trials continue
from their last checkpoint, errored ones are resumed (or restarted) and TERMINATED ones are kept.

Checked against Ray 2.60: ``tune.report(metrics, checkpoint=tune.Checkpoint.from_directory(d))``
persists the checkpoint before returning; ``tune.get_checkpoint()`` offers it on restart; a searcher's state is
saved with the experiment state (``Searcher.save`` / wrappers' ``get_state``) and restored by ``Tuner.restore``.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import ray
from ray import tune
from ray.tune.logger import CSVLoggerCallback, JsonLoggerCallback, TBXLoggerCallback
from ray.tune.search import Searcher
from ray.tune.search.sample import Domain
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from harness.chain import CHAIN_INPUTS, SourceNotReady
from harness.errors import CliError
from harness.layout import CONFIG_FILE, METRICS_FILE
from harness.progress import format_report
from harness.staging import staged, staged_group
from harness.storage import check_shared_storage, join, read_text, write_text
from harness.sweepfile.fusing import FUSED_KEY, FusedGroup, fused_groups
from harness.sweepfile.model import Sweep, Trial
from harness.train_runner import DRIVER_MEMORY, data_parallel_target
from harness.trainables import TRAINABLES
from harness.trial_inputs import check_inputs, trial_inputs
from harness.trial_record import TrialOutputs, mark_error, mark_stopped, run_fused_trial, run_trial
from harness.tune_options import DISTRIBUTIONS, TuneChoice
from searchcore.config import flatten

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


def _tune_trial(config: dict[str, Any], *, target: Callable, trials: dict[str, Trial], exp_dir: str,
                chain_key: str | None, chain_takes: str, resolve: Callable, sampled: tuple[str, ...]) -> None:
    trial = trials[config["trial_id"]]
    outputs = TrialOutputs(join(exp_dir, trial.trial_id), trial.trial_id)
    reporter = TuneReporter(outputs)
    try:
        trial_config = trial.config
        if sampled:  # a search_alg's proposal: validated here, so a bad one fails this trial alone
            try:
                trial_config = sampled_config(resolve, trial, {k: config[k] for k in sampled})
            except Exception as err:
                outputs.fail(err)
                raise
            _forget_other_proposal(outputs, trial_config)
        if trial.source is None:
            run_trial(target, trial_config, outputs, reporter)
            return
        try:  # what the trial takes from its source trial: a checkpoint, an architecture (harness.chain)
            with CHAIN_INPUTS.get(chain_takes).fetch(trial.source) as value:
                run_trial(target, {**trial_config, chain_key: value}, outputs, reporter)
        except SourceNotReady as err:
            outputs.fail(err)
            raise
    finally:
        reporter.close()


class FusedTuneReporter(TuneReporter):
    """A fused group's reporter (``searchcore.fused.run.FusedReporter``): every seed's row goes to that seed's own
    ``metrics.jsonl`` (with the group in ``fused_trial``); Tune gets one report per epoch, the seeds' mean, and
    the group's checkpoint."""

    def __init__(self, group_id: str, outputs: list[TrialOutputs]) -> None:
        super().__init__(outputs[0])
        self.group_id = group_id
        self.members = outputs

    def report(self, rows: dict[int, dict[str, Any]], checkpoint_dir: str | None = None) -> None:  # type: ignore[override]
        for k, row in rows.items():
            self.members[k].append_metrics({**row, "fused_trial": self.group_id})
        checkpoint = tune.Checkpoint.from_directory(checkpoint_dir) if checkpoint_dir else None
        tune.report(seed_mean(list(rows.values())), checkpoint=checkpoint)

    def seed_failed(self, index: int, error: BaseException) -> None:
        self.members[index].fail(error, status="DIVERGED")


def seed_mean(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What Tune sees of a fused epoch: the mean over the seeds still running of every numeric metric, and how
    many they are (``seeds``)."""
    first = rows[0] if rows else {}
    numeric = [k for k, v in first.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    out: dict[str, Any] = {}
    for k in numeric:
        values = [r[k] for r in rows if k in r]
        out[k] = values[0] if all(v == values[0] for v in values) else float(np.mean(values))
    out["seeds"] = len(rows)
    return out


def _tune_fused_trial(config: dict[str, Any], *, target: Callable, groups: dict[str, FusedGroup],
                      exp_dir: str) -> None:
    group = groups[config["trial_id"]]
    outputs = [TrialOutputs(join(exp_dir, t.trial_id), t.trial_id) for t in group.members]
    reporter = FusedTuneReporter(group.trial_id, outputs)
    try:
        run_fused_trial(target, [t.config for t in group.members], outputs, reporter, group.trial_id)
    finally:
        reporter.close()


def sampled_config(resolve: Callable, trial: Trial, values: dict[str, Any]) -> dict[str, Any]:
    """The slot's shared config with a search algorithm's values, resolved and validated like any trial config
    (``resolve``: the trainable's, :attr:`harness.trainables.TrainableSpec.resolve`)."""
    plain = {k: v.item() if hasattr(v, "item") else v for k, v in values.items()}  # numpy scalars
    return resolve(trial.axes, {**flatten(trial.config), **plain})


def _forget_other_proposal(outputs: TrialOutputs, config: dict[str, Any]) -> None:
    """A slot proposed again after a driver crash (its proposal was not in Tune's last snapshot) may get other
    values: the rows of the earlier proposal would be mixed with the new ones, so they go."""
    old = read_text(join(outputs.dir, CONFIG_FILE))
    if old is None or outputs.finished() or json.loads(old) == config:
        return
    log.warning("[%s] proposed again with other values; the earlier proposal's rows are discarded", outputs.trial_id)
    outputs.lines, outputs.status = [], {}
    write_text(join(outputs.dir, METRICS_FILE), "")


def trial_dirname(trial: Any) -> str:
    return trial.config["trial_id"]


def hyperparameters(trial: Trial) -> dict[str, Any]:
    """What Tune's config of a trial holds: its id (what the trainable looks its config up by), its axes and its
    swept values under their dotted names, each a JSON scalar (a list or mapping as JSON text) so TensorBoard's
    HParams, ``get_dataframe()`` and W&B/MLflow take them as they are."""
    return {"trial_id": trial.trial_id, **trial.axes, **{k: _scalar(v) for k, v in trial.params.items()}}


def _scalar(value: Any) -> Any:
    return value if value is None or isinstance(value, (bool, int, float, str)) else json.dumps(value, default=str)


def fused_hyperparameters(group: FusedGroup) -> dict[str, Any]:
    """:func:`hyperparameters` of a fused group: the group's id, its members' shared values and their seeds."""
    first = hyperparameters(group.members[0])
    first.pop(FUSED_KEY, None)
    return {**first, "trial_id": group.trial_id, "seeds": json.dumps([t.params.get(FUSED_KEY) for t in group.members])}


def groups_of(sweep: Sweep) -> list[FusedGroup] | None:
    """The sweep's fused groups (``seeds_per_trial`` > 1), else None."""
    k = sweep.spec.seeds_per_trial
    return fused_groups(sweep.trials, k) if k > 1 else None


def make_trainable(sweep: Sweep, exp_dir: str) -> Any:
    """The Tune trainable of a sweep: one function, trial configs looked up by trial id. The trials travel in
    their compact form (changes from one shared config) to every trial process."""
    spec = TRAINABLES.get(sweep.spec.trainable)
    res = sweep.spec.resources
    groups = groups_of(sweep)
    if groups is not None:
        fused = functools.partial(_tune_fused_trial, target=staged_group(spec.load_fused()),
                                  groups={g.trial_id: g for g in groups}, exp_dir=exp_dir)
        fused.__name__ = sweep.spec.trainable
        return tune.with_resources(fused, {"cpu": res.cpu, "gpu": res.gpu})
    target = staged(spec.load()) if res.workers == 1 else data_parallel_target(spec.name, res)  # URIs: copied
    fn = functools.partial(_tune_trial, target=target, trials={t.trial_id: t for t in sweep.trials},
                           exp_dir=exp_dir, chain_key=spec.chain_key, chain_takes=spec.chain_takes,
                           resolve=spec.resolve, sampled=tuple(sampled_keys(sweep)))
    fn.__name__ = sweep.spec.trainable  # Tune names the trainable after it
    if res.workers > 1:  # the trial only drives its Ray Train run, whose workers hold the CPUs and GPUs
        return tune.with_resources(fn, {"cpu": 0, "memory": DRIVER_MEMORY})
    return tune.with_resources(fn, {"cpu": res.cpu, "gpu": res.gpu})


def sampled_keys(sweep: Sweep) -> list[str]:
    return list(sweep.spec.search_alg.options.param_space) if sweep.spec.search_alg else []


# ---------------------------------------------------------------- searchers, schedulers, callbacks


class SweepTrials(Searcher):
    """Proposes the sweep's trials in order, each as :func:`hyperparameters`, then says it is finished."""

    def __init__(self, configs: list[dict[str, Any]]) -> None:
        super().__init__()
        self.configs = configs
        self.next = 0

    def set_search_properties(self, metric: str | None, mode: str | None, config: dict, **spec: Any) -> bool:
        return True

    def suggest(self, trial_id: str) -> dict[str, Any] | str | None:
        if self.next >= len(self.configs):
            return Searcher.FINISHED
        self.next += 1
        return dict(self.configs[self.next - 1])

    def on_trial_complete(self, trial_id: str, result: dict | None = None, error: bool = False) -> None:
        pass

    def save(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "w", encoding="utf-8") as fh:
            json.dump({"next": self.next}, fh)

    def restore(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, encoding="utf-8") as fh:
            self.next = json.load(fh)["next"]


class SampledSlots(Searcher):
    """Wraps a sweep's search algorithm: its proposals fill the sweep's slots ``t000``, ``t001`` … in order (a
    wrapper in Tune's sense, like ``ConcurrencyLimiter``: its ``searcher`` is saved and restored on its own)."""

    def __init__(self, searcher: Searcher, slots: list[str]) -> None:
        self.searcher = searcher
        self.slots = slots
        self.next = 0
        super().__init__(metric=searcher.metric, mode=searcher.mode)

    def set_search_properties(self, metric: str | None, mode: str | None, config: dict, **spec: Any) -> bool:
        return self.searcher.set_search_properties(metric, mode, config, **spec)

    def set_max_concurrency(self, max_concurrent: int) -> bool:
        return self.searcher.set_max_concurrency(max_concurrent)

    def suggest(self, trial_id: str) -> dict[str, Any] | str | None:
        if self.next >= len(self.slots):
            return Searcher.FINISHED
        proposal = self.searcher.suggest(trial_id)
        if proposal is None or proposal == Searcher.FINISHED:
            return proposal
        self.next += 1
        return {**proposal, "trial_id": self.slots[self.next - 1]}

    def on_trial_result(self, trial_id: str, result: dict) -> None:
        self.searcher.on_trial_result(trial_id, result)

    def on_trial_complete(self, trial_id: str, result: dict | None = None, error: bool = False) -> None:
        self.searcher.on_trial_complete(trial_id, result=result, error=error)

    def get_state(self) -> dict[str, Any]:
        return {"next": self.next}

    def set_state(self, state: dict[str, Any]) -> None:
        self.next = state["next"]

    def save(self, checkpoint_path: str) -> None:
        self.searcher.save(checkpoint_path)

    def restore(self, checkpoint_path: str) -> None:
        self.searcher.restore(checkpoint_path)


class RandomSearch(Searcher):
    """``search_alg: {name: random}``: independent draws from the param_space, the k-th from a generator seeded
    with (seed, k), so a sweep draws the same values again and needs no extra package."""

    def __init__(self, metric: str | None = None, mode: str | None = None, seed: int | None = None) -> None:
        super().__init__(metric=metric, mode=mode)
        self.seed = seed or 0
        self.space: dict[str, Domain] = {}
        self.drawn = 0

    def set_search_properties(self, metric: str | None, mode: str | None, config: dict, **spec: Any) -> bool:
        self.space = {k: v for k, v in config.items() if isinstance(v, Domain)}
        return True

    def on_trial_complete(self, trial_id: str, result: dict | None = None, error: bool = False) -> None:
        pass  # independent draws: results change nothing

    def suggest(self, trial_id: str) -> dict[str, Any]:
        rng = np.random.default_rng([self.seed, self.drawn])
        self.drawn += 1
        return {k: domain.sample(random_state=rng) for k, domain in self.space.items()}

    def save(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, "w", encoding="utf-8") as fh:
            json.dump({"drawn": self.drawn}, fh)

    def restore(self, checkpoint_path: str) -> None:
        with open(checkpoint_path, encoding="utf-8") as fh:
            self.drawn = json.load(fh)["drawn"]


def build(choice: TuneChoice) -> Any:
    """The Tune object a sweep's scheduler / search_alg / callback entry names (its registry entry's target)."""
    entry = choice.entry
    module, _, attr = entry.target.partition(":")
    return getattr(importlib.import_module(module), attr)(**entry.kwargs(choice.options))


def search_space(param_space: dict[str, dict[str, list]]) -> dict[str, Domain]:
    """``{key: {uniform: [0, 1]}}`` -> ``{key: tune.uniform(0, 1)}`` (:data:`harness.tune_options.DISTRIBUTIONS`)."""
    out = {}
    for key, spec in param_space.items():
        (name, args), = spec.items()
        fn = getattr(tune, name)
        out[key] = fn(args) if DISTRIBUTIONS[name] is None else fn(*args)
    return out


def tune_config(sweep: Sweep) -> tuple[tune.TuneConfig, dict[str, Any]]:
    """Tune's config of a sweep (its search algorithm, scheduler, limits) and the param_space to go with it."""
    spec = sweep.spec
    if spec.search_alg is not None:
        search_alg: Searcher = SampledSlots(build(spec.search_alg), [t.trial_id for t in sweep.trials])
        param_space: dict[str, Any] = search_space(spec.search_alg.options.param_space)
        runs = len(sweep.trials)
    else:
        groups = groups_of(sweep)
        proposals = [hyperparameters(t) for t in sweep.trials] if groups is None else \
            [fused_hyperparameters(g) for g in groups]
        search_alg, param_space, runs = SweepTrials(proposals), {}, len(proposals)
    config = tune.TuneConfig(
        search_alg=search_alg, scheduler=build(spec.scheduler) if spec.scheduler else None,
        num_samples=runs, max_concurrent_trials=spec.max_concurrent, reuse_actors=True,
        trial_dirname_creator=trial_dirname, trial_name_creator=trial_dirname)
    return config, param_space


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
    # Trial outputs go to files (metrics.jsonl, errors.txt); worker logs would repeat Tune's messages. "local":
    # a Ray of its own even when `ray start` runs on this machine (ray.init() would join that one instead).
    ray.init(address="local", num_cpus=num_cpus or os.cpu_count(), include_dashboard=False,
             logging_level=logging.ERROR, log_to_driver=False)
    return Session(True, alive_nodes(), local=True)


def check_cluster(sweep: Sweep, session: Session) -> None:
    """Shared storage on multi-node clusters; the trials' data where they run (:func:`check_trial_inputs`); on the
    embedded local Ray, a trial must fit the machine (an autoscaling cluster may add GPU nodes later, so it is not
    checked there)."""
    check_shared_storage(sweep.spec.storage, session.nodes, sweep.spec.storage_shared)
    check_trial_inputs(sweep, session)
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


def _worker_node(cpu: float, gpu: float) -> str | None:
    """A live node other than the head, one with a trial's CPUs and GPUs if there is one (its node id)."""
    workers = [n for n in ray.nodes() if n.get("Alive") and "node:__internal_head__" not in n.get("Resources", {})]
    fits = [n for n in workers if n["Resources"].get("CPU", 0) >= cpu and n["Resources"].get("GPU", 0) >= gpu]
    return (fits or workers or [{}])[0].get("NodeID")


PREFLIGHT_TIMEOUT_ENV = "DARTSWEEP_PREFLIGHT_TIMEOUT"
PREFLIGHT_TIMEOUT = 900.0
"""Seconds the preflight waits for a node with a trial's resources (an autoscaler may first have to start one)."""


def check_trial_inputs(sweep: Sweep, session: Session) -> None:
    """The data roots and tables of every trial (local paths and URIs, :mod:`harness.trial_inputs`) are there as
    seen from where trials run, with its mounts and credentials: this machine when Ray was started here, else one
    Ray task on a worker node (one with a trial's resources if any is up; with only the head up, a task asking for
    a trial's resources, which the autoscaler starts a node for). A missing input is one error naming the sweep
    file, the key and the path, instead of a failure and ``max_failures`` retries of every trial."""
    inputs = trial_inputs(t.config for t in sweep.trials)
    if not inputs:
        return
    here = session.local or _driver_node_only()
    host, problems = check_inputs(inputs) if here else _check_on_a_worker(sweep, inputs)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CliError(f"{sweep.source}: {problems[0]}{more}, as seen from node {host}")


def _driver_node_only() -> bool:
    """Ray runs on this machine alone (one live node, the driver's), so trials see this machine's files: checked
    here, without the second or so a task on a worker costs per sweep."""
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    return len(nodes) == 1 and nodes[0].get("NodeID") == ray.get_runtime_context().get_node_id()


def _check_on_a_worker(sweep: Sweep, inputs: list) -> tuple[str, list[str]]:
    res = sweep.spec.resources
    node = _worker_node(res.cpu, res.gpu)
    if node is not None:  # a worker that is up: pinned there, holding nothing (trials may already use it all)
        where = NodeAffinitySchedulingStrategy(node, soft=False)
        task = ray.remote(num_cpus=0, max_retries=0, scheduling_strategy=where)(check_inputs)
    else:  # only the head so far: ask for what a trial asks for, so the autoscaler starts a node trials run on
        task = ray.remote(num_cpus=res.cpu, num_gpus=res.gpu, max_retries=0)(check_inputs)
    ref = task.remote(inputs)
    timeout = float(os.environ.get(PREFLIGHT_TIMEOUT_ENV) or PREFLIGHT_TIMEOUT)
    try:
        return ray.get(ref, timeout=timeout)
    except ray.exceptions.GetTimeoutError:
        ray.cancel(ref, force=True)
        raise CliError(f"{sweep.source}: no node with a trial's resources (resources.cpu {res.cpu:g}, gpu "
                       f"{res.gpu:g}) ran the data check within {timeout:g} s; add such nodes or raise "
                       f"${PREFLIGHT_TIMEOUT_ENV}") from None


# ---------------------------------------------------------------- fit and restore


TUNE_LOGGERS = {"csv": CSVLoggerCallback, "json": JsonLoggerCallback, "tensorboard": TBXLoggerCallback}
"""A sweep's ``tune_loggers`` (:class:`harness.sweepfile.model.SweepFile`) -> Tune's logger callbacks."""


def _run_config(sweep: Sweep, echo: Callable[[str], None]) -> tune.RunConfig:
    spec = sweep.spec
    loggers = [TUNE_LOGGERS[name]() for name in dict.fromkeys(spec.tune_loggers)]
    groups = groups_of(sweep)
    progress = Progress(echo, len(sweep.trials) if groups is None else len(groups))
    callbacks = [progress, *loggers, *(build(c) for c in spec.callbacks)]
    return tune.RunConfig(
        name=spec.name, storage_path=spec.storage, verbose=0, callbacks=callbacks,
        failure_config=tune.FailureConfig(max_failures=spec.max_failures),
        checkpoint_config=tune.CheckpointConfig(num_to_keep=spec.keep_checkpoints),
    )


def _quiet() -> None:
    # Tune's new console output prints a banner and paths even at verbose=0; the legacy one at 0 prints
    # nothing, and :class:`Progress` reports instead. RAY_AIR_NEW_OUTPUT=1 brings Tune's output back.
    os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
    # Tune's default loggers are added by :func:`_run_config` as the sweep's tune_loggers say, not by Tune.
    os.environ["TUNE_DISABLE_AUTO_CALLBACK_LOGGERS"] = "1"


def fit(sweep: Sweep, exp_dir: str, echo: Callable[[str], None] = log.info) -> dict[str, str]:
    """Runs every trial of the sweep; returns trial_id -> Ray's status."""
    _quiet()
    config, param_space = tune_config(sweep)
    tuner = tune.Tuner(make_trainable(sweep, exp_dir), param_space=param_space, tune_config=config,
                       run_config=_run_config(sweep, echo))
    return _finish(tuner, exp_dir, groups_of(sweep))


def can_restore(exp_dir: str) -> bool:
    return tune.Tuner.can_restore(exp_dir)


def restore(sweep: Sweep, exp_dir: str, restart_errored: bool = False) -> dict[str, str]:
    """Finishes a sweep from Tune's experiment state: unfinished trials continue from their last
    checkpoint; errored ones are resumed from theirs (or restarted from scratch)."""
    _quiet()
    tuner = tune.Tuner.restore(exp_dir, trainable=make_trainable(sweep, exp_dir), resume_unfinished=True,
                               resume_errored=not restart_errored, restart_errored=restart_errored)
    return _finish(tuner, exp_dir, groups_of(sweep))


def _finish(tuner: tune.Tuner, exp_dir: str, groups: list[FusedGroup] | None = None) -> dict[str, str]:
    """Per-trial statuses (a fused group's for each of its seeds), with the trial-side records completed where
    Ray saw a trial end without one."""
    grid = tuner.fit()
    members = {g.trial_id: [t.trial_id for t in g.members] for g in groups or []}
    statuses = {}
    for result in grid:
        run_id = (result.config or {}).get("trial_id")
        if run_id is None:
            continue
        for trial_id in members.get(run_id, [run_id]):
            statuses[trial_id] = "ERROR" if result.error else "TERMINATED"
            if result.error:
                mark_error(exp_dir, trial_id, f"{type(result.error).__name__}: {result.error}")
            else:  # ended by Tune without error: a scheduler (ASHA) stopped it before its last epoch
                mark_stopped(exp_dir, trial_id)
    return statuses
