"""``seeds_per_trial``: grouping, the refusals at their sweep-file line, a fused sweep on a local Ray whose Parquet
rows are those of the same seeds run one per trial (plus the fused-trial id), and chaining from a fused seed."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from harness.chain import source_checkpoint
from harness.cli import main
from harness.errors import SweepError
from harness.sweepfile.fusing import fused_groups
from harness.sweepfile.load import load_sweep

TINY = {"supernet.channels": 4, "supernet.cells_per_stage": 1, "data.batch_size": 32,
        "data.limit_train_images": 128, "data.max_batches": 2, "data.eval_batches": 1, "threads": 1}
FUSED_COLUMNS = {"fused_trial", "fused_seeds", "fused_epoch_seconds"}


def sweep_file(tmp_path: Path, body: str, name: str = "s") -> Path:
    tiny = ", ".join(f"{k}: {v}" for k, v in TINY.items())
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nspace: nb201\ndataset: digits\nepochs: 2\nset: {{{tiny}}}\n"
                    + textwrap.dedent(body))
    return path


def test_trials_differing_in_their_seed_alone_are_grouped_in_order(tmp_path):
    sweep = load_sweep(sweep_file(tmp_path, "grid:\n  method: [darts, em-darts]\n  seed: [0, 1, 2]\n"
                                  "seeds_per_trial: 2\n"))
    groups = fused_groups(sweep.trials, 2)
    assert [[t.trial_id for t in g.members] for g in groups] == [
        ["t000_method=darts,seed=0", "t001_method=darts,seed=1"], ["t002_method=darts,seed=2"],
        ["t003_method=em-darts,seed=0", "t004_method=em-darts,seed=1"], ["t005_method=em-darts,seed=2"]]
    assert [g.trial_id for g in groups][:2] == ["t000_method=darts,seed=0-fused2", "t002_method=darts,seed=2-fused1"]
    assert len(sweep.trials) == 6  # the trials themselves are those of the sweep without fusing


@pytest.mark.parametrize(("body", "message"), [
    ("grid:\n  method: [darts]\nseeds_per_trial: 2\n", "folds the seed axis"),
    ("method: darts-2nd\ngrid:\n  seed: [0, 1]\nseeds_per_trial: 2\n", "second-order"),
    ("grid:\n  seed: [0, 1]\nseeds_per_trial: 2\nscheduler: {name: asha, metric: val_acc, mode: max}\n",
     "a scheduler stops trials one by one"),
    ("grid:\n  seed: [0, 1]\nseeds_per_trial: 0\n", "seeds_per_trial"),
])
def test_what_cannot_run_fused_is_refused_at_its_line(tmp_path, body, message):
    path = sweep_file(tmp_path, body)
    with pytest.raises(SweepError, match=message) as err:
        load_sweep(path)
    assert str(err.value).startswith(f"{path}:")


def test_a_trainable_without_a_fused_path_is_refused(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text("name: e\ntrainable: evaluate\nprotocol: cpu-demo\nspace: nb201\ndataset: digits\n"
                    "grid:\n  architecture: ['|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|"
                    "nor_conv_3x3~1|nor_conv_3x3~2|']\n  seed: [0, 1]\nseeds_per_trial: 2\n")
    with pytest.raises(SweepError, match="runs one seed per trial; fused seeds are for: search"):
        load_sweep(path)


@pytest.mark.usefixtures("local_ray")
def test_a_fused_sweep_writes_the_rows_of_its_seeds_run_one_per_trial(tmp_path):
    grid = "grid:\n  method: [darts, em-darts]\n  seed: [0, 1, 2]\n"
    assert main(["run", str(sweep_file(tmp_path, grid, "alone")), "--storage", str(tmp_path / "res")]) == 0
    assert main(["run", str(sweep_file(tmp_path, grid + "seeds_per_trial: 2\n", "fused")),
                 "--storage", str(tmp_path / "res")]) == 0
    alone_trials = pd.read_parquet(tmp_path / "res" / "alone" / "trials.parquet")
    fused_trials = pd.read_parquet(tmp_path / "res" / "fused" / "trials.parquet")
    alone_epochs = pd.read_parquet(tmp_path / "res" / "alone" / "epochs.parquet")
    fused_epochs = pd.read_parquet(tmp_path / "res" / "fused" / "epochs.parquet")
    assert list(fused_trials["trial_id"]) == list(alone_trials["trial_id"])
    assert (fused_trials["status"] == "TERMINATED").all()
    assert set(fused_trials.columns) - set(alone_trials.columns) == FUSED_COLUMNS
    assert set(alone_trials.columns) - set(fused_trials.columns) <= {"error"}
    assert set(fused_epochs.columns) - set(alone_epochs.columns) == FUSED_COLUMNS
    assert len(fused_epochs) == len(alone_epochs) == 6 * 2
    assert list(fused_trials["fused_trial"]) == ["t000_method=darts,seed=0-fused2"] * 2 + \
        ["t002_method=darts,seed=2-fused1"] + ["t003_method=em-darts,seed=0-fused2"] * 2 + \
        ["t005_method=em-darts,seed=2-fused1"]
    # to float32 rounding (tests/searchcore/fused pins exact agreement in float64): the first epoch's losses
    for (_, a), (_, b) in zip(alone_epochs[alone_epochs.epoch == 1].iterrows(),
                              fused_epochs[fused_epochs.epoch == 1].iterrows()):
        assert a["trial_id"] == b["trial_id"]
        for key in ("train_loss", "arch_loss"):
            assert math.isclose(a[key], b[key], rel_tol=1e-4), (a["trial_id"], key, a[key], b[key])
    # a seed's status names its group, so a chained selection finds its checkpoint there
    member = tmp_path / "res" / "fused" / "t001_method=darts,seed=1"
    status = json.loads((member / "status.json").read_text())
    assert (status["fused_trial"], status["fused_index"]) == ("t000_method=darts,seed=0-fused2", 1)
    with source_checkpoint(str(member)) as checkpoint:
        assert checkpoint.endswith("seed_1") and (Path(checkpoint) / "state.pt").exists()
