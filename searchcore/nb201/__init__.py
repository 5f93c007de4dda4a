"""NAS-Bench-201 ground truth: the compact 15,625-row table and the converter from the official files.

Neither module imports torch at import time (``official`` loads torch, ``nas_201_api`` and ``nats_bench``
only while converting), so ``from searchcore.nb201 import NB201Table`` stays light for ``analysis/``.
"""

from __future__ import annotations

from searchcore.nb201.official import import_official
from searchcore.nb201.table import (
    COLUMNS,
    QUERY_KEYS,
    ArchNotFoundError,
    NB201Table,
    default_table_path,
)

__all__ = [
    "COLUMNS", "QUERY_KEYS", "ArchNotFoundError", "NB201Table", "default_table_path", "import_official",
]
