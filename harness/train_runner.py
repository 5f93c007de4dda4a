"""A data-parallel trial (``resources.workers`` > 1): the Tune trial drives a Ray Train run of that many workers.

Ray 2.60 runs Ray Train V2, where a ``Trainer`` can no longer be handed to a ``Tuner``: the supported pattern
(Ray's "Hyperparameter Tuning with Ray Tune" guide for Train V2) is a Tune function trainable that builds a
``TorchTrainer`` and calls ``fit()``, with a Train ``UserCallback`` on the controller forwarding each report
to the Tune trial (Ray's own ``TuneReportCallback`` does this with metrics only). Here:

* the trial holds no CPU or GPU itself (:data:`DRIVER_MEMORY`); the Train run asks for
  ``workers`` workers of ``cpu`` CPUs and ``gpu`` GPUs each (``ScalingConfig``), on any nodes, and sets up the
  process group (NCCL on GPUs, gloo on CPUs); each worker runs the plain searchcore trainable with its
  :class:`~searchcore.evaluate.distributed.Ranks` (``ranks=``);
* every rank calls ``ray.train.report`` once per epoch (it is a barrier), rank 0 with the checkpoint, which
  Train persists under ``<trial>/ray_train_<attempt>/``; :class:`_ToTune` (on the Train controller) hands the
  metrics and that checkpoint to the Tune trial through a Ray queue and waits until the trial has reported
  them with :class:`harness.tune_runner.TuneReporter` (``metrics.jsonl``, ``tune.report`` — which copies the
  checkpoint into Tune's trial checkpoints), so a data-parallel trial's record, checkpoints, progress lines,
  ``keep_checkpoints``, retries, ``dartsweep resume`` and ``--restart-errored`` are those of any trial;
* Tune's checkpoint is the one resumed from: the trial passes ``tune.get_checkpoint()`` to the workers and
  every rank restores it (Train V2 has no ``resume_from_checkpoint``; its own run directory is per attempt,
  keeps one checkpoint and is deleted when the attempt ends, so it is never resumed by accident);
* Train's own retries are off (``FailureConfig(max_failures=0)``): a failed worker fails the trial, which
  Tune retries from its last checkpoint per ``max_failures``.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import threading
from typing import Any

import ray
import ray.train
from ray import tune
from ray.train.torch import TorchTrainer, get_device
from ray.train.v2.api.callback import UserCallback
from ray.util.queue import Empty, Queue

from harness.errors import CliError
from harness.staging import staged
from harness.storage import join, remove_tree
from harness.sweepfile.model import Resources
from harness.trainables import TRAINABLES, TrainableFn

DRIVER_MEMORY = 2**26
"""What the Tune trial of a data-parallel run holds: 64 MiB of Ray's logical ``memory``, no CPU. Tune refuses a
trial that asks for nothing, and a CPU (even a fraction) held by the driver could keep a worker from the last
CPU of a machine, which would hang the run."""
RUN_PREFIX = "ray_train_"
"""Ray Train's run directory inside the trial directory: ``ray_train_<attempt>`` (staging only)."""


def data_parallel_target(trainable: str, resources: Resources) -> TrainableFn:
    """The ``fn(config, reporter)`` a Tune trial runs for a trainable on ``resources.workers`` workers."""
    if not hasattr(ray.train, "UserCallback"):
        raise CliError("resources.workers > 1 needs Ray Train V2 (the default of Ray 2.60): unset "
                       "RAY_TRAIN_V2_ENABLED=0")
    return functools.partial(run_data_parallel, trainable=trainable, resources=resources)


