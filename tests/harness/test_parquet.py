"""harness.parquet: epochs.parquet and trials.parquet rebuilt from the trials' records (dedup, idempotence)."""

from __future__ import annotations

import json
import os
import re

import pandas as pd
import pytest

from harness.parquet import collect
from harness.provenance import provenance
from harness.saved_sweep import save_sweep
from tests.harness.fake_trials import fake_search, fake_sweep, run_fake


def test_collect_keeps_the_latest_row_per_epoch_and_is_idempotent(tmp_path):
    exp = str(tmp_path)
    sweep = fake_sweep(2)
    save_sweep(sweep, exp, provenance())
    trial = sweep.trials[0]
    with pytest.raises(RuntimeError):
        run_fake(exp, trial, fake_search(3, fail_at=3))
    lines = (tmp_path / trial.trial_id / "metrics.jsonl").read_text().splitlines()
    edited = [json.loads(x) for x in lines]
    edited[1]["val_acc"] = -1.0  # epoch 2 of the failed attempt: must be replaced by the resumed one
    (tmp_path / trial.trial_id / "metrics.jsonl").write_text("\n".join(json.dumps(x) for x in edited) + "\n")
    run_fake(exp, trial, fake_search(3, start=1))
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


def test_config_lists_become_json_text_and_empty_sections_no_column(tmp_path):
    exp = str(tmp_path)
    sweep = fake_sweep(1)
    sweep.trials[0].config = {"seed": 0, "data": {"root": None, "crop": [32, 32]}, "extras": {}}
    save_sweep(sweep, exp, {"versions": {"ray": "2.60.0"}})
    trials = collect(exp)[2]
    assert trials.loc[0, "data.crop"] == "[32, 32]" and trials.loc[0, "versions.ray"] == "2.60.0"
    assert "extras" not in trials.columns and "data.root" in trials.columns


def test_selection_rows_sharing_an_epoch_are_all_kept(tmp_path):
    exp = str(tmp_path)
    sweep = fake_sweep(1)
    save_sweep(sweep, exp, {})

    def select_like(config, reporter):
        reporter.report({"kind": "decision", "epoch": 0, "decision": 1, "decision_acc": 50.0})
        reporter.report({"kind": "decision", "epoch": 0, "decision": 2, "decision_acc": 52.0})
        reporter.report({"kind": "tune", "epoch": 1, "decision": 2, "val_acc": 55.0})

    run_fake(exp, sweep.trials[0], select_like)
    epochs = pd.read_parquet(collect(exp)[0])
    assert list(epochs["kind"]) == ["decision", "decision", "tune"]


def test_a_column_of_mixed_kinds_is_written_as_text_not_a_crash(tmp_path):
    import pandas as pd

    from harness.parquet import write_parquet

    df = pd.DataFrame({"lr": ["1e-3", 0.01, None], "seed": [0, 1, 2], "x": [1, 2.5, None]})
    path = str(tmp_path / "t.parquet")
    write_parquet(df, path)
    back = pd.read_parquet(path)
    assert back["lr"].tolist()[:2] == ["1e-3", "0.01"] and back["lr"].isna().tolist()[2]
    assert back["seed"].tolist() == [0, 1, 2] and back["x"].tolist()[:2] == [1.0, 2.5]
