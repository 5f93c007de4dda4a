"""Every preset runs one epoch on the embedded data (directly; the harness runs them in tests/harness)."""

import math

import pytest

from searchcore.methods.presets import PRESETS, resolve_config
from searchcore.search import NullReporter, SearchRun

TINY = {
    "epochs": 1, "supernet.channels": 4, "supernet.cells_per_stage": 1, "data.batch_size": 16,
    "data.limit_train_images": 64, "data.max_batches": 2, "data.eval_batches": 1,
}


@pytest.mark.parametrize("preset", PRESETS.names())
def test_preset_runs_one_epoch(preset):
    rep = NullReporter()
    cfg = resolve_config(preset, "nb201", "digits", TINY)
    if cfg.method.shrink.enabled:  # IS-DARTS: 2 epochs, one pruning step after the first
        cfg = resolve_config(preset, "nb201", "digits", {**TINY, "epochs": 2, "method.shrink.steps": 1,
                                                         "method.shrink.interval": 1, "method.shrink.samples": 8})
    SearchRun(cfg, rep).run()
    m = rep.history[-1]
    assert m["method"] == cfg.method.name and m["activation"] == cfg.method.activation
    assert math.isfinite(m["train_loss"]) and m["arch"].count("~") == 6
