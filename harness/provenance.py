"""Where a result came from: the git commit, package versions and the host, stored with every sweep.

The commit comes from git where the code is a checkout, else from the stamp ``dartsweep stamp`` left in a copy of
the tree without ``.git`` (cluster nodes, Ray job working dirs, Docker images; :mod:`harness.stamp`).
"""

from __future__ import annotations

import logging
import platform
import socket
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from harness.stamp import STAMP_FILE, read_stamp

PACKAGES = ("dartsweep", "torch", "torchvision", "ray", "numpy", "pandas", "pyarrow", "pydantic")
REPO = Path(__file__).resolve().parents[1]
log = logging.getLogger("dartsweep.provenance")


def _git(*args: str, cwd: Path = REPO) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def git_state(cwd: Path = REPO) -> dict[str, Any]:
    """Commit of the code that ran, whether tracked files differed from it (``dirty``) and where that was read
    (``git_source``: ``git``, or the stamp of a copy without ``.git``; None when neither knows)."""
    top = _git("rev-parse", "--show-toplevel", cwd=cwd)
    commit = _git("rev-parse", "HEAD", cwd=cwd) if top and Path(top).resolve() == cwd.resolve() else None
    if commit is None:  # not a checkout of its own (a copy inside another repository counts as none)
        stamped = read_stamp(cwd)
        if stamped is None:
            log.warning("%s has neither .git nor %s: results will have no git_commit; run `dartsweep stamp` in "
                        "the checkout before `ray up`, `ray job submit` or `docker build` (docs/cluster.md)",
                        cwd, STAMP_FILE)
            return {"git_commit": None, "git_dirty": None, "git_source": None}
        return stamped
    status = _git("status", "--porcelain", "--untracked-files=no", cwd=cwd)
    return {"git_commit": commit, "git_dirty": bool(status) if status is not None else None, "git_source": "git"}


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