def run_data_parallel(config: dict[str, Any], reporter: Any, *, trainable: str, resources: Resources) -> dict[str, Any]:
    """Runs ``trainable`` on a Ray Train worker group; ``reporter`` is the trial's
    :class:`harness.tune_runner.TuneReporter` (its ``outputs`` say where the trial's directory is)."""
    run_dir = join(reporter.outputs.dir, f"{RUN_PREFIX}{reporter.outputs.status.get('attempt', 1)}")
    items: Queue = Queue(maxsize=1, actor_options={"num_cpus": 0})
    acks: Queue = Queue(maxsize=1, actor_options={"num_cpus": 0})
    per_worker = {"CPU": resources.cpu, **({"GPU": resources.gpu} if resources.gpu else {})}
    trainer = TorchTrainer(
        _train_worker,
        train_loop_config={"trainable": trainable, "config": config, "restore": tune.get_checkpoint(),
                           "gpu": resources.gpu > 0},
        scaling_config=ray.train.ScalingConfig(num_workers=resources.workers, use_gpu=resources.gpu > 0,
                                               resources_per_worker=per_worker),
        run_config=ray.train.RunConfig(
            name=run_dir.rstrip("/").rsplit("/", 1)[-1], storage_path=reporter.outputs.dir,
            checkpoint_config=ray.train.CheckpointConfig(num_to_keep=1),
            failure_config=ray.train.FailureConfig(max_failures=0), callbacks=[_ToTune(items, acks)]),
    )
    failure: list[BaseException] = []

    def fit() -> None:
        try:
            trainer.fit()
        except BaseException as err:  # re-raised in the trial's thread below
            failure.append(err)

    thread = threading.Thread(target=fit, name="dartsweep-ray-train", daemon=True)
    thread.start()
    last: dict[str, Any] = {}
    try:
        while thread.is_alive():
            try:
                metrics, checkpoint = items.get(timeout=0.5)
            except Empty:
                continue
            try:
                _report(reporter, metrics, checkpoint)
            except BaseException:
                acks.put(False)  # the controller's callback raises: the Train run stops
                raise
            acks.put(True)
            last = metrics
    finally:
        for queue in (items, acks):  # first: a callback still waiting on them fails, and so does the Train run
            queue.shutdown(force=True)
        thread.join()
        remove_tree(run_dir)
    if failure:
        raise failure[0]
    return last


def _report(reporter: Any, metrics: dict[str, Any], checkpoint: ray.train.Checkpoint | None) -> None:
    if checkpoint is None:
        reporter.report(metrics, None)
        return
    with checkpoint.as_directory() as directory:  # Train's persisted copy (downloaded when remote)
        reporter.report(metrics, directory)  # tune.report copies it into the trial's checkpoints


class _ToTune(UserCallback):
    """On the Train controller: each report round's rank-0 metrics and persisted checkpoint go to the Tune
    trial, and the round ends once the trial has reported them (so Train may then delete that checkpoint)."""

    def __init__(self, items: Queue, acks: Queue) -> None:
        self.items = items
        self.acks = acks

    def after_report(self, run_context: Any, metrics: list[dict[str, Any]],
                     checkpoint: ray.train.Checkpoint | None) -> None:
        self.items.put((metrics[0], checkpoint))
        if not self.acks.get():
            raise RuntimeError("the Tune trial failed to record a report; stopping its Ray Train run")


class _WorkerReporter:
    """The searchcore reporter on a Train worker: ``ray.train.report`` (every rank; rank 0 with the
    checkpoint), and the Tune checkpoint the trial resumes from, copied locally on every rank."""

    def __init__(self, restore: ray.train.Checkpoint | None) -> None:
        self.restore = restore
        self._copy: str | None = None

    def report(self, metrics: dict[str, Any], checkpoint_dir: str | None = None) -> None:
        checkpoint = ray.train.Checkpoint.from_directory(checkpoint_dir) if checkpoint_dir else None
        ray.train.report(dict(metrics), checkpoint=checkpoint)  # persists the checkpoint before returning

    def restore_dir(self) -> str | None:
        if self.restore is None:
            return None
        self._copy = tempfile.mkdtemp(prefix="dartsweep-restore-")
        with self.restore.as_directory() as directory:
            shutil.copytree(directory, self._copy, dirs_exist_ok=True)
        return self._copy

    def close(self) -> None:
        if self._copy:
            shutil.rmtree(self._copy, ignore_errors=True)


def _train_worker(loop_config: dict[str, Any]) -> None:
    """One Ray Train worker: the trainable with this worker's rank (TorchTrainer has set up the group)."""
    from searchcore.evaluate.distributed import Ranks

    config = dict(loop_config["config"])
    if loop_config["gpu"]:
        config["device"] = str(get_device())  # this worker's GPU
    elif config.get("device", "auto") == "auto":
        config["device"] = "cpu"  # gloo workers train on CPUs even on a GPU node
    reporter = _WorkerReporter(loop_config["restore"])
    try:
        trainable = staged(TRAINABLES.get(loop_config["trainable"]).load())  # input URIs: copied onto this node
        trainable(config, reporter, ranks=Ranks.from_process_group())
    finally:
        reporter.close()
