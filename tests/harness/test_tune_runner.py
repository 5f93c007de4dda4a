"""End-to-end sweeps on a local Ray (started once for the module, 2 CPUs) with a tiny NB201 supernet on the
embedded digits data: Parquet rows, a failing trial, a trial killed mid-run, a driver killed mid-sweep."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main
from harness.parquet import collect
from harness.trainables import TRAINABLES, TrainableSpec
from searchcore.methods.resolve import resolve_config
from searchcore.search import NullReporter, search_trainable
from tests.helpers.fake_data import write_cifar10

REPO = Path(__file__).resolve().parents[2]
TINY = {"supernet.channels": 4, "supernet.cells_per_stage": 1, "data.batch_size": 32,
        "data.limit_train_images": 128, "data.max_batches": 2, "data.eval_batches": 1, "threads": 1}
TIMING = {"epoch_seconds", "images_per_second", "peak_memory_mb"}


pytestmark = pytest.mark.usefixtures("local_ray")


def sweep_file(tmp_path: Path, body: str, epochs: int = 2, **fixed) -> Path:
    tiny = ", ".join(f"{k}: {v}" for k, v in {**TINY, **fixed}.items())
    path = tmp_path / "sweep.yaml"
    path.write_text(f"name: s\nspace: nb201\ndataset: digits\nepochs: {epochs}\nset: {{{tiny}}}\n"
                    + textwrap.dedent(body))
    return path


def direct(method: str = "darts", seed: int = 0, epochs: int = 2) -> dict:
    """The same trial without Ray: searchcore's trainable with a NullReporter."""
    cfg = resolve_config(method, "nb201", "digits", {**TINY, "epochs": epochs, "seed": seed})
    return search_trainable(cfg.model_dump(mode="json"), NullReporter())


def assert_same_metrics(a: dict, b: dict) -> None:
    for key, value in a.items():
        if key in TIMING or key not in b:
            continue
        if isinstance(value, float) and value is not None and b[key] is not None:
            assert math.isclose(value, b[key], rel_tol=0, abs_tol=1e-6), (key, value, b[key])
        else:
            assert value == b[key], (key, value, b[key])


