"""The random-sampling baseline as a trainable: ``random_trainable(config, reporter) -> dict`` (no Ray here).

Each trial (seed) draws ONE architecture uniformly from the space (``SpaceFamily.sample_architecture``)
and reports it as a one-epoch "search": the same architecture columns a search reports (``genotype``,
``arch``, op counts, ``nb201_*`` when a table is given) plus ``method: random``, so ``dartsweep table``
gives mean ± std over seeds beside the searched methods, and an evaluation sweep chained after it reads the
architecture from the final row's ``genotype`` as it does for a search.

Sources: EM-DARTS App. A.7, Table 7 ("Random Sampling" on S5, CIFAR-10, mean ± std of 4 runs); DARTS
(Liu et al. 2019) and RobustDARTS (Zela et al. 2020) random-architecture baselines; on NAS-Bench-201 the
benchmark's own uniform draw over its 15,625 cells (Dong & Yang 2020). Nothing is trained, so no
checkpoint is written: a retried trial draws the same architecture again from its seed.
"""

from __future__ import annotations

from typing import Annotated, Any

import torch
from pydantic import Field

from searchcore.architectures import Architecture
from searchcore.config import StrictModel, registry_name
from searchcore.search.metrics import architecture_metrics
from searchcore.search.reporter import NullReporter, Reporter
from searchcore.spaces import SPACES

METHOD = "random"
"""The ``method`` column of its rows (``dartsweep table`` groups searched methods and the baseline by it)."""


class RandomSampleConfig(StrictModel):
    """One random-sampling trial; unknown keys are rejected (house style)."""

    space: Annotated[str, registry_name("searchcore.spaces:SPACES")] = "nb201"
    """Registered search space to draw from (``dartsweep spaces``); its family defines "uniform"."""
    seed: int = Field(0, ge=0)
    """Seeds the draw's own ``torch.Generator`` (never the global RNG): same seed, same architecture."""
    dataset: Annotated[str, registry_name("searchcore.data:DATASETS")] = "cifar10"
    """Registered data set, for provenance only: the draw does not depend on it. CIFAR-10, the data set of
    EM-DARTS Table 7 and of the searches the NB201 tables compare against."""
    nb201_table: str | None = None
    """NAS-Bench-201 table (``dartsweep nb201 import``) that scores the drawn cell (``nb201_*`` columns);
    ignored by families without a benchmark, as in the search (``searchcore.search.loop``)."""


RANDOM_KEYS = tuple(RandomSampleConfig.model_fields)


def sample(cfg: RandomSampleConfig) -> Architecture:
    """The architecture of ``cfg``'s seed, checked against its space."""
    space = SPACES.get(cfg.space)
    architecture = space.family.sample_architecture(space, torch.Generator().manual_seed(cfg.seed))
    problems = space.family.check_architecture(space, architecture)
    if problems:
        raise RuntimeError(f"{space.family.name}.sample_architecture drew an architecture outside {space.name}: "
                           + "; ".join(problems))
    return architecture


def random_trainable(config: dict[str, Any], reporter: Reporter | None = None) -> dict[str, Any]:
    """Draw the seed's architecture and report it once (epoch 1 of 1); returns the reported row."""
    cfg = RandomSampleConfig.model_validate(config)
    reporter = reporter or NullReporter()
    space = SPACES.get(cfg.space)
    benchmark = space.family.benchmark
    table = benchmark.load(cfg.nb201_table) if benchmark is not None and cfg.nb201_table else None
    row = {"method": METHOD, "epochs": 1, "epoch": 1, **architecture_metrics(space, sample(cfg), table)}
    reporter.report(row, None)
    return row
