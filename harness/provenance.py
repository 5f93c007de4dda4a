"""Where a result came from: the git commit, package versions and the host, stored with every sweep."""

from __future__ import annotations

import platform
import socket
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("dartsweep", "torch", "torchvision", "ray", "numpy", "pandas", "pyarrow", "pydantic")
REPO = Path(__file__).resolve().parents[1]


def _git(*args: str, cwd: Path = REPO) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def git_state(cwd: Path = REPO) -> dict[str, Any]:
    """Commit of the code that ran, and whether tracked files differed from it (``dirty``)."""
    commit = _git("rev-parse", "HEAD", cwd=cwd)
    status = _git("status", "--porcelain", "--untracked-files=no", cwd=cwd) if commit else None
    return {"git_commit": commit, "git_dirty": bool(status) if status is not None else None}


def package_versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def host_info() -> dict[str, Any]:
    return {"driver_host": socket.gethostname(), "platform": platform.platform(), "argv": " ".join(sys.argv)}


def provenance() -> dict[str, Any]:
    return {**git_state(), "versions": package_versions(), **host_info(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
