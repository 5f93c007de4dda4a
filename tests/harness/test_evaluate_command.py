"""`dartsweep evaluate` from the command line (no Ray): progress and summary, resume, one-line errors."""

from __future__ import annotations

import json

import pytest

from harness.cli import main

TINY = ["--set", "network.layers=3", "--set", "network.channels=4", "--set", "data.batch_size=16",
        "--set", "data.limit_train_images=64", "--set", "data.max_batches=2", "--set", "data.eval_batches=1"]


def test_a_tiny_evaluation_prints_progress_and_a_summary_and_resumes(tmp_path, capsys):
    args = ["evaluate", "--space", "darts", "--genotype", "DARTS_V2", "--dataset", "digits", "--protocol", "cpu-demo",
            "--epochs", "2", "--out", str(tmp_path), *TINY]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "evaluate: protocol=cpu-demo space=darts dataset=digits epochs=2" in out and "NetworkCIFAR" in out
    assert "epoch 1/2 | train " in out and "| test " in out and "| drop 0.000 |" in out and "| drop 0.050 |" in out
    assert "summary" in out and "test_acc" in out and "params_m" in out
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [1, 2] and (tmp_path / "checkpoint" / "state.pt").exists()
    capsys.readouterr()
    assert main([*args, "--resume"]) == 0  # the same run, already at its end: nothing trained, nothing added
    assert "summary" in capsys.readouterr().out
    assert len((tmp_path / "metrics.jsonl").read_text().splitlines()) == 2
    # never replaced or continued with another config silently
    assert main(args) == 2
    assert "already holds a run" in capsys.readouterr().err
    assert main([*args[:-len(TINY)], "--set", "epochs=3", *TINY, "--resume"]) == 2
    err = capsys.readouterr().err
    assert "--resume: the config differs" in err and "epochs: 2 -> 3" in err
    assert main([*args[:-len(TINY)], "--set", "epochs=3", *TINY, "--overwrite"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [1, 2, 3]


@pytest.mark.parametrize(("args", "needle"), [
    (["--space", "darts", "--genotype", "DARTS_V9"], "architecture: not a genotype: 'DARTS_V9'; give a name (DARTS_V1"),
    (["--space", "darts", "--genotype", "Genotype(normal=[('sep_conv_3x3', 0)"], "architecture: not a genotype"),
    (["--space", "s2", "--genotype", "DARTS_V2"], "s2 allows skip_connect, sep_conv_3x3 there"),
    (["--space", "nb201", "--genotype", "|nor_conv_3x3~0|", "--protocol", "nb201"],
     "architecture: not an NB201 arch string"),
    (["--space", "darts", "--genotype", "Genotype(normal=[('sep_conv_3x3', 0)], normal_concat=[2], reduce=[], "
      "reduce_concat=[2])"], "cannot build the network of Genotype"),
    (["--space", "dart", "--genotype", "DARTS_V2"], "unknown search space 'dart'; allowed:"),
    (["--space", "darts", "--genotype", "DARTS_V2", "--protocol", "darts-cifar10"],
     "unknown evaluation protocol 'darts-cifar10'; allowed: cpu-demo, darts-cifar"),
    (["--space", "nb201", "--genotype", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"],
     "protocol 'darts-cifar' trains darts-family networks, but space 'nb201' is nb201-family"),
    (["--space", "darts", "--genotype", "DARTS_V2", "--set", "network.drop_path=1.5"], "network.drop_path"),
    (["--space", "darts", "--genotype", "DARTS_V2", "--set", "optim.schedul=cosine"], "optim.schedul"),
])
def test_user_mistakes_are_one_line_errors(args, needle, capsys, tmp_path):
    dataset = [] if "--dataset" in args else ["--dataset", "digits"]
    assert main(["evaluate", *args, *dataset, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1 and err.startswith("dartsweep evaluate: error:"), err
    assert not (tmp_path / "out").exists()


def test_a_missing_data_root_writes_nothing(capsys, tmp_path):
    assert main(["evaluate", "--space", "darts", "--genotype", "DARTS_V2", "--dataset", "cifar10",
                 "--out", str(tmp_path / "out")]) == 2
    assert "cifar-10-batches-py/data_batch_1" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_print_config_and_methods_list_the_protocols(capsys):
    assert main(["evaluate", "--space", "darts", "--genotype", "DARTS_V2", "--dataset", "cifar10",
                 "--protocol", "em-darts-cifar", "--print-config"]) == 0
    out = capsys.readouterr().out
    assert "batch_size: 128" in out and "protocol: em-darts-cifar" in out and "architecture: DARTS_V2" in out
    assert main(["methods"]) == 0
    out = capsys.readouterr().out
    assert "evaluation protocols" in out and "darts-imagenet [darts spaces]" in out and "A.5.2" in out
