"""The owner lock of a sweep directory: one live driver per ``<storage>/<name>/``.

Two drivers of one sweep (a second ``dartsweep run`` started by mistake, a ``resume`` while the first still
runs, ``--overwrite`` of a live run) would train every trial twice and replace each other's results, or
delete a live run's files mid-flight. So the driver holds ``<exp>/dartsweep.lock``: a small JSON file with
its host, pid, start time and a heartbeat that a background thread refreshes every :data:`HEARTBEAT_S`
seconds. Another driver refuses to touch the directory while that owner is live, naming it.

A lock is *stale*, and taken over with a message saying whose it was, when its heartbeat is older than
:data:`STALE_S` (the driver's machine died or lost the storage), or when it was written on this host by a
process that no longer exists (killed; pids are only comparable on one host). A lock file that cannot be
parsed (damaged, or cut off on a file system without hard links) is stale too.

On local and NFS paths the lock is written in full under a private name and hard-linked to its own name,
which is atomic and fails when the name exists, so of drivers started at once exactly one gets the lock and
none reads a half-written one. Object stores (``s3://``, ``gs://``) have no atomic create: there the check is
best effort (read, write, read back after :data:`URI_SETTLE_S` to see that no other driver wrote in
between), which catches a second driver started by hand but not two started within the same second.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from harness.errors import CliError
from harness.layout import LOCK_FILE
from harness.storage import is_uri, join, read_text, remove_file, write_text

log = logging.getLogger("dartsweep.lock")

HEARTBEAT_S = 30.0
"""Seconds between heartbeats of a live driver."""
STALE_S = 300.0
"""A heartbeat older than this (ten missed beats) means the driver is gone, wherever it ran."""
URI_SETTLE_S = 1.0
"""Object stores: wait this long after writing the lock before reading it back (best-effort race check)."""


class SweepLocked(CliError):
    """The sweep directory is held by a live driver (one line naming it)."""


@dataclass
class Owner:
    """What a lock file says about the driver holding it."""

    host: str
    pid: int
    started: float
    heartbeat: float
    command: str
    token: str
    """Random per acquisition: tells this driver's lock from a later owner's (takeover) on release."""

    @classmethod
    def me(cls, command: str) -> Owner:
        now = time.time()
        return cls(socket.gethostname(), os.getpid(), now, now, command, uuid.uuid4().hex)

    @classmethod
    def parse(cls, text: str) -> Owner | None:
        """The owner in a lock file's text; None when it is not a complete lock (a crash while writing)."""
        try:
            d = json.loads(text)
            return cls(str(d["host"]), int(d["pid"]), float(d["started"]), float(d["heartbeat"]),
                       str(d.get("command", "")), str(d["token"]))
        except (ValueError, KeyError, TypeError):
            return None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    def describe(self, now: float | None = None) -> str:
        """``host h, pid 123, heartbeat 12 s ago, started 2024-05-01 10:00:00`` (for messages)."""
        age = (now or time.time()) - self.heartbeat
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        return f"host {self.host}, pid {self.pid}, heartbeat {_age(age)} ago, started {started}"

    def stale_reason(self, stale_s: float, now: float | None = None) -> str | None:
        """Why this owner is gone (None: it is live)."""
        age = (now or time.time()) - self.heartbeat
        if age > stale_s:
            return f"its heartbeat is {_age(age)} old (more than {_age(stale_s)})"
        if self.host == socket.gethostname() and not _pid_alive(self.pid):
            return f"process {self.pid} no longer runs on this host"
        return None


