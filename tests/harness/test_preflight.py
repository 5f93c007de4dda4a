"""The data check of a sweep joining a cluster: one Ray task on a worker node, before any trial starts; a missing
data root is one error naming the sweep file, the key and the URI (a head + one worker, both on this machine)."""

from __future__ import annotations

import pytest

from harness.errors import CliError
from tests.harness.test_tune_runner import sweep_file
from tests.helpers.fake_data import write_cifar10


def test_missing_data_is_found_by_one_task_on_a_worker(tmp_path):
    import ray
    from ray.cluster_utils import Cluster

    from harness.sweepfile.load import load_sweep
    from harness.tune_runner import _worker_node, check_cluster, connect

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    worker = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    bucket = tmp_path / "bucket"
    path = sweep_file(tmp_path, f"storage_shared: true\nstorage: {tmp_path / 'res'}\n")
    path.write_text(path.read_text().replace("dataset: digits", f"dataset: cifar10\ndata_root: file://{bucket}"))
    session = None
    try:
        session = connect(cluster.address)
        assert not session.local and session.nodes == 2
        assert _worker_node(1, 0) == worker.node_id  # never the head, which takes no trial here
        sweep = load_sweep(path)  # (what `dartsweep run --address` does: no check on the driver's side)
        with pytest.raises(CliError) as err:
            check_cluster(sweep, session)
        message = str(err.value)
        assert message.startswith(f"{path}: data.root: file://{bucket} does not exist or is not a directory")
        assert "as seen from node" in message and "\n" not in message
        write_cifar10(bucket)
        check_cluster(sweep, session)  # there now: passes
    finally:
        if session is not None:
            session.close()
        cluster.shutdown()
    assert not ray.is_initialized()
