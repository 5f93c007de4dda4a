"""docs/fidelity.md embeds ``dartsweep methods --markdown``, and every default and preset value has a source."""

from pathlib import Path

from harness.method_docs import BEGIN, COMBOS, END, _fields, embed, source_of
from searchcore.config import SearchConfig
from searchcore.methods.presets import PRESETS

DOC = Path(__file__).resolve().parents[2] / "docs" / "fidelity.md"


def test_fidelity_doc_is_up_to_date():
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    assert embed(text) == text, "regenerate: python -m harness.method_docs docs/fidelity.md"


def test_every_config_default_says_where_it_comes_from():
    missing = [key for key, _, doc in _fields(SearchConfig) if not doc.split("(one of")[0].strip()]
    assert missing == []


def test_every_preset_value_has_a_source_and_appears_in_the_doc():
    text = DOC.read_text(encoding="utf-8")
    for name in PRESETS.names():
        section = text.split(f"### `{name}`", 1)[1].split("### `", 1)[0]
        for space, dataset in COMBOS:
            preset = PRESETS.get(name)(space, dataset)
            for key in preset.overrides:
                if key == "method.name":
                    continue
                assert source_of(preset, key), (name, space, dataset, key)
                assert f"`{key}`" in section, (name, key)
