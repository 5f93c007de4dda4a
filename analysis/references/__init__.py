"""The papers' reported numbers as data: ``analysis/references/<paper>.yaml``, one file per paper.

Each file names the paper's text file in ``shared/papers/`` and holds, per table, its columns (key and label,
in the paper's order) and its rows in the paper's order: a clean label (``row``), the label as it reads in the
text file (``text``) and the printed values (``"39.77 ± 0.00"``, ``"91.61"``, ``"-"`` for a blank). Values stay
the strings the paper prints, so the number of decimals survives and a test can find each one on its line of
the text (tests/analysis/test_references.py); :class:`Reported` parses them. Plain checks, no pydantic: the
schema is small and ``analysis`` stays pandas/matplotlib/PyYAML only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
BLANK = "-"
_VALUE = re.compile(r"^(?P<mean>-?\d+(?:\.\d+)?)(?:\s*±\s*(?P<std>\d+(?:\.\d+)?))?$")


class ReferenceSchemaError(ValueError):
    """A reference file that does not follow the schema (the message names the file and the entry)."""


@dataclass(frozen=True)
class Reported:
    """One printed number: ``mean`` and ``std`` as the paper prints them (strings) and as floats."""
    text: str

    @property
    def blank(self) -> bool:
        return self.text == BLANK

    @property
    def parts(self) -> tuple[str | None, str | None]:
        if self.blank:
            return None, None
        m = _VALUE.match(self.text)
        assert m is not None  # checked on load
        return m["mean"], m["std"]

    @property
    def mean(self) -> float | None:
        mean, _ = self.parts
        return None if mean is None else float(mean)

    @property
    def std(self) -> float | None:
        _, std = self.parts
        return None if std is None else float(std)


@dataclass(frozen=True)
class RefColumn:
    key: str
    label: str


@dataclass(frozen=True)
class RefRow:
    row: str
    """Our label of the row (what artifacts match their rows against)."""
    text: str
    """How the row's label reads in the paper's text file (provenance)."""
    values: tuple[Reported, ...]


@dataclass(frozen=True)
class RefTable:
    paper: str
    file: str
    table: str
    anchor: str
    """A string on a line before the table in the text file: rows are looked for after it, in order."""
    unit: str
    quantity: str
    columns: tuple[RefColumn, ...]
    rows: tuple[RefRow, ...]

    def row(self, label: str) -> RefRow:
        for r in self.rows:
            if r.row == label:
                return r
        raise KeyError(f"{self.paper} {self.table}: no row {label!r}; rows: {', '.join(r.row for r in self.rows)}")

    def provenance(self, row: str, column: str) -> str:
        """``000_….txt, Table 1, row 'DARTS (1st)', column 'CIFAR-10 valid'``."""
        return f"{self.file}, {self.table}, row {row!r}, column {column!r}"


def _need(entry: dict, key: str, where: str, kind: type = str):
    if key not in entry:
        raise ReferenceSchemaError(f"{where}: missing {key!r}")
    value = entry[key]
    if not isinstance(value, kind):
        raise ReferenceSchemaError(f"{where}: {key!r} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def parse(body: dict, where: str) -> dict[str, RefTable]:
    """The tables of one reference file's YAML body, checked: every row has one value per column and every
    value is a number, ``mean ± std`` or ``-``."""
    paper, file = _need(body, "paper", where), _need(body, "file", where)
    tables: dict[str, RefTable] = {}
    for t in _need(body, "tables", where, list):
        name = _need(t, "table", where)
        at = f"{where}: {name}"
        columns = tuple(RefColumn(_need(c, "key", at), str(_need(c, "label", at)))
                        for c in _need(t, "columns", at, list))
        if len({c.key for c in columns}) != len(columns):
            raise ReferenceSchemaError(f"{at}: column keys repeat")
        rows = []
        for r in _need(t, "rows", at, list):
            label = str(_need(r, "row", at))
            values = tuple(Reported(str(v).strip()) for v in _need(r, "values", f"{at}, row {label!r}", list))
            if len(values) != len(columns):
                raise ReferenceSchemaError(f"{at}, row {label!r}: {len(values)} values for {len(columns)} columns")
            for v in values:
                if not v.blank and not _VALUE.match(v.text):
                    raise ReferenceSchemaError(f"{at}, row {label!r}: {v.text!r} is no number, 'mean ± std' or '-'")
            rows.append(RefRow(label, str(r.get("text", label)), values))
        if len({r.row for r in rows}) != len(rows):
            raise ReferenceSchemaError(f"{at}: row labels repeat")
        if name in tables:
            raise ReferenceSchemaError(f"{at}: table listed twice")
        tables[name] = RefTable(paper, file, name, _need(t, "anchor", at), str(t.get("unit", "")),
                                str(t.get("quantity", "")), columns, tuple(rows))
    return tables


@cache
def load(paper: str) -> dict[str, RefTable]:
    """``analysis/references/<paper>.yaml``'s tables by name (``"Table 1"``)."""
    path = HERE / f"{paper}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"no reference numbers for paper {paper!r} ({path})")
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


def papers() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.yaml"))


def table(paper: str, name: str) -> RefTable:
    tables = load(paper)
    if name not in tables:
        raise KeyError(f"{paper}: no reference table {name!r}; tables: {', '.join(tables)}")
    return tables[name]
