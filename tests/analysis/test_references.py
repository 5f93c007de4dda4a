"""analysis.references: the papers' numbers as data. The schema is checked on every file; a sample of entries
(every row of every table, which is all of them) is checked against the paper's text in ../shared/papers/:
each row's label is found after the table's anchor, in the paper's row order, and its printed numbers appear
on that line in column order."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import references
from analysis.artifacts import ARTIFACTS
from analysis.references import ReferenceSchemaError, parse

PAPERS = Path(__file__).resolve().parents[3] / "shared" / "papers"


def _tables():
    return [(p, name) for p in references.papers() for name in references.load(p)]


def test_every_artifact_names_a_reference_table_that_loads():
    for artifact in ARTIFACTS.values():
        if artifact.reference is not None:
            t = artifact.reference_table()
            assert t.paper == artifact.paper and t.rows and t.columns


def test_values_parse_as_printed():
    t = references.table("em_darts", "Table 1")
    darts = t.row("DARTS (1st)").values[0]
    assert (darts.mean, darts.std, darts.parts) == (39.77, 0.0, ("39.77", "0.00"))
    optimal = t.row("Optimal").values[-1]
    assert (optimal.mean, optimal.std) == (47.31, None)
    swap = references.table("ber", "Table 1").row("SWAP").values
    assert swap[0].blank and swap[1].mean is None and swap[2].mean == 90.48
    assert "Table 1" in t.provenance("EM-DARTS", "CIFAR-10 test") and t.file in t.provenance("EM-DARTS", "x")
    growth = references.table("em_darts", "Table 4")  # printed as $91.52 \pm 0.02$ in the text
    assert [r.row for r in growth.rows] == ["linear", "exponential", "cosine"]
    assert growth.row("exponential").values[0].parts == ("91.52", "0.02")
    cost = references.table("em_darts", "Table 6").row("EM-DARTS (p_max = 0.5)").values
    assert cost[0].blank and cost[2].parts == ("0.407", None)
    pt = references.table("darts_pt", "Table 4")  # 001_… Table 4: test error, the NB201 row printed "45.7"
    assert [c.key for c in pt.columns] == ["darts", "darts_pt", "darts_pt_fix_alpha"]
    assert [v.parts for v in pt.row("NAS-Bench-201").values] == [("45.7", None), ("11.89", None), ("6.20", None)]
    assert pt.row("DARTS Space").values[1].mean == 2.61
    levels = references.table("single_darts", "Table 4")  # 003_… Table 4: rows marked by ticks, bold best row
    assert [r.row for r in levels.rows] == ["bi-level", "same subset", "same batch"]
    assert levels.row("same batch").values[2].parts == ("46.10", "0.34")  # printed "<b>46.10</b> ±0.34"
    ablation = references.table("single_darts", "Table 5")  # the method printed on a group's first line only
    assert len(ablation.rows) == 15 and ablation.row("DARTS, lr 0.001").values[1].parts == ("68.21", "1.15")
    assert ablation.row("Single-DARTS, Sigmoid*").values[0].parts == ("93.76", "0")
    assert ablation.row("DARTS, Adam").text == "\tAdam\t" and ablation.row("DARTS, Adam").values[0].mean == 80.57
    memory = references.table("ber", "Table 3")  # 004_… Table 3: one number per cell, "-" where SNAS has none
    assert [v.text for v in memory.row("DARTS").values] == ["8554", "9400", "10580", "8554"]
    assert memory.row("NAS-Bench-201").values[1].blank and memory.row("NAS-Bench-201").values[2].mean == 949


@pytest.mark.parametrize(("body", "needle"), [
    ({"file": "f", "tables": []}, "missing 'paper'"),
    ({"paper": "p", "file": "f", "tables": [{"table": "T", "anchor": "a", "columns": [{"key": "a", "label": "A"}],
                                             "rows": [{"row": "r", "values": ["1", "2"]}]}]}, "2 values for 1"),
    ({"paper": "p", "file": "f", "tables": [{"table": "T", "anchor": "a", "columns": [{"key": "a", "label": "A"}],
                                             "rows": [{"row": "r", "values": ["1.0 +- 2"]}]}]}, "is no number"),
])
def test_schema_errors_name_the_entry(body, needle):
    with pytest.raises(ReferenceSchemaError, match=needle):
        parse(body, "x.yaml")


@pytest.mark.parametrize(("paper", "name"), _tables())
def test_reference_numbers_match_the_paper_text(paper, name):
    t = references.table(paper, name)
    path = PAPERS / t.file
    if not path.exists():
        pytest.skip(f"{path} absent (the papers live in ../shared/papers beside the repository)")
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if t.anchor in line), None)
    assert start is not None, f"{t.file}: anchor {t.anchor!r} of {name} not found"
    cursor = start
    for row in t.rows:
        at = next((i for i in range(cursor, min(cursor + 80, len(lines))) if row.text in lines[i]), None)
        assert at is not None, f"{t.file} {name}: row {row.row!r} ({row.text!r}) not found after line {cursor + 1}"
        line, pos = lines[at], lines[at].index(row.text) + len(row.text)
        for column, value in zip(t.columns, row.values, strict=True):
            for part in value.parts:
                if part is None:
                    continue
                found = line.find(part, pos)
                assert found >= 0, f"{t.file}:{at + 1} {name} row {row.row!r} {column.label}: {part!r} not in order"
                pos = found + len(part)
        cursor = at + 1
