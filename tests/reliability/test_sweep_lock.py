"""The owner lock of a sweep directory (harness.sweep_lock): one live driver per sweep; a second ``run``,
a ``resume`` or an ``--overwrite`` refuses naming the owner; stale locks are taken over with a message; the
lock goes when the driver ends, by error or Ctrl-C too."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from harness import sweep_lock
from harness.cli import main
from harness.layout import LOCK_FILE
from harness.sweep_lock import Owner, SweepLock, SweepLocked

pytestmark = pytest.mark.reliability

REPO = Path(__file__).resolve().parents[2]
SWEEP = "name: s\nspace: nb201\ndataset: digits\nepochs: 1\nset: {supernet.channels: 4, data.max_batches: 1}\n"


def write_owner(exp: Path, **fields) -> Owner:
    now = time.time()
    owner = Owner(**{"host": socket.gethostname(), "pid": os.getpid(), "started": now - 60, "heartbeat": now,
                     "command": "dartsweep run x.yaml", "token": "other", **fields})
    exp.mkdir(parents=True, exist_ok=True)
    (exp / LOCK_FILE).write_text(owner.to_json())
    return owner


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_lock_names_its_owner_and_a_second_driver_is_refused(tmp_path):
    exp = tmp_path / "s"
    with SweepLock(str(exp), "dartsweep run a.yaml") as lock:
        saved = json.loads((exp / LOCK_FILE).read_text())
        assert saved["host"] == socket.gethostname() and saved["pid"] == os.getpid()
        assert saved["command"] == "dartsweep run a.yaml" and saved["heartbeat"] >= saved["started"]
        with pytest.raises(SweepLocked) as refused:
            SweepLock(str(exp)).acquire()
        message = str(refused.value)
        assert "\n" not in message and "live dartsweep driver" in message
        assert f"host {socket.gethostname()}, pid {os.getpid()}, heartbeat 0 s ago" in message
        with pytest.raises(SweepLocked):
            SweepLock(str(exp)).check()
        assert lock.owner is not None
    assert not (exp / LOCK_FILE).exists() and not exp.exists()  # the lock made the directory: both gone


def test_released_on_errors_and_ctrl_c(tmp_path):
    exp = tmp_path / "s"
    exp.mkdir()
    for exc in (RuntimeError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(exc)), SweepLock(str(exp)):
            assert (exp / LOCK_FILE).exists()
            raise exc
        assert not (exp / LOCK_FILE).exists() and exp.is_dir()  # the directory was there before: it stays


def test_the_heartbeat_is_refreshed_and_stops_when_the_lock_is_taken_over(tmp_path, caplog):
    exp = tmp_path / "s"
    with SweepLock(str(exp), heartbeat_s=0.05):
        first = json.loads((exp / LOCK_FILE).read_text())["heartbeat"]
        time.sleep(0.3)
        assert json.loads((exp / LOCK_FILE).read_text())["heartbeat"] > first
    lock = SweepLock(str(exp), heartbeat_s=0.5).acquire()
    newer = write_owner(exp, token="newer")  # e.g. this driver was judged stale and another took over
    time.sleep(1.2)
    assert json.loads((exp / LOCK_FILE).read_text())["token"] == newer.token  # no more beats from the old one
    assert "no more heartbeats" in caplog.text
    lock.release()
    assert json.loads((exp / LOCK_FILE).read_text())["token"] == newer.token  # release leaves others' locks


@pytest.mark.parametrize(("fields", "reason"), [
    ({"host": "elsewhere", "pid": 1, "heartbeat": time.time() - 3600}, "min old (more than 5 min)"),
    ({"pid": "DEAD"}, "no longer runs on this host"),
    (None, "the file does not parse"),
])
def test_a_stale_lock_is_reported_and_taken_over(tmp_path, fields, reason):
    exp = tmp_path / "s"
    if fields is None:
        exp.mkdir()
        (exp / LOCK_FILE).write_text('{"host": "x", "pi')  # a crash while writing it
    else:
        write_owner(exp, **{k: (dead_pid() if v == "DEAD" else v) for k, v in fields.items()})
    said: list[str] = []
    lock = SweepLock(str(exp), say=said.append)
    lock.check()  # a stale lock does not refuse
    lock.acquire()
    assert len(said) == 1 and "taking over the stale lock" in said[0] and reason in said[0]
    assert json.loads((exp / LOCK_FILE).read_text())["token"] == lock.owner.token
    lock.release()
    assert not (exp / LOCK_FILE).exists()


def test_a_live_owner_elsewhere_is_not_stale_before_its_heartbeat_ages(tmp_path):
    write_owner(tmp_path / "s", host="elsewhere", pid=1, heartbeat=time.time() - 60)
    with pytest.raises(SweepLocked, match=r"host elsewhere, pid 1, heartbeat 60 s ago"):
        SweepLock(str(tmp_path / "s")).acquire()


def test_of_drivers_started_at_once_exactly_one_gets_the_lock(tmp_path):
    exp, tried = tmp_path / "s", tmp_path / "tried"
    tried.mkdir()
    code = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from harness.sweep_lock import SweepLock, SweepLocked
        Path({str(tried)!r}, f"ready-{{os.getpid()}}").touch()
        while len(os.listdir({str(tried)!r})) < 6:  # every process imported: start together
            time.sleep(0.001)
        try:
            lock = SweepLock({str(exp)!r}).acquire()
        except SweepLocked:
            Path({str(tried)!r}, f"done-{{os.getpid()}}").touch()
            sys.exit(3)
        Path({str(tried)!r}, f"done-{{os.getpid()}}").touch()
        while len(os.listdir({str(tried)!r})) < 12:  # held until every other process has tried
            time.sleep(0.01)
        lock.release()
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=REPO) for _ in range(6)]
    codes = sorted(p.wait(timeout=60) for p in procs)
    assert codes == [0, 3, 3, 3, 3, 3]


def test_object_store_paths_use_the_same_file_best_effort(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_lock, "URI_SETTLE_S", 0.0)
    uri = f"file://{tmp_path}/s"
    with SweepLock(uri):
        assert json.loads((tmp_path / "s" / LOCK_FILE).read_text())["pid"] == os.getpid()
        with pytest.raises(SweepLocked, match=r"is in use by a live dartsweep driver"):
            SweepLock(uri).acquire()
    assert not (tmp_path / "s" / LOCK_FILE).exists()
    write_owner(tmp_path / "s", host="elsewhere", pid=1, heartbeat=time.time() - 3600)
    said: list[str] = []
    with SweepLock(uri, say=said.append):
        assert "taking over the stale lock" in said[0]


# ---------------------------------------------------------------- through the command line


def snapshot(root: Path) -> dict[str, tuple]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.is_dir() or p.read_bytes()) for p in root.rglob("*")}


@pytest.mark.parametrize("command", ["run", "run --overwrite", "resume"])
def test_run_resume_and_overwrite_refuse_while_a_driver_is_live(tmp_path, monkeypatch, capsys, command):
    from harness.saved_sweep import save_sweep
    from harness.sweepfile.load import load_sweep

    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text(SWEEP)
    save_sweep(load_sweep("x.yaml", storage="results"), "results/s", {})
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        write_owner(tmp_path / "results" / "s", pid=holder.pid, heartbeat=time.time() - 12)
        before = snapshot(tmp_path)
        argv = ["resume", "results/s"] if command == "resume" else ["run", "x.yaml", "--storage", "results",
                                                                    *command.split()[1:]]
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err
        assert re.search(rf"is in use by a live dartsweep driver \(host {socket.gethostname()}, pid {holder.pid}, "
                         r"heartbeat 1\d s ago", err), err
        assert ("delete its files mid-run" in err) == ("--overwrite" in command)
        assert snapshot(tmp_path) == before  # nothing written, nothing deleted
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("exc", [KeyboardInterrupt, RuntimeError])
def test_the_run_command_takes_over_a_stale_lock_and_releases_it_however_it_ends(tmp_path, monkeypatch, capsys,
                                                                                caplog, exc):
    from harness import tune_runner

    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text(SWEEP)
    write_owner(tmp_path / "results" / "s", pid=dead_pid())
    held = []

    def connect(address, num_cpus):  # Ray would start here: the lock is ours by now
        held.append(json.loads((tmp_path / "results" / "s" / LOCK_FILE).read_text()))
        raise exc("stop")

    monkeypatch.setattr(tune_runner, "connect", connect)
    if exc is KeyboardInterrupt:
        assert main(["run", "x.yaml", "--storage", "results"]) == 130
    else:
        with pytest.raises(RuntimeError):
            main(["run", "x.yaml", "--storage", "results"])
    assert held[0]["pid"] == os.getpid() and held[0]["command"] == "dartsweep run x.yaml"
    assert "taking over the stale lock" in caplog.text and "no longer runs on this host" in caplog.text
    assert not (tmp_path / "results" / "s" / LOCK_FILE).exists()


@pytest.mark.slow
def test_two_drivers_of_one_sweep_started_half_a_second_apart(tmp_path):
    """As issue 13 found it: two `dartsweep run` of one sweep 0.5 s apart; now the second refuses."""
    (tmp_path / "x.yaml").write_text(SWEEP.replace("epochs: 1", "epochs: 3"))
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    cmd = [sys.executable, "-m", "harness.cli", "run", str(tmp_path / "x.yaml"), "--storage",
           str(tmp_path / "results"), "--num-cpus", "1"]
    first = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    second = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    (_, err1), (_, err2) = first.communicate(timeout=300), second.communicate(timeout=300)
    # Whichever took the lock first runs the sweep (start order is not lock order: imports take seconds).
    (winner, _), (loser, loser_err) = sorted([(first, err1), (second, err2)], key=lambda p: p[0].returncode)
    assert (winner.returncode, loser.returncode) == (0, 2), (err1, err2)
    assert loser_err.strip().count("\n") == 0 and f"pid {winner.pid}," in loser_err, loser_err
    assert "is in use by a live dartsweep driver" in loser_err
    trials = pd.read_parquet(tmp_path / "results" / "s" / "epochs.parquet")
    assert list(trials["epoch"]) == [1, 2, 3]  # trained once
    assert not (tmp_path / "results" / "s" / LOCK_FILE).exists()
