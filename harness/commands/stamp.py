"""``dartsweep stamp``: record the checkout's commit in the tree itself, for copies without ``.git``.

Run it in the checkout before ``ray up``, ``ray job submit --working-dir .`` or ``docker build``: cluster nodes get
the tree without its history, and :mod:`harness.provenance` reads the stamp there (:mod:`harness.stamp`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.stamp import toplevel, write_stamp


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stamp", help="record the git commit in the tree, for cluster nodes without .git",
                       description="Write .dartsweep-stamp.json (commit, dirty state, fingerprint of the tracked "
                       "files) at the top of the git checkout, and list it in .git/info/exclude. Run it before "
                       "`ray up`, `ray job submit` or `docker build`: results of runs in copies of the tree without "
                       ".git then name this commit (docs/cluster.md).")
    p.add_argument("--repo", default=".", help="a path inside the checkout (default: the current directory)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    repo = toplevel(Path(args.repo))
    out, stamp = write_stamp(repo)
    state = "with uncommitted changes to tracked files" if stamp["git_dirty"] else "clean"
    print(f"stamped {stamp['git_commit']} ({state}, {len(stamp['files'])} tracked files) -> {out}")
    return 0
