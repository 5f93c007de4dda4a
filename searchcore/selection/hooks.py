"""Epoch hooks a search config asks for (run after each epoch's metrics, before its checkpoint)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from searchcore.config import SearchConfig


def epoch_hooks(cfg: SearchConfig) -> list[Callable[[Any, dict[str, Any]], None]]:
    hooks: list[Callable[[Any, dict[str, Any]], None]] = []
    if cfg.method.shrink.enabled:
        from searchcore.selection.shrink import ShrinkHook

        hooks.append(ShrinkHook(cfg))
    return hooks
