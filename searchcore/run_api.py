"""The public face of a running search that selection rules' epoch hooks use (IS-DARTS shrinking, ...).

Hooks are typed against this protocol rather than against :class:`searchcore.search.SearchRun`, so
``searchcore.selection`` never imports ``searchcore.search`` (the search loop imports the selection
rules, not the other way round).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol

import torch

from searchcore.architectures import Architecture
from searchcore.config import SearchConfig
from searchcore.spaces import SearchSpace
from searchcore.supernets.base import Supernet


class SearchRunAPI(Protocol):
    cfg: SearchConfig
    space: SearchSpace
    model: Supernet
    epoch: int
    """Epochs completed (inside an epoch hook: the one-indexed epoch that just finished)."""

    def batches(self, split: str, epoch: int, augment: bool = True, shuffle: bool = True,
                limit: int | None = None) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches of split ``train``, ``val`` or ``full`` for data epoch ``epoch`` (seeded, reproducible)."""

    def weight_split(self) -> str:
        """The split the weights train on (``full`` = train+val when no α is trained on the val half)."""

    def prepare_batch(self, x: torch.Tensor) -> torch.Tensor:
        """Put an input batch in the model's memory format."""

    def autocast(self) -> AbstractContextManager[Any]: ...

    def train_epoch(self, epoch: int, mutator: Any = None, update_alpha: bool = True) -> dict[str, Any]:
        """One pass of search iterations; ``update_alpha=False`` trains the weights only."""

    def evaluate(self, epoch: int) -> dict[str, float]:
        """Supernet ``val_loss`` / ``val_acc`` on the α split."""

    def architecture(self) -> Architecture:
        """The architecture the search's selection rule reads off the supernet now."""

    def architecture_metrics(self, architecture: Architecture | None = None) -> dict[str, Any]:
        """Text form, benchmark key, op counts and benchmark scores of ``architecture`` (default: the
        current one)."""


EpochHook = Callable[[SearchRunAPI, dict[str, Any]], None]
"""Called after each epoch's metrics, before its checkpoint; may add metrics and change masks."""