def test_grid_2x2_writes_both_parquet_files_with_the_expected_rows(tmp_path, capsys):
    path = sweep_file(tmp_path, "grid:\n  method: [darts, em-darts]\n  seed: [0, 1]\nmax_concurrent: 2\n")
    assert main(["run", str(path), "--storage", str(tmp_path / "res")]) == 0
    out = capsys.readouterr().out
    exp = tmp_path / "res" / "s"
    assert f"results: {exp / 'trials.parquet'}" in out and "summary" in out
    trials = pd.read_parquet(exp / "trials.parquet")
    epochs = pd.read_parquet(exp / "epochs.parquet")
    assert list(trials["trial_id"]) == ["t000_method=darts,seed=0", "t001_method=darts,seed=1",
                                        "t002_method=em-darts,seed=0", "t003_method=em-darts,seed=1"]
    assert (trials["status"] == "TERMINATED").all() and trials["error"].isna().all()
    assert len(epochs) == 4 * 2 and not epochs.duplicated(["trial_id", "epoch"]).any()
    for col in ("seed", "method", "method.mutation.p_max", "supernet.channels", "val_acc", "genotype", "arch",
                "git_commit", "versions.torch", "host", "wall_seconds"):
        assert trials[col].notna().all(), col
    assert list(trials["method.mutation.p_max"]) == [0.0, 0.0, 0.2, 0.2]
    # the harness passes the config faithfully: a trial's final metrics equal a run without Ray
    assert_same_metrics(trials.iloc[2].to_dict(), direct("em-darts", 0))
    # collect rebuilds the same files from the trials' own outputs; twice gives the same
    before = trials.copy()
    collect(str(exp))
    collect(str(exp))
    pd.testing.assert_frame_equal(before, pd.read_parquet(exp / "trials.parquet"))
    pd.testing.assert_frame_equal(epochs, pd.read_parquet(exp / "epochs.parquet"))
    # the table groups by the swept keys except seed
    assert main(["table", str(exp), "--metrics", "val_acc"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "| method | n | val_acc |" and len(table) == 4


def test_a_failing_trial_fails_alone_and_resume_retries_it(tmp_path, capsys):
    root = write_cifar10(tmp_path / "cifar")  # CIFAR-10's files are there (checked before trials start) but
    for batch in (root / "cifar-10-batches-py").iterdir():  # damaged: those trials fail when they read them
        batch.write_bytes(b"not a batch")
    path = sweep_file(tmp_path, f"zip:\n  - dataset: [digits, cifar10]\n    data.root: [null, {root}]\n"
                      "grid:\n  seed: [0, 1]\n")
    assert main(["run", str(path), "--storage", str(tmp_path / "res")]) == 1
    exp = tmp_path / "res" / "s"
    trials = pd.read_parquet(exp / "trials.parquet").set_index("trial_id")
    assert dict(trials["status"]) == {"t000_dataset=digits,seed=0": "TERMINATED",
                                      "t001_dataset=digits,seed=1": "TERMINATED",
                                      "t002_dataset=cifar10,seed=0": "ERROR", "t003_dataset=cifar10,seed=1": "ERROR"}
    error = trials.loc["t002_dataset=cifar10,seed=0", "error"]
    assert error.startswith("ValueError: ") and "data_batch_1: not a readable batch file" in error
    assert "Traceback" in (exp / "t002_dataset=cifar10,seed=0" / "errors.txt").read_text()
    assert len(pd.read_parquet(exp / "epochs.parquet")) == 2 * 2
    assert "2 of 4 trials did not finish" in capsys.readouterr().err
    # the cause fixed, resume retries the errored trials only
    write_cifar10(root)
    assert main(["resume", str(exp)]) == 0
    trials = pd.read_parquet(exp / "trials.parquet").set_index("trial_id")
    assert (trials["status"] == "TERMINATED").all() and trials["error"].isna().all()
    assert list(trials["attempts"]) == [1, 1, 2, 2]
    assert len(pd.read_parquet(exp / "epochs.parquet")) == 4 * 2


# ---------------------------------------------------------------- a trial process killed mid-run


def crash_once(config: dict, reporter) -> dict:
    """search_trainable whose process dies right after epoch 1's checkpoint, on the first attempt only."""
    first_attempt = reporter.outputs.status.get("attempt") == 1

    class Dying:
        def report(self, metrics, checkpoint_dir=None):
            reporter.report(metrics, checkpoint_dir)
            if first_attempt and metrics["epoch"] == 1:
                os._exit(1)  # like a killed process or a lost node: no exception, no cleanup

        def restore_dir(self):
            return reporter.restore_dir()

    return search_trainable(config, Dying())


if "crash-once" not in TRAINABLES:
    search = TRAINABLES.get("search")
    TRAINABLES.register("crash-once", TrainableSpec(
        "crash-once", f"{__name__}:crash_once", search.resolve, search.keys, search.model, path_keys=search.path_keys))


def test_a_killed_trial_restarts_from_its_checkpoint_and_ends_as_an_uninterrupted_run(tmp_path):
    path = sweep_file(tmp_path, "trainable: crash-once\nmax_failures: 1\n", epochs=3, seed=3)
    assert main(["run", str(path), "--storage", str(tmp_path / "res")]) == 0
    exp = tmp_path / "res" / "s"
    trial_dir = exp / "t000"
    status = json.loads((trial_dir / "status.json").read_text())
    assert status["status"] == "TERMINATED" and status["attempt"] == 2
    lines = [json.loads(x) for x in (trial_dir / "metrics.jsonl").read_text().splitlines()]
    assert [(r["epoch"], r["attempt"]) for r in lines] == [(1, 1), (2, 2), (3, 2)]  # resumed after epoch 1
    trials = pd.read_parquet(exp / "trials.parquet")
    assert len(pd.read_parquet(exp / "epochs.parquet")) == 3
    assert_same_metrics(trials.iloc[0].to_dict(), direct("darts", 3, epochs=3))


# ---------------------------------------------------------------- the driver killed mid-sweep


def _wait_for(condition, timeout: float = 180.0) -> None:
    start = time.time()
    while not condition():
        assert time.time() - start < timeout, "timed out waiting for the driver"
        time.sleep(0.2)


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_resume_finishes_a_sweep_whose_driver_was_killed(tmp_path):
    path = sweep_file(tmp_path, "grid:\n  seed: [0, 1, 2]\nmax_concurrent: 1\n", epochs=6)
    exp = tmp_path / "res" / "s"
    env = {**os.environ, "TUNE_GLOBAL_CHECKPOINT_S": "0.5", "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    driver = subprocess.Popen([sys.executable, "-m", "harness.cli", "run", str(path), "--storage",
                               str(tmp_path / "res"), "--num-cpus", "1"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        first = exp / "t000_seed=0" / "status.json"
        _wait_for(lambda: first.exists() and "TERMINATED" in first.read_text())
        _wait_for(lambda: _lines(exp / "t001_seed=1" / "metrics.jsonl") >= 2)
        time.sleep(0.8)  # let Tune's 0.5 s experiment snapshot record epoch 2's checkpoint
    finally:  # the driver and the local Ray it started (its process group), at once and without warning
        os.killpg(driver.pid, signal.SIGKILL)
        driver.wait()
    assert not (exp / "trials.parquet").exists()
    assert main(["resume", str(exp)]) == 0
    trials = pd.read_parquet(exp / "trials.parquet")
    epochs = pd.read_parquet(exp / "epochs.parquet")
    assert (trials["status"] == "TERMINATED").all() and len(trials) == 3
    assert sorted(zip(epochs["trial_id"], epochs["epoch"])) == sorted(
        (t, e) for t in trials["trial_id"] for e in range(1, 7))
    done_first = json.loads((exp / "t000_seed=0" / "status.json").read_text())
    assert done_first["attempt"] == 1 and _lines(exp / "t000_seed=0" / "metrics.jsonl") == 6  # not rerun
    resumed = [json.loads(x) for x in (exp / "t001_seed=1" / "metrics.jsonl").read_text().splitlines()]
    assert min(r["epoch"] for r in resumed if r["attempt"] == 2) > 1  # continued from a checkpoint
    for _, row in trials.iterrows():
        assert_same_metrics(row.to_dict(), direct("darts", int(row["seed"]), epochs=6))


def test_a_trial_that_cannot_fit_the_local_machine_is_refused(tmp_path):
    from harness.errors import CliError
    from harness.sweepfile.load import load_sweep
    from harness.tune_runner import Session, check_cluster

    sweep = load_sweep(sweep_file(tmp_path, "resources: {cpu: 1, gpu: 0.5}\n"))
    with pytest.raises(CliError, match=r"resources.gpu: 0.5 but this machine offers 0"):
        check_cluster(sweep, Session(connected_here=True, nodes=1, local=True))
    check_cluster(sweep, Session(connected_here=True, nodes=1, local=False))  # a cluster may still add GPU nodes



def test_a_diverging_trial_fails_alone_and_is_not_retried(tmp_path, capsys):
    """lr 1e6 turns every loss NaN: that trial ends DIVERGED at epoch 1 with no result row and no retry,
    the other trial of the sweep finishes, and the table leaves the diverged one out."""
    path = sweep_file(tmp_path, "grid:\n  optim.lr: [0.025, 1.0e+6]\nmax_failures: 2\n", epochs=1,
                      **{"optim.grad_clip": "null"})
    assert main(["run", str(path), "--storage", str(tmp_path / "res")]) == 0
    err = capsys.readouterr().err
    trials = pd.read_parquet(tmp_path / "res" / "s" / "trials.parquet")
    epochs = pd.read_parquet(tmp_path / "res" / "s" / "epochs.parquet")
    assert list(trials["status"]) == ["TERMINATED", "DIVERGED"]
    assert trials["error"].iloc[1].startswith("DivergedError: diverged at epoch 1 (")
    assert list(trials["attempts"]) == [1, 1]  # deterministic: never retried
    assert list(epochs["trial_id"]) == [trials["trial_id"].iloc[0]]  # no NaN row
    assert "DIVERGED" in err
