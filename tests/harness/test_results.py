"""Trial-side records, collect (dedup, idempotence), atomic writes, the shared-storage rule, provenance."""

from __future__ import annotations

import json
import os
import re

import pandas as pd
import pytest

from harness.errors import CliError
from harness.provenance import provenance
from harness.results import (
    TrialOutputs,
    check_shared_storage,
    collect,
    join,
    run_trial,
    save_sweep,
    write_text,
)
from harness.sweep import Sweep, SweepFile, Trial


def _sweep(n: int = 2) -> Sweep:
    trials = [Trial(i, f"t{i:03d}_seed={i}", {"seed": i}, {"method": "darts", "space": "nb201", "dataset": "digits"},
                    {"seed": i, "epochs": 3, "method": {"name": "darts", "mutation": {"p_max": 0.0}}})
              for i in range(n)]
    return Sweep(SweepFile(name="s", grid={"seed": list(range(n))}), trials, "mem", ["seed"])


class _Rep:
    def __init__(self, outputs: TrialOutputs) -> None:
        self.outputs = outputs

    def report(self, metrics, checkpoint_dir=None):
        self.outputs.append_metrics(metrics)

    def restore_dir(self):
        return None


def _fake_search(epochs: int, start: int = 0, fail_at: int | None = None):
    def fn(config, reporter):
        for e in range(start + 1, epochs + 1):
            if e == fail_at:
                raise RuntimeError(f"boom at epoch {e}")
            reporter.report({"epoch": e, "epochs": epochs, "val_acc": 10.0 * e + config["seed"], "arch": "a"})
        return {"epoch": epochs}
    return fn


def _run(exp: str, trial: Trial, fn) -> TrialOutputs:
    out = TrialOutputs(join(exp, trial.trial_id), trial.trial_id)
    run_trial(fn, trial.config, out, _Rep(out))
    return out


def test_a_trial_records_config_metrics_and_status(tmp_path):
    sweep = _sweep(1)
    out = _run(str(tmp_path), sweep.trials[0], _fake_search(3))
    d = tmp_path / sweep.trials[0].trial_id
    assert json.loads((d / "config.json").read_text()) == sweep.trials[0].config
    assert [json.loads(x)["epoch"] for x in (d / "metrics.jsonl").read_text().splitlines()] == [1, 2, 3]
    status = json.loads((d / "status.json").read_text())
    assert status["status"] == "TERMINATED" and status["attempt"] == 1 and status["wall_seconds"] >= 0
    assert out.finished()
    calls = []
    _run(str(tmp_path), sweep.trials[0], lambda c, r: calls.append(1))  # finished trials are not rerun
    assert calls == [] and json.loads((d / "status.json").read_text())["attempt"] == 1


def test_a_failing_trial_writes_error_and_a_retry_clears_the_status(tmp_path):
    trial = _sweep(1).trials[0]
    with pytest.raises(RuntimeError):
        _run(str(tmp_path), trial, _fake_search(3, fail_at=3))
    d = tmp_path / trial.trial_id
    status = json.loads((d / "status.json").read_text())
    assert status["status"] == "ERROR" and "boom at epoch 3" in status["error"]
    assert "RuntimeError: boom at epoch 3" in (d / "errors.txt").read_text()
    _run(str(tmp_path), trial, _fake_search(3, start=1))  # resumed after epoch 1: re-reports 2 and 3
    status = json.loads((d / "status.json").read_text())
    assert status["status"] == "TERMINATED" and status["attempt"] == 2 and status["error"] is None


