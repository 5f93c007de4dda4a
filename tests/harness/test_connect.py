"""connect(): joining a running cluster by address (not the module-wide local Ray of the other tests)."""

from __future__ import annotations

from tests.harness.test_tune_runner import sweep_file


def test_joining_a_cluster_by_address_is_not_a_local_start(tmp_path):
    """A cluster whose head offers no GPU (an autoscaling cloud cluster with min_workers 0) must accept a
    GPU sweep: connect(--address) returns a non-local session, whatever the cluster has now."""
    import ray
    from ray.cluster_utils import Cluster

    from harness.sweepfile.load import load_sweep
    from harness.tune_runner import check_cluster, connect

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "num_gpus": 0})
    try:
        session = connect(cluster.address)
        assert session.connected_here and not session.local and session.nodes == 1
        check_cluster(load_sweep(sweep_file(tmp_path, "resources: {cpu: 1, gpu: 1}\n")), session)
        session.close()
        assert not ray.is_initialized()
    finally:
        cluster.shutdown()
