"""Data roots and NB-201 tables named by URI, copied onto the node that runs a trial.

``data.root`` and ``nb201_table`` (search, select, evaluate and random configs; sweep files' ``data_root`` /
``nb201_table``) may be ``s3://`` or ``gs://`` URIs — or any URI pyarrow opens (``file://``: a local copy of an
object store, as the tests use; :data:`harness.storage.URI_SCHEMES`) — read with the node's own credentials through
pyarrow's S3FileSystem / GcsFileSystem (instance role, ``AWS_*`` variables, ``gcloud`` application credentials).
The searchcore trainables keep taking local paths: :func:`staged` wraps a trainable so each URI of its config is
replaced by a local copy before the trainable sees it; the trial's record (``config.json``) keeps the URI.

The copy is made once per node and reused by every later trial there::

    $DARTSWEEP_CACHE (default ~/.cache/dartsweep)/
      <name>-<key>/data/...          the file (under its own name: loaders pick formats by suffix) or the tree
      <name>-<key>/manifest.json     the URI, and the size and sha256 of every file copied
      <name>-<key>.lock              held while one process fetches it

``key`` hashes the URI with the remote listing (every file's path, size and modification time), so a remote that
changed gets a new entry and is fetched again; an older entry stays for trials still reading it (delete the cache
directory to reclaim the space). Concurrent trials on one node are safe: one fetches under an exclusive file lock,
into a temporary directory renamed into place whole with its manifest, while the others wait and then reuse it.
Each file's sha256 is taken while it is copied and its size checked against the listing; a reused entry is checked
against its manifest (sizes always, sha256 too up to ``$DARTSWEEP_VERIFY_BYTES``, 4 GiB by default) and fetched
again when it does not match.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import posixpath
import re
import secrets
import shutil
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs

from harness.errors import CliError
from harness.storage import is_uri, uri_problem
from harness.trial_inputs import map_inputs

CACHE_ENV = "DARTSWEEP_CACHE"
VERIFY_ENV = "DARTSWEEP_VERIFY_BYTES"
VERIFY_BYTES = 4 * 2**30
"""Reused entries up to this size are re-hashed (CIFAR, SVHN, ImageNet16, NB-201 tables: well under a second per
GiB); larger ones (an ImageNet folder) are checked by size only."""
MANIFEST = "manifest.json"
CHUNK = 8 * 2**20
COPY_THREADS = 16


class StagingError(CliError):
    """A URI could not be copied onto this node: missing, unreadable, or changed while it was copied."""


@dataclass(frozen=True)
class RemoteFile:
    rel: str
    """Path inside the entry's ``data/`` directory (a single file: its base name)."""
    path: str
    """Path on the remote filesystem."""
    size: int
    mtime_ns: int | None


def cache_dir() -> Path:
    return Path(os.path.expanduser(os.environ.get(CACHE_ENV) or "~/.cache/dartsweep"))


def stage(uri: str, cache: Path | None = None) -> str:
    """The local path of a copy of ``uri`` (a file or a directory tree) on this node, fetched if needed."""
    fs, base = _open(uri)
    kind, files = remote_listing(fs, base, uri)
    cache = cache or cache_dir()
    entry = cache / entry_name(uri, kind, files)
    target = str(entry / "data" / files[0].rel) if kind == "file" else str(entry / "data")
    if _intact(entry, files):
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with _locked(cache / f"{entry.name}.lock"):
        if not _intact(entry, files):  # another trial may have fetched it while this one waited
            _fetch(fs, uri, kind, files, entry)
    return target


def stage_config(config: dict[str, Any], cache: Path | None = None) -> dict[str, Any]:
    """``config`` with every input URI (:data:`harness.trial_inputs.INPUT_KEYS`) replaced by its local copy."""
    return map_inputs(config, lambda key, value: stage(value, cache) if is_uri(value) else value)


def staged(fn: Any) -> Any:
    """The trainable ``fn(config, reporter, **kw)`` run on a config whose input URIs are local copies (picklable:
    Ray ships it to the trial's process)."""
    return functools.partial(_run_staged, fn)


def _run_staged(fn: Any, config: dict[str, Any], reporter: Any, **kwargs: Any) -> Any:
    return fn(stage_config(config), reporter, **kwargs)


def staged_group(fn: Any) -> Any:
    """:func:`staged` for a fused trainable ``fn(configs, reporter)``: each seed's config staged."""
    return functools.partial(_run_staged_group, fn)


def _run_staged_group(fn: Any, configs: list[dict[str, Any]], reporter: Any) -> Any:
    return fn([stage_config(c) for c in configs], reporter)


