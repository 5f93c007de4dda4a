"""Where a chained trial finds its search trial's final checkpoint, and what it records of it (no Ray)."""

import json

import pytest

from harness.chain import SourceNotReady, latest_checkpoint, source_checkpoint
from harness.sweepfile.chaining import source_labels


def _trial(tmp_path, status, checkpoints=()):
    trial = tmp_path / "t001_seed=1"
    trial.mkdir()
    (trial / "status.json").write_text(json.dumps({"status": status}))
    for name in checkpoints:
        (trial / name).mkdir()
    (trial / "metrics.jsonl").write_text("")
    return str(trial)


def test_the_newest_checkpoint_of_a_finished_search_trial_is_used(tmp_path):
    trial = _trial(tmp_path, "TERMINATED", ["checkpoint_000009", "checkpoint_000010", "checkpoint_x"])
    assert latest_checkpoint(trial).endswith("checkpoint_000010")  # by number, not by name
    with source_checkpoint(trial) as path:
        assert path == latest_checkpoint(trial)


@pytest.mark.parametrize("status, checkpoints, message", [
    ("RUNNING", ["checkpoint_000001"], "is RUNNING, not finished"),
    ("ERROR", [], "is ERROR, not finished"),
    ("TERMINATED", [], "kept no checkpoint_"),
])
def test_an_unfinished_search_trial_is_a_clear_error(tmp_path, status, checkpoints, message):
    trial = _trial(tmp_path, status, checkpoints)
    with pytest.raises(SourceNotReady, match=message):
        with source_checkpoint(trial):
            pass


def test_a_search_trial_that_never_started_is_reported_so(tmp_path):
    with pytest.raises(SourceNotReady, match="never started"):
        with source_checkpoint(str(tmp_path / "t000")):
            pass


def test_labels_carry_the_search_trials_axes_params_and_seed():
    labels = source_labels("t002_method=em-darts", {"method": "em-darts"}, {"optim.lr": 0.1}, 4)
    assert labels == {"source": "t002_method=em-darts", "source.method": "em-darts", "source.optim.lr": 0.1,
                      "source.seed": 4}
