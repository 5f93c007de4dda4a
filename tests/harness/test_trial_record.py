"""harness.trial_record: what a trial writes about itself (config, metrics lines, status, errors)."""

from __future__ import annotations

import json
import math

import pytest

from harness.trial_record import TrialOutputs, mark_error
from tests.harness.fake_trials import fake_search, fake_sweep, run_fake


def test_a_trial_records_config_metrics_and_status(tmp_path):
    sweep = fake_sweep(1)
    out = run_fake(str(tmp_path), sweep.trials[0], fake_search(3))
    d = tmp_path / sweep.trials[0].trial_id
    assert json.loads((d / "config.json").read_text()) == sweep.trials[0].config
    assert [json.loads(x)["epoch"] for x in (d / "metrics.jsonl").read_text().splitlines()] == [1, 2, 3]
    status = json.loads((d / "status.json").read_text())
    assert status["status"] == "TERMINATED" and status["attempt"] == 1 and status["wall_seconds"] >= 0
    assert out.finished()
    calls = []
    run_fake(str(tmp_path), sweep.trials[0], lambda c, r: calls.append(1))  # finished trials are not rerun
    assert calls == [] and json.loads((d / "status.json").read_text())["attempt"] == 1


def test_a_failing_trial_writes_error_and_a_retry_clears_the_status(tmp_path):
    trial = fake_sweep(1).trials[0]
    with pytest.raises(RuntimeError):
        run_fake(str(tmp_path), trial, fake_search(3, fail_at=3))
    d = tmp_path / trial.trial_id
    status = json.loads((d / "status.json").read_text())
    assert status["status"] == "ERROR" and "boom at epoch 3" in status["error"]
    assert "RuntimeError: boom at epoch 3" in (d / "errors.txt").read_text()
    run_fake(str(tmp_path), trial, fake_search(3, start=1))  # resumed after epoch 1: re-reports 2 and 3
    status = json.loads((d / "status.json").read_text())
    assert status["status"] == "TERMINATED" and status["attempt"] == 2 and status["error"] is None


def test_non_finite_metrics_are_written_as_null(tmp_path):
    out = TrialOutputs(str(tmp_path / "t000"), "t000")
    out.append_metrics({"epoch": 1, "val_loss": math.nan, "train_loss": math.inf, "val_acc": 12.5})
    row = json.loads((tmp_path / "t000" / "metrics.jsonl").read_text())
    assert row["val_loss"] is None and row["train_loss"] is None and row["val_acc"] == 12.5


def test_the_driver_marks_a_trial_that_died_without_a_record(tmp_path):
    mark_error(str(tmp_path), "t001", "OOM killed")
    status = json.loads((tmp_path / "t001" / "status.json").read_text())
    assert status["status"] == "ERROR" and status["error"] == "OOM killed"
    mark_error(str(tmp_path), "t001", "later message")  # an ERROR the trial wrote itself is kept
    assert json.loads((tmp_path / "t001" / "status.json").read_text())["error"] == "OOM killed"


def test_a_diverged_trial_is_recorded_once_and_never_retried(tmp_path):
    from searchcore.search.divergence import DivergedError

    trial = fake_sweep(1).trials[0]

    def diverges(config, reporter):
        raise DivergedError("diverged at epoch 2 (train_loss=nan)")

    assert run_fake(str(tmp_path), trial, diverges).finished()  # no exception: Ray must not retry it
    status = json.loads((tmp_path / trial.trial_id / "status.json").read_text())
    assert status["status"] == "DIVERGED" and status["error"] == "DivergedError: diverged at epoch 2 (train_loss=nan)"
    calls = []
    run_fake(str(tmp_path), trial, lambda c, r: calls.append(1))
    assert calls == []
