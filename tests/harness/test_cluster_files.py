"""The cluster launcher files pass Ray 2.60's own schema (nothing is launched), run the node image of the pins, keep
Ray's default head role, and carry what provenance needs to a tree without .git."""

import fnmatch
import re
import sys
from pathlib import Path

import pytest
import yaml

from harness.stamp import STAMP_FILE

REPO = Path(__file__).resolve().parents[2]
CLUSTER_FILES = ["aws-gpu.yaml", "onprem.yaml"]


def pins(name: str) -> dict[str, str]:
    """package -> version of a lock file (names lowercased, ``_`` as ``-``)."""
    out = {}
    for line in (REPO / name).read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            package, version = line.split("==")
            out[package.strip().lower().replace("_", "-")] = version.strip()
    return out


def load(name: str) -> dict:
    return yaml.safe_load((REPO / "cluster" / name).read_text())


@pytest.mark.parametrize("name", ["aws-gpu.yaml", "onprem.yaml"])
def test_cluster_file_is_valid_for_the_installed_ray(name):
    from ray.autoscaler._private.util import prepare_config, validate_config

    config = yaml.safe_load((REPO / "cluster" / name).read_text())
    validate_config(prepare_config(config))
    assert any(c.split("; ")[-1].startswith("ray start --head") for c in config["head_start_ray_commands"])
    assert any("requirements.lock" in c and "pip install" in c for c in config["setup_commands"])


def test_ray_version_and_python_agree_everywhere():
    """requirements.lock pins Ray; pyproject, the cluster extra, the Dockerfile's base image and the images the
    cluster files run all name that version, and the Python the lock's wheels were installed for."""
    ray = pins("requirements.lock")["ray"]
    python = f"py{sys.version_info.major}{sys.version_info.minor}"
    pyproject = (REPO / "pyproject.toml").read_text()
    assert f'"ray[tune]=={ray}"' in pyproject
    assert re.search(rf'^cluster = \[.*"ray\[default\]=={re.escape(ray)}"', pyproject, re.M)
    dockerfile = (REPO / "docker" / "Dockerfile").read_text()
    assert re.search(rf"^ARG RAY_VERSION={re.escape(ray)}$", dockerfile, re.M)
    assert re.search(rf"^ARG PYTHON_TAG={python}$", dockerfile, re.M)
    assert re.search(r"^FROM rayproject/ray:\$\{RAY_VERSION\}-\$\{PYTHON_TAG\}-gpu$", dockerfile, re.M)
    assert "-r requirements.lock -r requirements-cluster.lock" in dockerfile
    for name in CLUSTER_FILES:
        image = load(name)["docker"]["image"]
        assert image.rsplit(":", 1)[1] == f"{ray}-{python}-gpu", (name, image)


def test_the_cluster_lock_adds_to_the_runtime_lock_without_changing_it():
    runtime, cluster = pins("requirements.lock"), pins("requirements-cluster.lock")
    assert {"boto3", "google-api-python-client", "aiohttp", "opencensus"} <= set(cluster)  # ray[default] + SDKs
    assert not set(runtime) & set(cluster)


@pytest.mark.parametrize("name", CLUSTER_FILES)
def test_nodes_run_the_image_and_keep_rays_default_head_role(name):
    config = load(name)
    assert config["docker"]["image"] and config["docker"]["container_name"]
    types = config.get("available_node_types", {})  # (none with the local provider: machines you have)
    head = types.get(config.get("head_node_type"), {}).get("node_config", {})
    assert "IamInstanceProfile" not in head  # Ray's default profile: the autoscaler needs its EC2 rights
    for node_type in types.values():
        node = node_type["node_config"]
        assert node.get("ImageId", "").lower() not in ("", "latest_dlami")  # Ubuntu 18.04, driver too old
        profile = node.get("IamInstanceProfile", {}).get("Arn", "instance-profile/ray-autoscaler-v1")
        assert profile.endswith("instance-profile/ray-autoscaler-v1"), profile


@pytest.mark.parametrize("name", CLUSTER_FILES)
def test_what_is_copied_to_nodes_carries_the_commit(name):
    """Nodes get the tree without .git: the stamp `dartsweep stamp` writes must travel with it (rsync_exclude,
    rsync_filter, the Docker build context), and the file must tell users to write it."""
    config, text = load(name), (REPO / "cluster" / name).read_text()
    excluded = config.get("rsync_exclude", [])
    assert not any(fnmatch.fnmatch(STAMP_FILE, pattern) for pattern in excluded)
    assert not config.get("rsync_filter")  # a .gitignore filter would be fine, but keep it simple: none
    if ".git" in excluded:
        assert "dartsweep stamp" in text
    dockerignore = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
                    if line.strip() and not line.startswith("#")]
    assert ".git" in dockerignore and not any(fnmatch.fnmatch(STAMP_FILE, p) for p in dockerignore)
    assert STAMP_FILE not in (REPO / ".gitignore").read_text()  # Ray's working_dir upload skips .gitignore'd files
