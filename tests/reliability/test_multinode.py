"""A sweep on a multi-node Ray cluster, driven as a user drives one: ``dartsweep run --address`` in its own process
against a local cluster (``ray.cluster_utils.Cluster``: a head with no CPU, so every trial runs on a worker node,
and two worker nodes of one CPU each), storage a local path every node of this machine shares
(``storage_shared: true``). A worker node dies mid-sweep, then the driver is SIGKILLed and ``dartsweep resume
--address`` finishes the sweep: every (trial, epoch) row is there exactly once and the final metrics equal runs
without Ray (tiny real NB201 searches on the embedded digits data). The single-machine cases (a trial process
killed; the driver and its own Ray killed) are in tests/harness/test_tune_runner.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.harness.test_tune_runner import REPO, _lines, _wait_for, assert_same_metrics, direct, sweep_file

pytestmark = pytest.mark.reliability

EPOCHS = 4


@pytest.fixture
def cluster():
    from ray.cluster_utils import Cluster

    # a dead node is noticed within ~1.5 s instead of the default ~30 s
    head = {"num_cpus": 0, "include_dashboard": False,
            "_system_config": {"health_check_period_ms": 300, "health_check_failure_threshold": 5}}
    cluster = Cluster(initialize_head=True, head_node_args=head)
    workers = [cluster.add_node(num_cpus=1) for _ in range(2)]
    cluster.wait_for_nodes()
    try:
        yield cluster, workers
    finally:
        cluster.shutdown()


def driver(args: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, "TUNE_GLOBAL_CHECKPOINT_S": "0.5", "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    return subprocess.Popen([sys.executable, "-m", "harness.cli", *args], cwd=REPO, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def check_results(exp: Path, trial_ids: list[str]) -> pd.DataFrame:
    """Every (trial, epoch) exactly once; every trial finished with the metrics of a run without Ray."""
    trials = pd.read_parquet(exp / "trials.parquet")
    epochs = pd.read_parquet(exp / "epochs.parquet")
    assert list(trials["trial_id"]) == trial_ids and (trials["status"] == "TERMINATED").all(), trials["error"]
    assert sorted(zip(epochs["trial_id"], epochs["epoch"])) == [(t, e) for t in trial_ids
                                                                for e in range(1, EPOCHS + 1)]
    for _, row in trials.iterrows():
        assert_same_metrics(row.to_dict(), direct("darts", int(row["seed"]), epochs=EPOCHS))
    return trials


@pytest.mark.slow
def test_a_killed_worker_node_and_a_killed_driver_lose_nothing(cluster, tmp_path):
    cluster, workers = cluster
    path = sweep_file(tmp_path, "grid:\n  seed: [0, 1, 2]\nmax_concurrent: 2\nmax_failures: 2\n", epochs=EPOCHS)
    storage = tmp_path / "shared"
    exp = storage / "s"
    ids = ["t000_seed=0", "t001_seed=1", "t002_seed=2"]
    run = driver(["run", str(path), "--address", cluster.address, "--storage", str(storage),
                  "--set", "storage_shared=true"], tmp_path / "run.log")
    try:
        # both worker nodes busy, each trial past its first checkpoint: one node dies with its trial
        _wait_for(lambda: all(_lines(exp / t / "metrics.jsonl") >= 1 for t in ids[:2]), timeout=120)
        cluster.remove_node(workers[0], allow_graceful=False)
        # the sweep goes on on the surviving node; once the third trial is under way the driver is killed too
        _wait_for(lambda: _lines(exp / ids[2] / "metrics.jsonl") >= 1, timeout=120)
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    log = (tmp_path / "run.log").read_text()
    assert not (exp / "trials.parquet").exists(), log
    cluster.add_node(num_cpus=1)  # the autoscaler's replacement
    resume = driver(["resume", str(exp), "--address", cluster.address], tmp_path / "resume.log")
    assert resume.wait(timeout=240) == 0, (tmp_path / "resume.log").read_text()
    trials = check_results(exp, ids)
    attempts = dict(zip(trials["trial_id"], trials["attempts"]))
    assert max(attempts.values()) >= 2, attempts  # a trial was retried after its node died, or resumed
    resumed = [json.loads(x) for t in ids for x in (exp / t / "metrics.jsonl").read_text().splitlines()]
    assert any(r["attempt"] >= 2 and r["epoch"] > 1 for r in resumed)  # continued from a checkpoint, not from 0
