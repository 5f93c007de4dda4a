"""The protocol every discrete architecture follows, whatever its family."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Architecture(Protocol):
    """A derived (discrete) architecture.

    * ``to_str()``: the text form the literature uses (NB201 arch string, ``Genotype(...)``); its family's
      ``parse_architecture`` reads it back.
    * ``cell_ops()``: the ops it uses, per cell type, in edge order: what the collapse metrics count.
    * ``benchmark_key()``: the key of a tabular benchmark (the NB201 arch string), or None.
    """

    def to_str(self) -> str: ...

    def cell_ops(self) -> dict[str, list[str]]: ...

    def benchmark_key(self) -> str | None: ...


def architecture_ops(architecture: Architecture) -> list[str]:
    """Every op the architecture uses, cell type after cell type."""
    return [op for ops in architecture.cell_ops().values() for op in ops]
