"""Extensions registered from outside the package: modules named in ``$DARTSWEEP_PLUGINS``.

A researcher's own family, space, regulariser or selection rule lives in their own module that calls the
``register_*`` functions. Listing it in ``DARTSWEEP_PLUGINS`` (comma-separated module names, importable on
``PYTHONPATH``) imports it on the first registry lookup in *every* process — the CLI, the sweep driver and
each Ray trial worker (local Ray workers inherit the driver's environment; on a cluster pass the variable
in the job's ``runtime_env``) — so sweeps can name its entries like built-in ones.
"""

from __future__ import annotations

import importlib
import os

ENV = "DARTSWEEP_PLUGINS"
_loaded: set[str] = set()


def load_plugins() -> list[str]:
    """Import every module in ``$DARTSWEEP_PLUGINS`` not imported yet; returns their names."""
    names = [n.strip() for n in os.environ.get(ENV, "").split(",") if n.strip()]
    for name in names:
        if name not in _loaded:
            _loaded.add(name)
            try:
                importlib.import_module(name)
            except ImportError as err:
                _loaded.discard(name)
                raise ImportError(f"{ENV}: cannot import plugin module {name!r} ({err}); is it on PYTHONPATH?") from err
    return names
