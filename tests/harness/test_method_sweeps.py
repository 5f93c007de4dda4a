"""Methods and selection as harness trials (local Ray, tiny NB201 supernet, embedded digits): every preset,
an EM-DARTS grid over p_max x growth x seeds, and a search sweep chained into a DARTS-PT selection sweep."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main
from searchcore.methods.presets import PRESETS

TINY = ("{supernet.channels: 4, supernet.cells_per_stage: 1, data.batch_size: 16, data.limit_train_images: 64, "
        "data.max_batches: 2, data.eval_batches: 1, threads: 1}")


pytestmark = pytest.mark.usefixtures("local_ray")


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(body))
    return path


def read(storage: Path, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_parquet(storage / name / "trials.parquet"), pd.read_parquet(storage / name / "epochs.parquet")


def test_every_preset_runs_as_a_harness_trial(tmp_path):
    presets = PRESETS.names()
    # IS-DARTS prunes once, after epoch 1 of 2; the other presets run one epoch (the shrink keys are inert there)
    epochs = [2 if p == "is-darts" else 1 for p in presets]
    path = write(tmp_path, "presets", f"""\
        name: presets
        space: nb201
        dataset: digits
        set: {TINY[:-1]}, method.shrink.steps: 1, method.shrink.interval: 1, method.shrink.samples: 8}}
        zip:
          - method: {presets}
            epochs: {epochs}
        max_concurrent: 2
        """)
    storage = tmp_path / "res"
    assert main(["run", str(path), "--storage", str(storage)]) == 0
    trials, epochs_df = read(storage, "presets")
    assert list(trials["method"]) == presets and (trials["status"] == "TERMINATED").all()
    assert list(trials["method.name"]) == presets  # each trial ran its own preset, not the sweep's default
    assert list(trials["epochs_done"]) == epochs and len(epochs_df) == sum(epochs)
    assert trials["arch"].str.count("~").eq(6).all()
    assert trials.set_index("method").loc["is-darts", "activation"] == "uniform"
    pruning = epochs_df[epochs_df["method"] == "is-darts"].set_index("epoch")
    assert pruning.loc[1, "phase"] == "shrink" and pruning.loc[1, "shrink_step"] == 1


def test_an_em_darts_grid_over_p_max_growth_and_seeds_expands_and_runs(tmp_path, capsys):
    path = write(tmp_path, "em", f"""\
        name: em
        method: em-darts
        space: nb201
        dataset: digits
        epochs: 2
        set: {TINY[:-1]}, method.mutation.ramp_epochs: 2}}
        grid:
          method.mutation.p_max: [0.2, 1.0]
          method.mutation.growth: [linear, fixed]
          seed: [0, 1]
        max_concurrent: 2
        """)
    storage = tmp_path / "res"
    assert main(["run", str(path), "--storage", str(storage)]) == 0
    trials, epochs = read(storage, "em")
    assert len(trials) == 8 and (trials["status"] == "TERMINATED").all() and len(epochs) == 16
    assert trials["trial_id"].iloc[0] == "t000_p_max=0.2,growth=linear,seed=0"
    # the schedule each trial ran: linear grows from 0 over the 2-epoch ramp (0, p_max/2), fixed holds p_max
    for _, row in epochs.iterrows():
        p_max = row["method.mutation.p_max"]
        expected = p_max * (row["epoch"] - 1) / 2 if row["method.mutation.growth"] == "linear" else p_max
        assert row["p"] == pytest.approx(expected), (row["trial_id"], row["epoch"])
    always = epochs[(epochs["method.mutation.p_max"] == 1.0) & (epochs["method.mutation.growth"] == "fixed")]
    assert len(always) == 4 and (always["mutation_rate"] == 1.0).all()
    capsys.readouterr()
    assert main(["table", str(storage / "em"), "--metrics", "val_acc"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "| method.mutation.p_max | method.mutation.growth | n | val_acc |" and len(table) == 6


def test_a_search_sweep_chained_into_pt_selection(tmp_path, capsys):
    search = write(tmp_path, "search", f"""\
        name: search
        space: nb201
        dataset: digits
        epochs: 1
        set: {TINY}
        grid:
          method: [darts, em-darts]
        """)
    select = write(tmp_path, "select", """\
        name: pt
        trainable: select
        after: {sweep: search}
        set: {tune_epochs: 1, eval_batches: 1, eval_after_tune: false, data.max_batches: 1}
        grid:
          rule: [pt]
        """)
    storage = tmp_path / "res"
    assert main(["run", str(search), str(select), "--storage", str(storage)]) == 0
    out = capsys.readouterr().out
    assert f"results: {storage / 'pt' / 'trials.parquet'}" in out
    trials, rows = read(storage, "pt")
    assert list(trials["trial_id"]) == ["t000_src=t000,rule=pt", "t001_src=t001,rule=pt"]
    assert (trials["status"] == "TERMINATED").all()
    assert list(trials["source.method"]) == ["darts", "em-darts"]
    assert list(trials["supernet_method"]) == ["darts", "em-darts"]  # each started from its own search trial
    decisions = rows[rows["kind"] == "decision"]
    assert decisions.groupby("trial_id")["edge"].apply(sorted).map(list).tolist() == [list(range(6))] * 2
    assert trials["arch"].str.count("~").eq(6).all()
    capsys.readouterr()
    assert main(["table", str(storage / "pt"), "--metrics", "val_acc", "n_skip"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("| source.method | rule | n | val_acc |")
