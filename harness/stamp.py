"""The commit of a checkout, carried by copies of the tree that have no ``.git``.

Cluster nodes get the code without its history: the launcher files exclude ``.git`` from what ``ray up`` copies
(``rsync_exclude``), a Ray job's ``working_dir`` is a zip of the tree, and a Docker image holds a build context.
``dartsweep stamp`` (run in the checkout before ``ray up`` / ``ray job submit`` / ``docker build``) writes
:data:`STAMP_FILE` at the top of the checkout; :func:`harness.provenance.git_state` reads it wherever git cannot
answer, so every result of a cluster run still names its commit.

The stamp holds the commit, whether tracked files differed from it then, and a fingerprint of the tracked files'
contents. The reader recomputes the fingerprint over the same files: a tree changed after it was stamped (edited,
or synced again without a new stamp) is reported dirty, with ``git_source`` saying so, never silently attributed to
the commit. The stamp goes in ``.git/info/exclude``, not ``.gitignore``: git ignores it, while Ray's working_dir
upload (which skips what ``.gitignore`` names), ``ray up``'s rsync and ``docker build`` all carry it.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path
from typing import Any

from harness.errors import CliError

STAMP_FILE = ".dartsweep-stamp.json"
SOURCE_STAMP = "stamp"
SOURCE_STALE = "stamp; the tree changed since"


def _git(repo: Path, *args: str) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise CliError(f"{repo}: cannot run git there ({err})") from None
    if out.returncode != 0:
        first = (out.stderr.strip().splitlines() or ["git failed"])[0]
        raise CliError(f"{repo} is not a git checkout ({first}); run it in the checkout you submit from")
    return out.stdout


def toplevel(path: Path) -> Path:
    """The top of the git checkout holding ``path``."""
    return Path(_git(path, "rev-parse", "--show-toplevel").strip())


def tree_digest(root: Path, files: list[str]) -> str:
    """sha256 over each file's path and the sha256 of its content ("-" for a missing file)."""
    digest = hashlib.sha256()
    for rel in sorted(files):
        path = root / rel
        content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"
        digest.update(f"{rel}\0{content}\n".encode())
    return digest.hexdigest()


def make_stamp(repo: Path) -> dict[str, Any]:
    """The stamp of the checkout ``repo`` as it is now."""
    commit = _git(repo, "rev-parse", "HEAD").strip()
    dirty = bool(_git(repo, "status", "--porcelain", "--untracked-files=no").strip())
    files = [f for f in _git(repo, "ls-files", "-z").split("\0") if f]
    return {"git_commit": commit, "git_dirty": dirty, "stamped": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "files": files, "tree_sha256": tree_digest(repo, files)}


def write_stamp(repo: Path, out: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Writes the stamp (default: ``<repo>/.dartsweep-stamp.json``) and lists it in the checkout's
    ``.git/info/exclude``; returns where it went and what it says."""
    stamp = make_stamp(repo)
    out = out or repo / STAMP_FILE
    out.write_text(json.dumps(stamp, indent=1) + "\n")
    if out.resolve().parent == repo.resolve():
        _exclude(repo, f"/{out.name}")
    return out, stamp


def _exclude(repo: Path, pattern: str) -> None:
    exclude = Path(_git(repo, "rev-parse", "--git-path", "info/exclude").strip())
    exclude = exclude if exclude.is_absolute() else repo / exclude
    lines = exclude.read_text().splitlines() if exclude.exists() else []
    if pattern not in lines:
        exclude.parent.mkdir(parents=True, exist_ok=True)
        exclude.write_text("\n".join([*lines, pattern]) + "\n")


def read_stamp(root: Path) -> dict[str, Any] | None:
    """``git_commit``, ``git_dirty`` and ``git_source`` from the stamp at the top of ``root`` (None when there is
    none, or it is not a stamp): dirty when it was stamped dirty or the tree no longer matches its fingerprint."""
    try:
        stamp = json.loads((root / STAMP_FILE).read_text())
        commit, files, digest = stamp["git_commit"], stamp["files"], stamp["tree_sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    changed = tree_digest(root, [str(f) for f in files]) != digest
    return {"git_commit": commit, "git_dirty": bool(stamp.get("git_dirty")) or changed,
            "git_source": SOURCE_STALE if changed else SOURCE_STAMP}
