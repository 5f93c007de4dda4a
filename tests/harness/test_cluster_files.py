"""The cluster launcher files pass Ray 2.60's own schema (nothing is launched)."""

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["aws-gpu.yaml", "onprem.yaml"])
def test_cluster_file_is_valid_for_the_installed_ray(name):
    from ray.autoscaler._private.util import prepare_config, validate_config

    config = yaml.safe_load((REPO / "cluster" / name).read_text())
    validate_config(prepare_config(config))
    assert any("dartsweep/.venv/bin/ray start --head" in c for c in config["head_start_ray_commands"])
    assert any("scripts/install.sh" in c for c in config["setup_commands"])
