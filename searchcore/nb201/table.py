"""NAS-Bench-201 ground truth as one compact 15,625-row table (reference-notes §2.3).

The official API needs tens of GB of host RAM to build (reference-notes §2.3, "Memory"), so it is never
constructed inside a search: ``dartsweep nb201 import`` converts the official file once into a small
Parquet table (``searchcore/nb201/official.py``), and the search loop scores its derived architecture
once per epoch through :meth:`NB201Table.lookup`, a plain dict lookup.

Every number is the 200-epoch schedule (``hp='200'``) averaged over seeds (``is_random=False``). Which
API field (or which column of which file) each column holds is kept next to the data, in
:attr:`NB201Table.provenance` (the Parquet schema metadata on disk), because papers disagree on what
"valid" means: EM-DARTS' reported 91.55 / 73.49 / 46.37 are x-valid accuracies, not test accuracies.

This module imports neither torch nor Ray, so ``analysis/`` can use it; arch strings are validated with
``searchcore.architectures.nb201.parse_nb201_arch``, imported only when a query needs it.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

COLUMNS = (
    "index", "arch", "cifar10_valid", "cifar10_test", "cifar100_valid", "cifar100_test",
    "imagenet16_valid", "imagenet16_test", "params_m", "flops_m",
)
QUERY_KEYS = COLUMNS[:-1]
"""Keys of :meth:`NB201Table.query` / :meth:`NB201Table.lookup` results (the CLI prints these)."""
FLOAT_COLUMNS = COLUMNS[2:]

TABLE_ENV = "DARTSWEEP_NB201_TABLE"
_META_PROVENANCE = b"dartsweep.nb201.provenance"
_META_SOURCE = b"dartsweep.nb201.source"

_SHARED = "shared CSV column"
_TOP = "ONLY the top ~1% (157 archs), else null"
SHARED_CSV_COLUMNS: dict[str, tuple[str, str]] = {
    # our column: (column in /work/shared/data/nb201/nb201_200ep.csv, what it holds; see its SOURCE.md)
    "index": ("index", "official API index (query_index_by_arch), from NASWOT"),
    "arch": ("arch_str", "official arch string, from NASWOT"),
    "cifar10_valid": (
        "cifar10_valid_xvalid", "cifar10-valid / x-valid, hp=200, seed mean, NB201 v1.1 (NASWOT)"
    ),
    "cifar10_test": ("cifar10_test", "cifar10 / ori-test, hp=200, seed mean, NB201 v1.1 (NASWOT)"),
    "cifar100_valid": (
        "cifar100_valid_top1pct",
        f"cifar100 / x-valid, hp=200, seed mean, NATS-Bench tss; {_TOP}",
    ),
    "cifar100_test": ("cifar100_test_v10", "cifar100 / x-test, hp=200, seed mean, NB201 v1.0 (RoBoT)"),
    "imagenet16_valid": (
        "imagenet16_valid_top1pct",
        f"ImageNet16-120 / x-valid, hp=200, seed mean, NATS-Bench tss; {_TOP}",
    ),
    "imagenet16_test": (
        "imagenet16_test_v10", "ImageNet16-120 / x-test, hp=200, seed mean, NB201 v1.0 (RoBoT)"
    ),
    "params_m": ("params_M", "parameters in millions, CIFAR-10 head (NASWOT)"),
}


class ArchNotFoundError(KeyError):
    """An arch string or index that is not in the table; the message says which and why."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0])


