"""`dartsweep table`: the best of N from the command line, and default groups that aggregate over seeds and the
source trials of chained sweeps (so an evaluation after a DARTS-PT selection still averages over its seeds)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from harness.cli import main
from harness.commands.run import load_all
from harness.commands.table import default_by, is_replicate
from harness.saved_sweep import save_sweep

SWEEPS = Path(__file__).resolve().parents[2] / "sweeps"


def test_best_of_n_from_the_command_line(tmp_path, capsys):
    rows = [{"trial_id": f"t{i}", "dataset": d, "seed": i % 2, "status": "TERMINATED", "test_acc": acc,
             "params_m": p} for i, (d, acc, p) in enumerate([("cifar10", 97.0, 3.3), ("cifar10", 97.4, 3.5),
                                                             ("cifar100", 83.0, 3.4), ("cifar100", 82.0, 3.6)])]
    pd.DataFrame(rows).to_parquet(tmp_path / "trials.parquet")
    path = str(tmp_path / "trials.parquet")
    assert main(["table", path, "--by", "dataset", "--metrics", "test_acc", "params_m", "--stat", "best"]) == 0
    assert capsys.readouterr().out.splitlines()[2:] == ["| cifar10 | 2 | t1 | 97.40 | 3.50 |",
                                                        "| cifar100 | 2 | t2 | 83.00 | 3.40 |"]
    assert main(["table", path, "--by", "dataset", "--metrics", "test_acc", "--stat", "best",
                 "--rank-by", "params_m"]) == 0
    assert "| cifar10 | 2 | t1 | 97.40 |" in capsys.readouterr().out
    assert main(["table", path, "--by", "dataset", "--metrics", "test_acc"]) == 0
    assert "| cifar10 | 2 | 97.20 ± 0.28 |" in capsys.readouterr().out  # the mean stays the default


def test_default_groups_leave_out_seeds_and_source_trial_ids(tmp_path):
    assert [k for k in ("seed", "source.seed", "source", "source.source", "source.source.seed", "source.method",
                        "source.source.space", "dataset") if not is_replicate(k)] == [
        "source.method", "source.source.space", "dataset"]
    files = [SWEEPS / "darts_pt" / f for f in ("table3_search.yaml", "table3_select.yaml", "table3_eval_small.yaml")]
    evaluation = load_all([str(f) for f in files], {}, str(tmp_path))[-1]
    assert "source.source" in evaluation.swept_keys and "source.source.seed" in evaluation.swept_keys
    save_sweep(evaluation, str(tmp_path / "ev"), {})
    assert default_by(str(tmp_path / "ev")) == ["source.source.space", "source.source.dataset"]


def test_diverged_trials_are_left_out_of_the_mean_and_named(tmp_path, capsys):
    rows = [{"trial_id": "t0", "method": "darts", "status": "TERMINATED", "val_acc": 60.0},
            {"trial_id": "t1", "method": "darts", "status": "DIVERGED", "val_acc": None,
             "error": "DivergedError: diverged at epoch 1 (val_loss=nan)"}]
    pd.DataFrame(rows).to_parquet(tmp_path / "trials.parquet")
    assert main(["table", str(tmp_path / "trials.parquet"), "--by", "method", "--metrics", "val_acc"]) == 0
    out, err = capsys.readouterr()
    assert "| darts | 1 | 60.00 |" in out
    assert "not counted: t1 DIVERGED (DivergedError: diverged at epoch 1 (val_loss=nan))" in err
