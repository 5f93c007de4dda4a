"""The presets and the config defaults as Markdown tables, with the source of every value.

``dartsweep methods --markdown`` prints them; ``docs/fidelity.md`` embeds the output between two markers
and a test keeps the two equal, so the document can never drift from the registries.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel

from searchcore.config import SearchConfig
from searchcore.methods.presets import PRESETS, Preset

COMBOS: tuple[tuple[str, str], ...] = (
    ("nb201", "cifar10"), ("darts", "cifar10"), ("s2", "cifar100"), ("darts", "imagenet"),
    ("mobilenet", "imagenet16"),
)
"""(space, data set) pairs whose preset values are shown: the families, a reduced space, ImageNet, the
MobileNet-like chain on the data set its r-DARTS Table 4 sweep searches (sweeps/ber/table4_search_mobilenet.yaml)."""

BEGIN = "<!-- BEGIN GENERATED: dartsweep methods --markdown -->"
END = "<!-- END GENERATED -->"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def source_of(preset: Preset, key: str) -> str:
    """The preset's source for ``key``: its own entry, else the nearest ``prefix.*`` entry."""
    if key in preset.sources:
        return preset.sources[key]
    parts = key.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        wildcard = ".".join(parts[:cut]) + ".*"
        if wildcard in preset.sources:
            return preset.sources[wildcard]
    return ""


def _values(name: str) -> tuple[dict[str, dict[str, Any]], Preset]:
    values: dict[str, dict[str, Any]] = {}
    first: Preset | None = None
    for space, dataset in COMBOS:
        preset = PRESETS.get(name)(space, dataset)
        first = first or preset
        for key, value in preset.overrides.items():
            values.setdefault(key, {})[f"{space}/{dataset}"] = value
    assert first is not None
    return values, first


def _show(by_combo: dict[str, Any]) -> str:
    distinct = {repr(v) for v in by_combo.values()}
    if len(distinct) == 1 and len(by_combo) == len(COMBOS):
        return f"`{next(iter(by_combo.values()))}`"
    return "; ".join(f"{combo}: `{value}`" for combo, value in by_combo.items())


def preset_tables() -> list[str]:
    lines: list[str] = []
    for name in PRESETS.names():
        values, preset = _values(name)
        lines += [f"### `{name}`", "", preset.summary, "", "| key | value | source |", "|---|---|---|"]
        for key, by_combo in values.items():
            if key == "method.name":
                continue
            sources = {source_of(PRESETS.get(name)(*c.split("/")), key) for c in by_combo}
            source = " / ".join(sorted(s for s in sources if s))
            lines.append(f"| `{key}` | {_cell(_show(by_combo))} | {_cell(source)} |")
        extra = sorted(k for k in preset.sources if k.endswith(".*") or k not in values)
        for key in extra:
            lines.append(f"| `{key}` | (defaults) | {_cell(preset.sources[key])} |")
        lines.append("")
    return lines


def _fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, Any, str]]:
    rows: list[tuple[str, Any, str]] = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            rows += _fields(ann, f"{prefix}{name}.")
        else:
            doc = " ".join((field.description or "").split())
            if typing.get_origin(ann) is typing.Literal:
                doc = f"{doc} (one of {', '.join(map(str, typing.get_args(ann)))})".strip()
            rows.append((f"{prefix}{name}", field.default, doc))
    return rows


def default_table() -> list[str]:
    lines = ["| key | default | meaning and source |", "|---|---|---|"]
    lines += [f"| `{key}` | `{_cell(default)}` | {_cell(doc)} |" for key, default, doc in _fields(SearchConfig)]
    return lines


def methods_markdown() -> str:
    """Every config default and every preset value, each with its source."""
    lines = ["## Search defaults (`SearchConfig`)", "", "Every preset starts from these.", ""]
    lines += default_table()
    lines += ["", "## Presets", "",
              "Values are shown for " + ", ".join(f"{s}/{d}" for s, d in COMBOS) + " where they differ.", ""]
    lines += preset_tables()
    return "\n".join(lines).rstrip() + "\n"


def embed(document: str) -> str:
    """``document`` with the text between :data:`BEGIN` and :data:`END` replaced by the current tables."""
    head, _, rest = document.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{methods_markdown()}\n{END}{tail}"


if __name__ == "__main__":  # python -m harness.method_docs docs/fidelity.md
    import sys

    path = sys.argv[1]
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(embed(text))
