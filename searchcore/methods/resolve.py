"""From (method, space, dataset, overrides) to a validated :class:`SearchConfig`: the one place where
presets are applied (the search command, sweeps and ``dartsweep methods`` all call it)."""

from __future__ import annotations

from typing import Any

from searchcore.config import SearchConfig, deep_merge, set_dotted
from searchcore.methods.presets import PRESETS, Preset
from searchcore.spaces import get_space


def resolve_preset(method: str, space: str, dataset: str) -> Preset:
    """The preset ``method`` for ``space`` and ``dataset`` (unknown names fail with the allowed ones)."""
    get_space(space)
    return PRESETS.get(method)(space, dataset)


def resolve_config(
    method: str = "darts", space: str = "nb201", dataset: str = "digits",
    overrides: dict[str, Any] | None = None,
) -> SearchConfig:
    """Defaults <- preset(space, dataset) <- user overrides (dotted keys), validated."""
    preset = resolve_preset(method, space, dataset)
    tree: dict[str, Any] = {"space": space, "data": {"dataset": dataset}}
    for key, value in preset.overrides.items():
        set_dotted(tree, key, value)
    user: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        set_dotted(user, key, value)
    return SearchConfig.model_validate(deep_merge(tree, user))