def _age(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    except OSError:
        return False
    return True


class SweepLock:
    """The lock of one sweep directory. ``check()`` only reads (refuses a live owner); ``acquire()`` takes
    the lock (taking over a stale one, with a message) and starts the heartbeat; ``release()`` stops it and
    deletes the file if it is still ours. A context manager: released on exit, errors and Ctrl-C included.
    """

    def __init__(self, exp_dir: str, command: str = "", *, heartbeat_s: float = HEARTBEAT_S,
                 stale_s: float = STALE_S, say: Callable[[str], None] | None = None) -> None:
        self.exp_dir = exp_dir
        self.path = join(exp_dir, LOCK_FILE)
        self.command = command
        self.heartbeat_s = heartbeat_s
        self.stale_s = stale_s
        self.say = say or (lambda line: log.warning("%s", line))
        self.owner: Owner | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._made_dir = False
        """The lock created the sweep directory: released before anything else was written, it goes again."""

    # ---------------------------------------------------------------- reading

    def current(self) -> tuple[Owner | None, bool]:
        """(owner, whether a lock file exists): a file that exists but does not parse gives (None, True)."""
        text = read_text(self.path)
        if text is None:
            return None, False
        return Owner.parse(text), True

    def _refuse(self, owner: Owner, what: str) -> SweepLocked:
        return SweepLocked(f"{self.exp_dir} is in use by a live dartsweep driver ({owner.describe()}): {what}; "
                           f"wait for it to end or stop it (if it is gone, its lock {self.path} goes stale "
                           f"{_age(self.stale_s)} after its last heartbeat)")

    def check(self, what: str = "refusing to start a second driver on it") -> None:
        """Refuses (:class:`SweepLocked`) when a live driver holds the directory; writes nothing."""
        owner, found = self.current()
        if found and owner is not None and owner.stale_reason(self.stale_s) is None:
            raise self._refuse(owner, what)

    # ---------------------------------------------------------------- taking and giving back

    def acquire(self, what: str = "refusing to start a second driver on it") -> SweepLock:
        me = Owner.me(self.command)
        for _ in range(3):
            if self._create(me):
                break
            owner, found = self.current()
            if not found:
                continue  # released between our attempt and our read: try again
            reason = "the file does not parse (damaged or cut off)" if owner is None else \
                owner.stale_reason(self.stale_s)
            if reason is None:
                raise self._refuse(owner, what)
            whose = f" of {owner.describe()}" if owner else ""
            self.say(f"taking over the stale lock{whose} on {self.exp_dir}: {reason}")
            if self._take_over(me, owner):
                break
        else:
            raise SweepLocked(f"{self.path}: could not take the lock (other drivers keep taking it); try again")
        self.owner = me
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat, name="dartsweep-lock-heartbeat", daemon=True)
        self._thread.start()
        return self

    def _create(self, me: Owner) -> bool:
        """Writes the lock unless one exists: atomic on local paths, best effort on object stores."""
        if is_uri(self.path):
            if read_text(self.path) is not None:
                return False
            write_text(self.path, me.to_json())
            return self._still_mine(me, settle=True)
        return self._create_local(me.to_json())

    def _create_local(self, text: str) -> bool:
        if not os.path.isdir(self.exp_dir):
            os.makedirs(self.exp_dir, exist_ok=True)
            self._made_dir = True
        # Written in full under a private name, then hard-linked to the lock's name: the link is atomic and fails
        # when the name exists (also on NFS), so no other driver ever reads a lock that is half written.
        tmp = f"{self.path}.{uuid.uuid4().hex}.tmp"
        with open(tmp, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, self.path)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: an exclusive create, then the text
            return self._create_exclusive(text)
        finally:
            os.unlink(tmp)
        return True

    def _create_exclusive(self, text: str) -> bool:
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        return True

    def _take_over(self, me: Owner, stale: Owner | None) -> bool:
        """Replaces a stale lock, unless another driver replaced it first (then the caller looks again)."""
        if not is_uri(self.path):
            # Move the stale file aside atomically; of two drivers taking over, one finds it gone.
            aside = f"{self.path}.stale-{me.token}"
            try:
                os.replace(self.path, aside)
            except FileNotFoundError:
                return False
            moved = Owner.parse(read_text(aside) or "")
            os.unlink(aside)
            if stale is not None and (moved is None or moved.token != stale.token):
                # What we moved was a newer owner's lock (it replaced the stale one after we read it): put it
                # back unless yet another lock was created meanwhile, and look again.
                if moved is not None and moved.stale_reason(self.stale_s) is None:
                    self._create_local(moved.to_json())
                return False
            return self._create(me)
        write_text(self.path, me.to_json())
        return self._still_mine(me, settle=True)

    def _still_mine(self, me: Owner, settle: bool = False) -> bool:
        if settle:
            time.sleep(URI_SETTLE_S)
        text = read_text(self.path)
        owner = Owner.parse(text) if text is not None else None
        return owner is not None and owner.token == me.token

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat_s):
            me = self.owner
            if me is None:
                return
            try:
                owner, _ = self.current()
                if owner is None or owner.token != me.token:
                    who = owner.describe() if owner else "nobody (the file is gone)"
                    log.warning("the lock on %s is now held by %s; no more heartbeats from this driver",
                                self.exp_dir, who)
                    return
                me.heartbeat = time.time()
                write_text(self.path, me.to_json())
            except Exception as err:  # noqa: BLE001 - a missed beat must not kill the driver; the next may work
                log.warning("could not refresh the lock %s: %s", self.path, err)

    def release(self) -> None:
        """Stops the heartbeat and deletes the lock file if it is still this driver's."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        me, self.owner = self.owner, None
        if me is None:
            return
        try:
            owner, _ = self.current()
            if owner is not None and owner.token == me.token:
                remove_file(self.path)
        except Exception as err:  # noqa: BLE001 - releasing must not hide the error that ended the run
            log.warning("could not remove the lock %s: %s", self.path, err)
        if self._made_dir and not is_uri(self.exp_dir):
            try:
                os.rmdir(self.exp_dir)  # only when empty: a refused or failed start leaves nothing behind
            except OSError:
                pass  # it holds the sweep's files now

    def __enter__(self) -> SweepLock:
        return self if self.owner is not None else self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
