"""Tiny evaluation runs on the embedded digits data: a 3-cell C=4 DARTS network (or 1 cell per stage on NB201)
on 64 images, two batches an epoch, one test batch — a fraction of a second per epoch on one CPU thread."""

from __future__ import annotations

from typing import Any

from searchcore.evaluate.config import EvalConfig
from searchcore.evaluate.protocols import resolve_eval_config

TINY: dict[str, Any] = {"network.layers": 3, "network.channels": 4, "data.batch_size": 16,
                        "data.limit_train_images": 64, "data.max_batches": 2, "data.eval_batches": 1, "threads": 1,
                        "data.cutout": 8}
"""Micro scale for any protocol (layers 3: DARTS cells, or NB201 cells per stage)."""

NB201_ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|"


def tiny(protocol: str = "darts-cifar", space: str = "darts", architecture: str = "DARTS_V2",
         **overrides: Any) -> EvalConfig:
    """The protocol's config for ``architecture`` on digits at micro scale (``overrides``: dotted, ``__`` = ``.``)."""
    extra = {k.replace("__", "."): v for k, v in overrides.items()}
    return resolve_eval_config(protocol, space, "digits", {**TINY, "architecture": architecture, **extra})

