"""Harness tests that need Ray share one fixture: a local Ray with 2 CPUs, started once per module."""

from __future__ import annotations

import logging
import os

import pytest
import ray


@pytest.fixture(scope="module")
def local_ray():
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # address="local": never the `ray start` cluster another test (or person) runs on this machine
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    yield
    ray.shutdown()
