"""Paper artifacts: every table and figure of the five papers as a registry entry that knows its sweep files,
how to build our numbers from their Parquet results, and how to render them beside the paper's reported
numbers (``analysis/references``; figures: images with 95% confidence bands, ``analysis.artifacts.figures``).
``dartsweep report`` renders all of them; docs/reproduce.md lists them.

Pure pandas/matplotlib/PyYAML, like the rest of ``analysis``. Each paper's module registers its artifacts on
import; :data:`PAPER_MODULES` lists the built-in ones.
"""

from __future__ import annotations

import importlib

from analysis.artifacts.base import ARTIFACTS, STATISTICS, Artifact, for_paper, register
from analysis.artifacts.render import table_files

PAPER_MODULES = ("em_darts", "nb201_tables", "darts_pt", "darts_pt_figures", "single_darts",
                 "ber", "probe_figures", "collapse", "is_darts")
for _name in PAPER_MODULES:
    importlib.import_module(f"analysis.artifacts.{_name}")


def render(artifact: Artifact, trials, epochs) -> dict[str, str]:
    """Report files (by extension) of an artifact from its sweeps' trials and epochs."""
    renderer = artifact.render or table_files
    return dict(renderer(artifact, artifact.build(trials, epochs), artifact.reference_table()))


__all__ = ["ARTIFACTS", "PAPER_MODULES", "STATISTICS", "Artifact", "for_paper", "register", "render"]