# ---------------------------------------------------------------- remote side


def _open(uri: str) -> tuple[pafs.FileSystem, str]:
    problem = uri_problem(uri)
    if problem:
        raise StagingError(f"{uri}: {problem}")
    try:
        return pafs.FileSystem.from_uri(uri)
    except (OSError, ValueError) as err:
        raise StagingError(f"{uri}: cannot open this URI ({_first_line(err)})") from None


def remote_listing(fs: pafs.FileSystem, base: str, uri: str) -> tuple[str, list[RemoteFile]]:
    """("file" or "dir", every file to copy), sorted; a missing URI is a :class:`StagingError`."""
    try:
        info = fs.get_file_info(base)
        if info.type == pafs.FileType.File:
            return "file", [RemoteFile(info.base_name, info.path, info.size, info.mtime_ns)]
        if info.type != pafs.FileType.Directory:
            raise StagingError(f"{uri}: not found (as seen from {socket.gethostname()})")
        infos = fs.get_file_info(pafs.FileSelector(base, recursive=True))
    except OSError as err:
        raise StagingError(f"{uri}: cannot list it ({_first_line(err)})") from None
    root = info.path.rstrip("/") + "/"
    files = [RemoteFile(i.path[len(root):], i.path, i.size, i.mtime_ns)
             for i in infos if i.type == pafs.FileType.File and i.path.startswith(root)]
    return "dir", sorted(files, key=lambda f: f.rel)


def entry_name(uri: str, kind: str, files: list[RemoteFile]) -> str:
    """``<readable name>-<16 hex digits>``: the digits change with the URI and with any file's size or time."""
    listing = json.dumps([uri, kind, [[f.rel, f.size, f.mtime_ns] for f in files]])
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", posixpath.basename(uri.rstrip("/")))[:40] or "root"
    return f"{name}-{hashlib.sha256(listing.encode()).hexdigest()[:16]}"


# ---------------------------------------------------------------- local side


def _intact(entry: Path, files: list[RemoteFile]) -> bool:
    """The entry holds every listed file with the size and (up to the verify limit) the sha256 of its manifest."""
    try:
        manifest = json.loads((entry / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    recorded = manifest.get("files", {})
    if set(recorded) != {f.rel for f in files}:
        return False
    total = sum(f.size for f in files)
    verify = total <= int(os.environ.get(VERIFY_ENV) or VERIFY_BYTES)
    for f in files:
        local = entry / "data" / f.rel
        try:
            if local.stat().st_size != recorded[f.rel]["size"]:
                return False
        except OSError:
            return False
        if verify and _sha256(local) != recorded[f.rel]["sha256"]:
            return False
    return True


def _fetch(fs: pafs.FileSystem, uri: str, kind: str, files: list[RemoteFile], entry: Path) -> None:
    """Copies every file into a temporary directory beside ``entry`` and renames it into place with its manifest.
    Called with the entry's lock held: leftovers of fetchers that died, and a damaged entry, are removed first."""
    for stale in entry.parent.glob(f".tmp-{entry.name}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if entry.exists():
        shutil.rmtree(entry)
    tmp = entry.parent / f".tmp-{entry.name}-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        threads = max(1, min(COPY_THREADS, len(files)))
        with ThreadPoolExecutor(threads) as pool:
            hashes = list(pool.map(lambda f: _copy(fs, uri, f, tmp / "data" / f.rel), files))
        (tmp / "data").mkdir(parents=True, exist_ok=True)  # an empty directory is a valid (empty) root
        recorded = {f.rel: {"size": f.size, "sha256": h, "mtime_ns": f.mtime_ns} for f, h in zip(files, hashes)}
        manifest = {"uri": uri, "kind": kind, "host": socket.gethostname(), "fetched": time.time(), "files": recorded}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1))
        os.rename(tmp, entry)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _copy(fs: pafs.FileSystem, uri: str, f: RemoteFile, dest: Path) -> str:
    """Streams one file to ``dest``; its sha256. A size other than the listing's means the remote changed (or the
    transfer broke) while it was copied."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    try:
        with fs.open_input_stream(f.path) as src, open(dest, "wb") as out:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    except OSError as err:
        raise StagingError(f"{uri}: cannot copy {f.rel or f.path} ({_first_line(err)})") from None
    if size != f.size:
        raise StagingError(f"{uri}: {f.rel} has {size} bytes, its listing said {f.size} (it changed while it was "
                           "copied?); start the trial again")
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between processes of this node (flock: released if the holder dies)."""
    with open(path, "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _first_line(err: BaseException) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]
