"""Trial ids: ``t000_seed=0,p_max=0.2``, deterministic, readable, unique within a sweep.

The id names the trial's directory and Tune's trial, so ``dartsweep resume`` finds the same trials again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from harness.sweepfile.model import SOURCE_KEY


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (list, tuple)):
        text = "-".join(_fmt(v) for v in value)
    else:
        text = str(value)
    return re.sub(r"[^A-Za-z0-9._+-]", "_", text)


def trial_names(params: list[dict[str, Any]], hide: tuple[str, ...] = ()) -> list[str]:
    """``t000_seed=0,p_max=0.2``: index plus the swept values; short key names unless ambiguous. The index
    alone makes names unique, so ``hide`` (file paths, zipped beside their data set) can be left out."""
    name = trial_namer(list(params[0]) if params else [], len(params), hide)
    return [name(i, p) for i, p in enumerate(params)]


def trial_namer(keys: list[str], total: int, hide: tuple[str, ...] = ()) -> Callable[[int, dict[str, Any]], str]:
    """:func:`trial_names` one trial at a time (expansion streams): the swept ``keys`` and the number of trials
    fix every name, so no trial needs the others' values."""
    keys = [k for k in keys if k not in hide and not k.startswith(SOURCE_KEY + ".")]
    short = {k: k.rsplit(".", 1)[-1] for k in keys}
    if len(set(short.values())) < len(short):
        short = {k: k for k in keys}
    short[SOURCE_KEY] = "src"  # a chained trial's search trial, by its index: src=t003
    width = max(3, len(str(total - 1)))

    def name(i: int, p: dict[str, Any]) -> str:
        body = ",".join(f"{short[k]}={_label(k, p[k])}" for k in keys)
        return (f"t{i:0{width}d}" + (f"_{body}" if body else ""))[:120]

    return name


def _label(key: str, value: Any) -> str:
    return str(value).split("_", 1)[0] if key == SOURCE_KEY else _fmt(value)
