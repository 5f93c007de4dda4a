"""Issue 13 item 8: nothing changes silently. ``search --out`` never replaces or continues another config's run,
a select sweep refuses ``method:``, a cut-off ``metrics.jsonl`` is named by ``collect``, ``epochs: yes`` is text."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from harness.cli import main
from harness.errors import SweepError
from harness.parquet import collect
from harness.saved_sweep import save_sweep
from harness.sweepfile.load import load_sweep
from tests.harness.fake_trials import fake_search, fake_sweep, run_fake

pytestmark = pytest.mark.reliability

TINY = ["--set", "supernet.channels=4", "--set", "supernet.cells_per_stage=1", "--set", "data.max_batches=1"]


def search(out, *extra: str) -> list[str]:
    return ["search", "--epochs", "1", *TINY, "--out", str(out), *extra]


def test_search_refuses_an_existing_run_then_resumes_or_overwrites_it_as_told(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(search(out)) == 0
    metrics = (out / "metrics.jsonl").read_text()
    capsys.readouterr()
    assert main(search(out)) == 2  # the same command again: refused, the first run untouched
    err = capsys.readouterr().err.strip()
    assert err == (f"dartsweep search: error: --out {out} already holds a run (config.yaml, metrics.jsonl, "
                   "checkpoint): continue it with --resume, replace it with --overwrite, or pass another --out")
    assert (out / "metrics.jsonl").read_text() == metrics

    assert main(search(out, "--resume", "--set", "optim.lr=0.1")) == 2  # another config: refused, keys named
    err = capsys.readouterr().err.strip()
    assert f"--resume: the config differs from {out / 'config.yaml'} (optim.lr: 0.025 -> 0.1)" in err
    assert "config.yaml" in err and len(err.splitlines()) == 1
    assert "lr: 0.025" in (out / "config.yaml").read_text()  # not overwritten

    assert main(search(out, "--resume")) == 0  # the same config: continues (here: already at the last epoch)
    assert (out / "metrics.jsonl").read_text() == metrics

    assert main(search(out, "--overwrite", "--set", "optim.lr=0.1")) == 0
    assert "lr: 0.1" in (out / "config.yaml").read_text()
    assert [json.loads(line)["epoch"] for line in (out / "metrics.jsonl").read_text().splitlines()] == [1]


def test_resume_without_a_checkpoint_says_it_starts_at_epoch_one(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(search(out, "--resume")) == 0
    assert f"no checkpoint in {out / 'checkpoint'} yet; starting at epoch 1" in capsys.readouterr().out


@pytest.mark.parametrize(("body", "needle"), [
    ("trainable: select\nmethod: em-darts\nset: {checkpoint: ck}\n", "trainable 'select' takes no 'method'"),
    ("trainable: select\ndataset: cifar10\nset: {checkpoint: ck}\n", "trainable 'select' takes no 'dataset'"),
    ("trainable: random\nprotocol: nb201\n", "trainable 'random' takes no 'protocol'"),
])
def test_an_axis_the_trainable_does_not_take_is_refused_not_ignored(tmp_path, body, needle):
    (tmp_path / "x.yaml").write_text("name: p\n" + body)
    with pytest.raises(SweepError, match=needle):
        load_sweep(tmp_path / "x.yaml")


def test_select_sweeps_without_axes_still_load(tmp_path):
    (tmp_path / "x.yaml").write_text("name: p\ntrainable: select\nset: {checkpoint: ck}\ngrid: {rule: [pt, pt-mag]}\n")
    assert len(load_sweep(tmp_path / "x.yaml").trials) == 2


def test_epochs_yes_is_text_not_one(tmp_path):
    (tmp_path / "x.yaml").write_text("name: s\nepochs: yes\n")
    with pytest.raises(SweepError, match=r"x.yaml:2: epochs: .*valid integer.*\(got 'yes'\)"):
        load_sweep(tmp_path / "x.yaml")


def test_a_cut_off_metrics_line_is_named_and_the_complete_rows_are_used(tmp_path, caplog):
    exp = str(tmp_path)
    sweep = fake_sweep(1)
    save_sweep(sweep, exp, {})
    trial = sweep.trials[0]
    run_fake(exp, trial, fake_search(3))
    path = tmp_path / trial.trial_id / "metrics.jsonl"
    text = path.read_text()
    path.write_text(text[: text.rindex("\n", 0, len(text) - 1) + 1] + text.splitlines()[-1][:25])  # epoch 3 cut
    with caplog.at_level(logging.WARNING, logger="dartsweep.collect"):
        epochs_path, _, trials = collect(exp)
    warning = [r.getMessage() for r in caplog.records if r.name == "dartsweep.collect"]
    assert len(warning) == 1
    assert warning[0].startswith(f"{path}:3: the last line is cut off")
    assert "using the 2 complete row(s) before it (last complete row: epoch 2)" in warning[0]
    assert list(pd.read_parquet(epochs_path)["epoch"]) == [1, 2]
    assert trials.loc[0, "epochs_done"] == 2 and trials.loc[0, "epoch"] == 2
