"""The paper artifact (one table or figure of a paper) and the ``ARTIFACTS`` registry.

An :class:`Artifact` names its paper (the key of ``sweeps/<paper>/`` and ``analysis/references/<paper>.yaml``),
its number and caption, the sweep files whose results it is built from, a builder that turns those results into
our numbers (a tidy frame, :data:`OURS_COLUMNS`), the statistic over seeds, and a renderer that writes them
beside the paper's reported numbers. Papers register their artifacts in their own module
(``analysis/artifacts/<paper>.py``); :func:`register` refuses a key twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from analysis.references import RefTable, table

Builder = Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]
"""(trials, epochs) of the artifact's sweeps, concatenated -> our numbers, one row per (row, column)."""
Renderer = Callable[["Artifact", pd.DataFrame, "RefTable | None"], Mapping[str, "str | bytes"]]
"""(artifact, our numbers, the paper's table) -> file contents by extension (tables: ``md``, ``csv``, ``tex``;
figures: ``png``, ``pdf`` as bytes, ``csv``, ``md``: ``analysis.artifacts.figures``)."""

OURS_COLUMNS = ("row", "column", "n", "mean", "std")
"""What a builder returns: the paper's row label and column key, trials aggregated, mean (or the best trial's
or the config's value) and std (NaN where the statistic has none)."""

STATISTICS = {
    "mean": "mean ± sample std over seeds",
    "best": "the best of N seeds (by test accuracy), that trial's value",
    "value": "the configured value (every trial agrees)",
}
"""How a cell aggregates its trials (``analysis.tables.summarise`` computes ``mean`` and ``best``)."""


@dataclass(frozen=True)
class Artifact:
    paper: str
    """``em_darts``, ``darts_pt``, ``is_darts``, ``single_darts``, ``ber``: the folder under ``sweeps/``."""
    number: str
    """As the paper numbers it: ``Table 1``, ``Figure 2``."""
    caption: str
    """Our one-line description (not the paper's caption)."""
    kind: Literal["table", "figure"]
    sweeps: tuple[str, ...]
    """Sweep files (``sweeps/<paper>/...yaml``, relative to the repository) in run order: sources first."""
    build: Builder
    statistic: str
    reference: str | None = None
    """The table of ``analysis/references/<paper>.yaml`` holding the paper's numbers (None: none reported)."""
    render: Renderer | None = None
    """None: :func:`analysis.artifacts.render.table_files`."""
    digits: int = 2
    notes: tuple[str, ...] = field(default=())
    """What differs from the paper's setting (run counts, rows filled from another paper's sweep)."""

    def __post_init__(self) -> None:
        if self.kind not in ("table", "figure"):
            raise ValueError(f"{self.paper} {self.number}: kind must be table or figure, not {self.kind!r}")
        if self.statistic not in STATISTICS:
            raise ValueError(f"{self.paper} {self.number}: unknown statistic {self.statistic!r}; "
                             f"allowed: {', '.join(STATISTICS)}")
        if not self.sweeps:
            raise ValueError(f"{self.paper} {self.number}: name the sweep files that produce it")

    @property
    def key(self) -> str:
        """``em_darts/table1``: the registry key and the base name of its report files."""
        return f"{self.paper}/{re.sub(r'[^a-z0-9]+', '', self.number.lower())}"

    def reference_table(self) -> RefTable | None:
        return None if self.reference is None else table(self.paper, self.reference)


ARTIFACTS: dict[str, Artifact] = {}


def register(artifact: Artifact) -> Artifact:
    if artifact.key in ARTIFACTS:
        raise ValueError(f"artifact {artifact.key!r} is registered twice")
    ARTIFACTS[artifact.key] = artifact
    return artifact


def for_paper(paper: str | None = None) -> list[Artifact]:
    """The registered artifacts (of one paper), in registration order."""
    return [a for a in ARTIFACTS.values() if paper is None or a.paper == paper]
