"""What Ray sees of a sweep (issue 13.4): each trial's swept values in Tune's config, a sweep's ``scheduler`` /
``search_alg`` / ``callbacks`` built from their registries; and the compact trials of large sweeps (13.11).

Unit tests need no Ray session; the two sweeps run the ``fast`` fake trainable (no torch) on the module's local Ray.
Bad scheduler / search_alg / callbacks keys: tests/reliability/test_malformed_inputs.py (one line, nothing written).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main
from harness.saved_sweep import load_saved, trials_json
from harness.sweepfile.load import load_sweep
from harness.sweepfile.model import Trial, apply_changes, config_changes
from tests.harness.fake_trials import register_fast

register_fast()


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(body))
    return path


def test_tune_config_holds_each_trial_id_axes_and_swept_values_as_json_scalars(tmp_path):
    from harness.tune_runner import SweepTrials, hyperparameters, tune_config

    sweep = load_sweep(write(tmp_path, """\
        name: s
        grid:
          method: [darts, em-darts]
          optim.lr: [0.01, 0.1]
        zip:
          - method.arch_optim.betas: [[0.5, 0.999], [0.9, 0.999]]
            data.limit_train_images: [null, 64]
        """))
    first = hyperparameters(sweep.trials[0])
    assert first == {"trial_id": sweep.trials[0].trial_id, "method": "darts", "space": "nb201", "dataset": "digits",
                     "optim.lr": 0.01, "method.arch_optim.betas": "[0.5, 0.999]", "data.limit_train_images": None}
    assert hyperparameters(sweep.trials[7])["data.limit_train_images"] == 64
    config, param_space = tune_config(sweep)
    assert isinstance(config.search_alg, SweepTrials) and param_space == {} and config.num_samples == 8
    searcher = config.search_alg
    proposed = [searcher.suggest(f"x{i}") for i in range(9)]
    assert proposed[:8] == [hyperparameters(t) for t in sweep.trials] and proposed[8] == SweepTrials.FINISHED
    state = tmp_path / "searcher.pkl"
    searcher.save(str(state))
    again = tune_config(sweep)[0].search_alg
    again.restore(str(state))  # a restored driver proposes no trial twice
    assert again.suggest("y") == SweepTrials.FINISHED


def test_scheduler_and_search_alg_are_built_from_their_registries(tmp_path):
    from ray.tune.schedulers import ASHAScheduler
    from ray.tune.search.sample import Float

    from harness.tune_runner import RandomSearch, SampledSlots, tune_config

    sweep = load_sweep(write(tmp_path, """\
        name: s
        epochs: 4
        scheduler: {name: asha, metric: val_acc, mode: max, grace_period: 2, max_t: 4}
        search_alg:
          name: random
          num_samples: 3
          seed: 7
          param_space:
            method.mutation.p_max: {uniform: [0.0, 0.5]}
            method.mutation.growth: {choice: [linear, exponential]}
        """))
    assert [t.trial_id for t in sweep.trials] == ["t000", "t001", "t002"]
    assert sweep.swept_keys == ["method.mutation.p_max", "method.mutation.growth"]
    config, param_space = tune_config(sweep)
    assert isinstance(config.scheduler, ASHAScheduler)
    assert config.scheduler._max_t == 4 and config.scheduler._metric == "val_acc"
    assert isinstance(param_space["method.mutation.p_max"], Float)
    slots = config.search_alg
    assert isinstance(slots, SampledSlots) and isinstance(slots.searcher, RandomSearch)
    slots.set_search_properties(None, None, param_space)
    first = slots.suggest("a")
    assert first["trial_id"] == "t000" and 0 <= first["method.mutation.p_max"] <= 0.5
    assert first["method.mutation.growth"] in ("linear", "exponential")
    fresh = tune_config(sweep)[0].search_alg  # seeded: the same sweep draws the same values
    fresh.set_search_properties(None, None, param_space)
    assert fresh.suggest("b") == first
    assert [slots.suggest(x)["trial_id"] for x in "cd"] == ["t001", "t002"] and slots.suggest("e") == "FINISHED"


def test_configs_are_kept_as_changes_from_one_shared_config(tmp_path):
    base = {"a": 1, "b": {"c": [1, 2], "d": {}}, "e": None, "f": {"g.h": 1}}
    other = {"a": 1.0, "b": {"c": [1, 3], "d": {"x": 1}}, "f": {"g.h": 2}, "new": True}
    changes = config_changes(base, other)
    assert apply_changes(base, changes) == other and type(apply_changes(base, changes)["a"]) is float
    assert apply_changes(base, []) == base and apply_changes(base, []) is not base
    assert base == {"a": 1, "b": {"c": [1, 2], "d": {}}, "e": None, "f": {"g.h": 1}}  # never modified
    sweep = load_sweep(write(tmp_path, "name: s\ngrid: {method: [darts, em-darts], seed: [0, 1, 2]}\n"))
    assert all(t.base is sweep.trials[0].base for t in sweep.trials)
    assert sweep.trials[0].changes == [] and {tuple(c[0]) for c in sweep.trials[1].changes} == {("seed",)}
    text = trials_json(sweep)
    assert text.count("\n") == len(sweep.trials) + 2 and text.count('"device"') == 1  # one line per trial
    again = load_saved(sweep.to_yaml(), text, "sweep.yaml")
    assert [t.config for t in again.trials] == [t.config for t in sweep.trials]
    assert again.trials[4].config["method"]["name"] == "em-darts" and again.trials[4].config["seed"] == 1
    old = json.loads(text)  # trials.json as earlier versions saved it: a whole config per trial
    old_style = {"name": "s", "swept_keys": old["swept_keys"],
                 "trials": [{**t.to_json(), "config": t.config} for t in sweep.trials]}
    for t in old_style["trials"]:
        del t["changes"]
    assert load_saved(sweep.to_yaml(), json.dumps(old_style), "sweep.yaml").trials == sweep.trials
    assert Trial(0, "t", {}, {}, {"x": 1}).to_json()["config"] == {"x": 1}


# ---------------------------------------------------------------- on Ray


@pytest.mark.usefixtures("local_ray")
def test_asha_stops_the_worse_trials_and_they_count_as_done(tmp_path, capsys):
    """One trial at a time, the best first: ASHA (rungs at 2 and 4 reports) stops every later, worse trial at its
    first rung; the sweep still exits 0 and the stopped trials say so."""
    path = write(tmp_path, """\
        name: s
        trainable: fast
        epochs: 8
        grid: {optim.lr: [0.1, 0.05, 0.02]}
        max_concurrent: 1
        scheduler: {name: asha, metric: val_acc, mode: max, grace_period: 2, max_t: 8, reduction_factor: 2}
        """)
    assert main(["run", str(path), "--storage", str(tmp_path / "res")]) == 0
    exp = tmp_path / "res" / "s"
    trials = pd.read_parquet(exp / "trials.parquet").set_index("trial_id")
    assert list(trials["status"]) == ["TERMINATED", "STOPPED", "STOPPED"]
    assert list(trials["epochs_done"]) == [8, 2, 2]
    assert trials["error"].iloc[1] == "stopped early by the scheduler after epoch 2"
    epochs = pd.read_parquet(exp / "epochs.parquet")
    assert len(epochs) == 12 and not epochs.duplicated(["trial_id", "epoch"]).any()
    # what Ray itself shows (dashboard, get_dataframe, TensorBoard HParams): the swept values, not just ids
    params = json.loads(next(exp.glob("t001*/params.json")).read_text())
    assert params == {"trial_id": "t001_lr=0.05", "method": "darts", "space": "nb201", "dataset": "digits",
                      "optim.lr": 0.05}
    assert list(exp.glob("t000*/events.out.tfevents.*"))  # what `tensorboard --logdir` reads
    assert main(["resume", str(exp)]) == 0  # stopped trials are done: nothing is rerun
    assert "FAILED" not in capsys.readouterr().out
    assert json.loads(next(exp.glob("t001*/status.json")).read_text())["attempt"] == 1


@pytest.mark.usefixtures("local_ray")
def test_a_search_alg_fills_the_slots_and_collect_shows_its_values(tmp_path):
    path = write(tmp_path, """\
        name: s
        trainable: fast
        epochs: 2
        max_concurrent: 2
        search_alg:
          name: random
          metric: val_acc
          num_samples: 3
          param_space:
            optim.lr: {loguniform: [0.001, 0.1]}
            method.mutation.growth: {choice: [linear, exponential]}
        """)
    assert main(["run", str(path), "--storage", str(tmp_path / "res")]) == 0
    exp = tmp_path / "res" / "s"
    trials = pd.read_parquet(exp / "trials.parquet")
    assert list(trials["trial_id"]) == ["t000", "t001", "t002"] and (trials["status"] == "TERMINATED").all()
    for _, row in trials.iterrows():
        ran = json.loads((exp / row["trial_id"] / "config.json").read_text())
        assert row["optim.lr"] == ran["optim"]["lr"] and 0.001 <= row["optim.lr"] <= 0.1
        assert row["method.mutation.growth"] == ran["method"]["mutation"]["growth"]
        assert row["val_acc"] == pytest.approx(100 * ran["optim"]["lr"] * 2 - ran["seed"])
    assert trials["optim.lr"].nunique() == 3
    epochs = pd.read_parquet(exp / "epochs.parquet")
    rows = sorted(zip(epochs["trial_id"], epochs["epoch"]))
    assert rows == [(t, e) for t in ("t000", "t001", "t002") for e in (1, 2)]