class NB201Table:
    """Arch string / index -> 200-epoch seed-mean accuracies (%), params and FLOPs (millions)."""

    def __init__(self, frame: pd.DataFrame, provenance: Mapping[str, str], source: str = "") -> None:
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"NB201 table lacks columns {missing}; expected {list(COLUMNS)}")
        frame = frame.loc[:, list(COLUMNS)].reset_index(drop=True)
        frame = frame.astype({"index": "int64", **{c: "float64" for c in FLOAT_COLUMNS}})
        frame["arch"] = frame["arch"].astype(str)
        self._frame = frame
        self.provenance: dict[str, str] = {c: str(provenance.get(c, "unknown")) for c in COLUMNS}
        self.source = source
        # Plain Python lists so a lookup touches no pandas machinery; NaN -> None once, here.
        self._cols: dict[str, list] = {c: frame[c].tolist() for c in ("index", "arch")}
        for c in FLOAT_COLUMNS:
            self._cols[c] = [None if math.isnan(x) else x for x in frame[c].tolist()]
        self._by_arch = {a: row for row, a in enumerate(self._cols["arch"])}
        self._by_index = {i: row for row, i in enumerate(self._cols["index"])}
        if len(self._by_arch) != len(frame) or len(self._by_index) != len(frame):
            raise ValueError("NB201 table has duplicate arch strings or indices")

    # ------------------------------------------------------------------ loading and saving

    @classmethod
    def load(cls, path: str | os.PathLike) -> NB201Table:
        """Our Parquet table, or a CSV: the shared ``nb201_200ep.csv`` layout or one with :data:`COLUMNS`."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"NB201 table not found: {path}")
        if path.suffix == ".parquet":
            return cls._load_parquet(path)
        return cls._load_csv(path)

    @classmethod
    def _load_parquet(cls, path: Path) -> NB201Table:
        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        provenance = json.loads(meta[_META_PROVENANCE]) if _META_PROVENANCE in meta else {}
        if not provenance:
            provenance = {c: f"unknown (Parquet {path.name} has no dartsweep metadata)" for c in COLUMNS}
        source = meta.get(_META_SOURCE, b"").decode() or str(path)
        return cls(table.to_pandas(), provenance, source)

    @classmethod
    def _load_csv(cls, path: Path) -> NB201Table:
        frame = pd.read_csv(path)
        if "arch_str" in frame.columns:  # the shared CSV (SOURCE.md): rename, FLOPs absent
            wanted = {src: ours for ours, (src, _) in SHARED_CSV_COLUMNS.items()}
            absent = [src for src in wanted if src not in frame.columns]
            if absent:
                raise ValueError(f"{path} looks like the shared NB201 CSV but lacks columns {absent}")
            frame = frame.rename(columns=wanted)
            frame["flops_m"] = float("nan")
            provenance = {ours: f"{_SHARED} {src}: {what}"
                          for ours, (src, what) in SHARED_CSV_COLUMNS.items()}
            provenance["flops_m"] = "missing: the shared CSV has no FLOPs (all null)"
            return cls(frame, provenance, source=f"shared CSV {path}")
        return cls(frame, {c: f"CSV column {c} of {path.name} (provenance not recorded)" for c in COLUMNS},
                   source=str(path))

    def save_parquet(self, path: str | os.PathLike) -> None:
        """Write Parquet with the provenance in the schema metadata; atomic (tmp file, then os.replace)."""
        path = Path(path)
        table = pa.Table.from_pandas(self._frame, preserve_index=False)
        meta = dict(table.schema.metadata or {})
        meta[_META_PROVENANCE] = json.dumps(self.provenance).encode()
        meta[_META_SOURCE] = self.source.encode()
        table = table.replace_schema_metadata(meta)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            pq.write_table(table, tmp)
            os.chmod(tmp, 0o644)  # mkstemp makes it 0600; the table is read by other users' workers
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # ------------------------------------------------------------------ queries

    def __len__(self) -> int:
        return len(self._frame)

    def __repr__(self) -> str:
        return f"NB201Table({len(self)} archs, source={self.source!r})"

    def to_frame(self) -> pd.DataFrame:
        """A copy of all :data:`COLUMNS` (including ``flops_m``, which query results leave out)."""
        return self._frame.copy()

    def lookup(self, arch: str) -> dict | None:
        """The row of an exact official arch string, or None; no validation (the search loop's fast path)."""
        row = self._by_arch.get(arch)
        return None if row is None else self._record(row)

    def query(self, arch_or_index: str | int) -> dict:
        """Row of an index (int or digit string) or arch string; KeyError if absent, ValueError if bad."""
        return self._record(self._resolve(arch_or_index))

    def _record(self, row: int) -> dict:
        return {key: self._cols[key][row] for key in QUERY_KEYS}

    def _resolve(self, key: str | int) -> int:
        if isinstance(key, bool):
            raise TypeError("an NB201 index must be an int, not a bool")
        if isinstance(key, str) and key.strip().lstrip("-").isdigit():
            key = int(key.strip())
        if isinstance(key, int):
            if key not in self._by_index:
                raise ArchNotFoundError(f"NB201 index {key} is not in the table (it holds {len(self)} archs, "
                                        f"indices {min(self._by_index)}..{max(self._by_index)})")
            return self._by_index[key]
        if not isinstance(key, str):
            raise TypeError(f"query takes an arch string or an index, got {type(key).__name__}")
        from searchcore.architectures.nb201 import nb201_arch_str, parse_nb201_arch

        canonical = nb201_arch_str(parse_nb201_arch(key))  # ValueError with a clear message if malformed
        if canonical not in self._by_arch:
            raise ArchNotFoundError(f"arch {canonical!r} is well formed but not in the table ({self.source})")
        return self._by_arch[canonical]


def default_table_path() -> Path | None:
    """The table named by ``$DARTSWEEP_NB201_TABLE``, or None when it is unset or empty."""
    value = os.environ.get(TABLE_ENV, "").strip()
    return Path(value) if value else None
