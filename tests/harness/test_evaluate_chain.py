"""Search -> evaluation on local Ray (tiny NB201 supernet, embedded digits): each evaluation trial trains the
final architecture of its own search trial, and the results carry the search trial's id and labels."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main

pytestmark = pytest.mark.usefixtures("local_ray")

SEARCH_TINY = ("{supernet.channels: 4, supernet.cells_per_stage: 1, data.batch_size: 16, data.limit_train_images: 64, "
               "data.max_batches: 2, data.eval_batches: 1, threads: 1}")
EVAL_TINY = ("{network.layers: 1, network.channels: 4, data.batch_size: 16, data.limit_train_images: 64, "
             "data.max_batches: 2, data.eval_batches: 1, epochs: 2}")


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(body))
    return path


def test_a_search_sweep_chained_into_evaluation(tmp_path, capsys):
    search = write(tmp_path, "search", f"""\
        name: search
        space: nb201
        dataset: digits
        epochs: 1
        set: {SEARCH_TINY}
        grid:
          method: [em-darts]
        """)
    evaluate = write(tmp_path, "evaluate", f"""\
        name: ev
        trainable: evaluate
        protocol: cpu-demo
        after: {{sweep: search}}
        set: {EVAL_TINY}
        """)
    storage = tmp_path / "res"
    assert main(["run", str(search), str(evaluate), "--storage", str(storage)]) == 0
    out = capsys.readouterr().out
    assert "epoch 2/2 | train " in out and "| test " in out  # the evaluation's progress lines
    searched = pd.read_parquet(storage / "search" / "trials.parquet").set_index("trial_id")
    trials = pd.read_parquet(storage / "ev" / "trials.parquet")
    epochs = pd.read_parquet(storage / "ev" / "epochs.parquet")
    assert list(trials["trial_id"]) == ["t000_src=t000"] and (trials["status"] == "TERMINATED").all()
    assert list(trials["source.method"]) == ["em-darts"] and list(trials["space"]) == ["nb201"]
    for _, row in trials.iterrows():  # each trained its own search trial's final architecture
        assert row["genotype"] == searched.loc[row["source"], "genotype"]
        assert row["network"] == "NB201Network" and 0 <= row["test_acc"] <= 100
    assert len(epochs) == 2 and set(epochs["kind"]) == {"eval"}
    capsys.readouterr()
    assert main(["table", str(storage / "ev"), "--by", "source.method", "--metrics", "test_acc"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "| source.method | n | test_acc |"
