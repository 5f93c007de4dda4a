"""harness.stamp / ``dartsweep stamp``: a copy of the tree without ``.git`` (what cluster nodes get) still names
its commit, and a copy changed after stamping says so."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main
from harness.provenance import git_state
from harness.stamp import SOURCE_STALE, STAMP_FILE, write_stamp

REPO = Path(__file__).resolve().parents[2]


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x"}
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env).stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "a.py").write_text("A = 1\n")
    (repo / "README").write_text("hi\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")
    return repo


def copy_without_git(repo: Path, dest: Path) -> Path:
    shutil.copytree(repo, dest, ignore=shutil.ignore_patterns(".git"))
    return dest


def test_a_copy_without_git_reads_the_stamp(checkout, tmp_path, capsys):
    assert main(["stamp", "--repo", str(checkout / "pkg")]) == 0
    commit = git(checkout, "rev-parse", "HEAD")
    assert f"stamped {commit} (clean, 2 tracked files)" in capsys.readouterr().out
    assert git(checkout, "status", "--porcelain") == ""  # ignored through .git/info/exclude, not .gitignore
    assert f"/{STAMP_FILE}" in (checkout / ".git" / "info" / "exclude").read_text()
    assert not (checkout / ".gitignore").exists()
    copy = copy_without_git(checkout, tmp_path / "node")
    assert git_state(copy) == {"git_commit": commit, "git_dirty": False, "git_source": "stamp"}
    assert git_state(checkout) == {"git_commit": commit, "git_dirty": False, "git_source": "git"}  # git wins


def test_a_dirty_or_changed_tree_is_reported_dirty(checkout, tmp_path):
    (checkout / "pkg" / "a.py").write_text("A = 2\n")
    write_stamp(checkout)
    copy = copy_without_git(checkout, tmp_path / "node")
    assert git_state(copy)["git_dirty"] is True and git_state(copy)["git_source"] == "stamp"
    clean = tmp_path / "clean"
    (checkout / "pkg" / "a.py").write_text("A = 1\n")  # as committed again
    write_stamp(checkout)
    copy_without_git(checkout, clean)
    (clean / "README").write_text("edited on the node\n")  # synced again, or edited, without a new stamp
    state = git_state(clean)
    assert state["git_commit"] == git(checkout, "rev-parse", "HEAD") and state["git_dirty"] is True
    assert state["git_source"] == SOURCE_STALE


def test_no_git_and_no_stamp_is_a_warning_not_an_error(tmp_path, caplog):
    (tmp_path / "bare").mkdir()
    assert git_state(tmp_path / "bare") == {"git_commit": None, "git_dirty": None, "git_source": None}
    assert "dartsweep stamp" in caplog.text


def test_provenance_of_a_run_in_a_copy_of_this_repository_without_git(tmp_path):
    """The real tree, copied as `ray up` copies it (tracked files, no .git), stamped to the side first so this
    checkout is left untouched; provenance() run from the copy's own harness names this commit."""
    copy = tmp_path / "dartsweep"
    for rel in git(REPO, "ls-files", "-z").split("\0"):
        if rel and (REPO / rel).is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, copy / rel)
    stamp_path, stamp = write_stamp(REPO, tmp_path / STAMP_FILE)
    shutil.copy(stamp_path, copy / STAMP_FILE)
    code = "import json; from harness.provenance import provenance; print(json.dumps(provenance()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=copy, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(copy)})
    prov = json.loads(out.stdout)
    assert prov["git_commit"] == git(REPO, "rev-parse", "HEAD") == stamp["git_commit"]
    assert prov["git_source"] == "stamp" and prov["git_dirty"] == stamp["git_dirty"]


def test_stamp_outside_a_checkout_is_a_one_line_error(tmp_path, capsys):
    assert main(["stamp", "--repo", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"dartsweep stamp: error: {tmp_path} is not a git checkout") and "\n" not in err
