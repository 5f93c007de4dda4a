"""What a trial writes about itself in ``<exp>/<trial_id>/``: config, one metrics line per report, status.

The trial keeps this record itself (no Ray internals needed), so ``collect`` works on any copy of the
storage and a crashed driver loses nothing. Every write replaces a whole file (:mod:`harness.storage`).
"""

from __future__ import annotations

import json
import socket
import time
import traceback
from collections.abc import Callable
from typing import Any

from harness.errors import CliError
from harness.layout import CONFIG_FILE, ERROR_FILE, METRICS_FILE, STATUS_FILE
from harness.storage import join, read_text, write_text
from searchcore.search.divergence import DivergedError
from searchcore.search.reporter import jsonable


def read_json_object(path: str) -> dict[str, Any]:
    """A JSON object file dartsweep wrote (``status.json``, ``provenance.json``; {} when absent). A damaged
    one is a :class:`CliError` naming it: guessing a status would rerun a finished trial or hide a failed one."""
    text = read_text(path)
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise CliError(f"{path}:{err.lineno}: not valid JSON ({err.msg}); expected the JSON object dartsweep "
                       "writes there") from None
    if not isinstance(value, dict):
        raise CliError(f"{path}: expected a JSON object, got {type(value).__name__}")
    return value


FINISHED = ("TERMINATED", "DIVERGED", "STOPPED")
"""Statuses of a trial that is done: never rerun by ``resume``, not a failure of the sweep."""


class TrialOutputs:
    """The trial-side record in ``<exp>/<trial_id>/``; every write replaces a whole file."""

    def __init__(self, trial_dir: str, trial_id: str) -> None:
        self.dir = trial_dir
        self.trial_id = trial_id
        self.status: dict[str, Any] = read_json_object(join(trial_dir, STATUS_FILE))
        self.lines = (read_text(join(trial_dir, METRICS_FILE)) or "").splitlines()
        self._start = time.time()

    def _write_status(self, **update: Any) -> None:
        self.status.update(update, trial_id=self.trial_id, host=socket.gethostname(), updated=time.time())
        write_text(join(self.dir, STATUS_FILE), json.dumps(self.status, indent=1, default=str))

    def finished(self) -> bool:
        """TERMINATED, DIVERGED (deterministic: rerunning would diverge at the same epoch) or STOPPED (by a sweep's
        scheduler, e.g. ASHA: it decided the trial is not worth more epochs)."""
        return self.status.get("status") in FINISHED

    def start(self, config: dict[str, Any], **record: Any) -> None:
        """``record``: more status fields (a fused seed's group: ``fused_trial``, ``fused_index``)."""
        write_text(join(self.dir, CONFIG_FILE), json.dumps(config, indent=1))
        self._start = time.time()
        self._write_status(status="RUNNING", attempt=int(self.status.get("attempt", 0)) + 1,
                           started=self.status.get("started", self._start), error=None, **record)

    def append_metrics(self, metrics: dict[str, Any]) -> None:
        row = {"trial_id": self.trial_id, "attempt": self.status.get("attempt", 1), "time": time.time(),
               **jsonable(metrics)}
        self.lines.append(json.dumps(row, default=str))
        write_text(join(self.dir, METRICS_FILE), "\n".join(self.lines) + "\n")

    def _wall(self) -> float:
        return float(self.status.get("wall_seconds", 0.0)) + time.time() - self._start

    def finish(self) -> None:
        self._write_status(status="TERMINATED", wall_seconds=self._wall(), ended=time.time())

    def fail(self, err: BaseException, status: str = "ERROR") -> None:
        text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        old = read_text(join(self.dir, ERROR_FILE)) or ""
        header = f"--- attempt {self.status.get('attempt', 1)} on {socket.gethostname()}\n"
        write_text(join(self.dir, ERROR_FILE), old + header + text)
        self._write_status(status=status, error=f"{type(err).__name__}: {err}"[:2000],
                           wall_seconds=self._wall(), ended=time.time())

    def stopped(self) -> None:
        """Tune ended the trial inside a report (``tune.report`` raises ``SystemExit``): a scheduler stopped it, at a
        rung or at ``max_t``. With its last epoch reported the trial is complete (TERMINATED: its final row is the
        last epoch's); else STOPPED, done but not run to its end (not in the tables' means, never resumed)."""
        if self.status.get("status") != "RUNNING":
            return
        last = json.loads(self.lines[-1]) if self.lines else {}
        if last.get("epoch") is not None and last.get("epoch") == last.get("epochs"):
            self.finish()
            return
        self._write_status(status="STOPPED", error=f"stopped early by the scheduler after epoch {last.get('epoch')}",
                           wall_seconds=self._wall(), ended=time.time())

    def mark_error(self, message: str) -> None:
        """Driver side: Ray saw the trial fail without a trial-side record (process killed, OOM)."""
        if self.status.get("status") != "ERROR":
            self._write_status(status="ERROR", error=message[:2000])


def run_trial(fn: Callable[[dict[str, Any], Any], dict[str, Any]], config: dict[str, Any],
              outputs: TrialOutputs, reporter: Any) -> dict[str, Any]:
    """Runs one trial with its trial-side record; a trial already TERMINATED is not rerun."""
    if outputs.finished():
        return {}
    outputs.start(config)
    try:
        final = fn(config, reporter)
    except DivergedError as err:  # deterministic: a retry would diverge again; recorded, not raised
        outputs.fail(err, status="DIVERGED")
        return {}
    except SystemExit:  # Ray Tune stopping the trial from inside tune.report (a scheduler's decision)
        outputs.stopped()
        raise
    except BaseException as err:
        outputs.fail(err)
        raise
    outputs.finish()
    return final


def run_fused_trial(fn: Callable[[list[dict[str, Any]], Any], Any], configs: list[dict[str, Any]],
                    outputs: list[TrialOutputs], reporter: Any, group_id: str) -> None:
    """Runs a fused group of seeds, each with its own trial-side record (``harness.sweepfile.fusing``); a seed
    that diverges is recorded DIVERGED by the reporter while the others go on."""
    if all(o.finished() for o in outputs):
        return
    for k, (o, config) in enumerate(zip(outputs, configs)):
        if not o.finished():
            o.start(config, fused_trial=group_id, fused_index=k)
    running = [o for o in outputs if o.status.get("status") == "RUNNING"]
    try:
        fn(configs, reporter)
    except SystemExit:
        for o in running:
            o.stopped()
        raise
    except BaseException as err:
        for o in running:
            if o.status.get("status") == "RUNNING":
                o.fail(err)
        raise
    for o in running:
        if o.status.get("status") == "RUNNING":
            o.finish()


def mark_stopped(exp_dir: str, trial_id: str) -> None:
    """Driver side: Tune ended the trial without an error while its record still says RUNNING."""
    TrialOutputs(join(exp_dir, trial_id), trial_id).stopped()


def mark_error(exp_dir: str, trial_id: str, message: str) -> None:
    """Driver side: a trial Ray saw fail without a trial-side record (process killed, OOM)."""
    TrialOutputs(join(exp_dir, trial_id), trial_id).mark_error(message)
