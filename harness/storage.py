"""Where sweep outputs live: local paths, NFS paths and object-store URIs (``s3://``, ``gs://``) alike.

Every write replaces a whole file (a temporary file, then ``os.replace``; object stores replace whole
objects), so a reader never sees half a file. Nothing here knows what the files mean (see
:mod:`harness.layout`).
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pyarrow.fs as pafs

from harness.errors import CliError

SHARED_SCHEMES = ("s3://", "gs://", "gcs://", "abfs://", "hdfs://")
"""URI schemes every node of a cluster reaches; a local path is only shared when the user says so."""


def is_uri(path: str) -> bool:
    return "://" in path


def join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *parts]) if is_uri(base) else os.path.join(base, *parts)


def absolute(value: Any) -> Any:
    """A local path made absolute (Ray runs each trial in its own working directory); URIs and
    non-strings unchanged."""
    if isinstance(value, str) and value and not is_uri(value):
        return os.path.abspath(os.path.expanduser(value))
    return value


URI_SCHEMES = ("s3", "gs", "gcs", "abfs", "abfss", "hdfs", "file")
"""Schemes of the storage URIs pyarrow opens (``file://``: a local path through the same code, for tests)."""


def uri_problem(path: str) -> str | None:
    """What is wrong with a storage URI (an unknown scheme, no bucket), or None; checked without any network
    call, so a sweep is validated before anything is opened or written."""
    if not is_uri(path):
        return None
    scheme, _, rest = path.partition("://")
    if scheme not in URI_SCHEMES:
        return (f"unknown URI scheme {scheme + '://'!r}; allowed: a local path, "
                f"{', '.join(s + '://' for s in URI_SCHEMES)}")
    if scheme != "file" and not rest.split("/", 1)[0]:
        return f"no bucket (or host) after {scheme}://; expected {scheme}://BUCKET/PATH"
    return None


def check_uri(path: str) -> str:
    """``path`` itself when it is a local path or a usable storage URI; else a :class:`CliError` saying why."""
    problem = uri_problem(path)
    if problem:
        raise CliError(f"{path}: {problem}")
    return path


def _remote(uri: str) -> tuple[pafs.FileSystem, str]:
    check_uri(uri)
    try:
        return pafs.FileSystem.from_uri(uri)
    except (ValueError, OSError) as err:  # pyarrow.ArrowInvalid is a ValueError
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CliError(f"{uri}: cannot open this storage URI ({first})") from None


def write_bytes(path: str, data: bytes) -> None:
    """Whole-file write that readers never see half done."""
    if is_uri(path):
        fs, p = _remote(path)
        fs.create_dir(p.rsplit("/", 1)[0], recursive=True)
        with fs.open_output_stream(p) as fh:
            fh.write(data)
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_text(path: str, text: str) -> None:
    write_bytes(path, text.encode())


def read_text(path: str) -> str | None:
    """The file's text, or None when it does not exist (yet): trials write their files as they go."""
    try:
        if is_uri(path):
            fs, p = _remote(path)
            with fs.open_input_stream(p) as fh:
                data = fh.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except (FileNotFoundError, OSError):
        return None
    try:
        return data.decode()
    except UnicodeDecodeError as err:  # every file dartsweep writes is UTF-8: this one was damaged or replaced
        raise CliError(f"{path}: not UTF-8 text (byte {data[err.start]:#04x} at offset {err.start}); "
                       "expected the file dartsweep wrote there") from None


def remove_file(path: str) -> None:
    """Deletes one file (no error when it is already gone)."""
    if is_uri(path):
        fs, p = _remote(path)
        try:
            fs.delete_file(p)
        except FileNotFoundError:
            pass
        return
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def exists(path: str) -> bool:
    if is_uri(path):
        fs, p = _remote(path)
        return fs.get_file_info(p).type != pafs.FileType.NotFound
    return os.path.exists(path)


def list_dirs(path: str) -> list[str]:
    """Names of the directories directly inside ``path`` ([] when it does not exist)."""
    if is_uri(path):
        fs, p = _remote(path)
        infos = fs.get_file_info(pafs.FileSelector(p, allow_not_found=True))
        return [info.base_name for info in infos if info.type == pafs.FileType.Directory]
    if not os.path.isdir(path):
        return []
    return [name for name in os.listdir(path) if os.path.isdir(os.path.join(path, name))]


def check_shared_storage(storage: str, nodes: int, shared: bool = False) -> None:
    """Trials on other nodes write to ``storage``; a path only this machine sees would scatter results."""
    if nodes <= 1 or shared or storage.startswith(SHARED_SCHEMES):
        return
    raise CliError(
        f"the Ray cluster has {nodes} nodes but storage {storage!r} is a local path: trials on other nodes "
        "would write their checkpoints and results there on their own disks. Use s3:// or gs:// storage "
        "(--storage s3://bucket/dartsweep), or a path every node mounts (NFS) with `storage_shared: true`"
    )


def remove_tree(path: str) -> None:
    """Delete a directory and everything under it; nothing when it does not exist."""
    if is_uri(path):
        fs, p = _remote(path)
        try:
            fs.delete_dir(p)
        except FileNotFoundError:
            pass
        return
    shutil.rmtree(path, ignore_errors=True)