def test_collect_keeps_the_latest_row_per_epoch_and_is_idempotent(tmp_path):
    exp = str(tmp_path)
    sweep = _sweep(2)
    save_sweep(sweep, exp, provenance())
    trial = sweep.trials[0]
    with pytest.raises(RuntimeError):
        _run(exp, trial, _fake_search(3, fail_at=3))
    lines = (tmp_path / trial.trial_id / "metrics.jsonl").read_text().splitlines()
    edited = [json.loads(x) for x in lines]
    edited[1]["val_acc"] = -1.0  # epoch 2 of the failed attempt: must be replaced by the resumed one
    (tmp_path / trial.trial_id / "metrics.jsonl").write_text("\n".join(json.dumps(x) for x in edited) + "\n")
    _run(exp, trial, _fake_search(3, start=1))
    epochs_path, trials_path, trials = collect(exp)
    epochs = pd.read_parquet(epochs_path)
    assert len(epochs) == 3 and list(epochs["epoch"]) == [1, 2, 3]  # trial 1 never ran
    assert list(epochs["val_acc"]) == [10.0, 20.0, 30.0] and list(epochs["attempt"]) == [1, 2, 2]
    assert list(trials["status"]) == ["TERMINATED", "PENDING"]
    assert trials.loc[0, "val_acc"] == 30.0 and trials.loc[0, "epochs_done"] == 3
    assert trials.loc[0, "method.mutation.p_max"] == 0.0 and trials.loc[0, "seed"] == 0
    assert re.fullmatch(r"[0-9a-f]{40}", str(trials.loc[0, "git_commit"]))
    assert trials.loc[0, "versions.ray"] == "2.60.0" and trials.loc[0, "host"]
    again = collect(exp)[2]
    pd.testing.assert_frame_equal(trials, again)
    pd.testing.assert_frame_equal(epochs, pd.read_parquet(epochs_path))
    assert not [f for f in os.listdir(exp) if ".tmp" in f]


def test_selection_rows_sharing_an_epoch_are_all_kept(tmp_path):
    exp = str(tmp_path)
    sweep = _sweep(1)
    save_sweep(sweep, exp, {})

    def select_like(config, reporter):
        reporter.report({"kind": "decision", "epoch": 0, "decision": 1, "decision_acc": 50.0})
        reporter.report({"kind": "decision", "epoch": 0, "decision": 2, "decision_acc": 52.0})
        reporter.report({"kind": "tune", "epoch": 1, "decision": 2, "val_acc": 55.0})

    _run(exp, sweep.trials[0], select_like)
    epochs = pd.read_parquet(collect(exp)[0])
    assert list(epochs["kind"]) == ["decision", "decision", "tune"]


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = str(tmp_path / "a" / "b.txt")
    write_text(target, "one")
    write_text(target, "two")
    assert open(target).read() == "two" and os.listdir(tmp_path / "a") == ["b.txt"]


@pytest.mark.parametrize("storage,nodes,shared,ok", [
    ("/home/me/results", 1, False, True),
    ("/home/me/results", 3, False, False),
    ("/mnt/nfs/results", 3, True, True),
    ("s3://bucket/dartsweep", 3, False, True),
    ("gs://bucket/dartsweep", 2, False, True),
])
def test_multi_node_clusters_need_shared_storage(storage, nodes, shared, ok):
    if ok:
        check_shared_storage(storage, nodes, shared)
        return
    with pytest.raises(CliError, match=rf"{nodes} nodes but storage '{storage}' is a local path.*storage_shared"):
        check_shared_storage(storage, nodes, shared)


def test_provenance_names_commit_versions_and_host():
    p = provenance()
    assert re.fullmatch(r"[0-9a-f]{40}", p["git_commit"]) and isinstance(p["git_dirty"], bool)
    assert p["versions"]["torch"] and p["versions"]["ray"] == "2.60.0" and p["driver_host"]


def test_progress_lines_say_what_each_report_is():
    from harness.tune_runner import progress_line

    epoch = {"epoch": 3, "epochs": 10, "train_acc": 41.0234, "val_acc": 38.28, "n_skip": 0, "epoch_seconds": 3.81}
    assert progress_line(epoch) == "epoch 3/10 | train 41.02% | val 38.28% | skip 0 | 3.8s"
    decision = {"kind": "decision", "decision": 2, "decisions_total": 6, "edge": 4, "node": None,
                "op": "nor_conv_3x3", "decision_acc": 64.844}
    assert progress_line(decision) == "decision 2/6 | edge 4 -> nor_conv_3x3 | acc 64.84%"
    topology = {"kind": "decision", "decision": 9, "decisions_total": 12, "edge": None, "node": 3, "op": None,
                "removed_edges": "[0, 2]"}
    assert progress_line(topology) == "decision 9/12 | node 3 -> removed edges [0, 2]"
    assert progress_line({"epoch": 22, "epochs": 30, "phase": "shrink", "shrink_step": 1}).endswith("shrink step 1")
