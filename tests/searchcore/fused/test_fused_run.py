"""Fused runs: exact resume, per-seed checkpoints a run alone (and selection) can load, a seed that diverges
alone, and the combinations refused with the reason."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
import torch

from searchcore.fused import FusedSearchRun, NullFusedReporter, fusion_problem
from searchcore.methods.resolve import resolve_config
from searchcore.search import SearchRun

TINY = {
    "epochs": 3, "supernet.channels": 4, "supernet.cells_per_stage": 1, "data.batch_size": 16,
    "data.limit_train_images": 96, "data.max_batches": 2, "data.eval_batches": 1, "threads": 1,
}


def _configs(method="em-darts", space="nb201", seeds=(0, 1, 2), **over):
    return [resolve_config(method, space, "digits", {**TINY, **over, "seed": s}) for s in seeds]


class Keeping(NullFusedReporter):
    """Keeps every checkpoint (``epoch_<n>``) and offers ``restore`` on start."""

    persists_checkpoints = True

    def __init__(self, size: int, root: Path, restore: str | None = None) -> None:
        super().__init__(size)
        self.root, self.restore = root, restore

    def report(self, rows, checkpoint_dir=None):
        super().report(rows)
        if checkpoint_dir:
            epoch = next(iter(rows.values()))["epoch"]
            shutil.copytree(checkpoint_dir, self.root / f"epoch_{epoch}")

    def restore_dir(self):
        return self.restore


def _strip(rows):
    timing = ("epoch_seconds", "fused_epoch_seconds", "images_per_second", "peak_memory_mb")
    return [{k: v for k, v in r.items() if k not in timing} for r in rows]


def test_resume_from_a_fused_checkpoint_continues_the_same_trajectory(tmp_path):
    configs = _configs(**{"method.mutation.p_max": 0.7, "method.mutation.ramp_epochs": 1})
    whole = Keeping(3, tmp_path / "whole")
    FusedSearchRun(configs, whole).run()
    resumed = Keeping(3, tmp_path / "resumed", restore=str(tmp_path / "whole" / "epoch_1"))
    FusedSearchRun(configs, resumed).run()
    for k in range(3):
        assert [r["epoch"] for r in resumed.history[k]] == [2, 3]
        assert _strip(resumed.history[k]) == _strip(whole.history[k][1:])


def test_each_seed_checkpoint_is_the_checkpoint_of_its_run_alone(tmp_path):
    configs = _configs(epochs=1)
    reporter = Keeping(3, tmp_path)
    FusedSearchRun(configs, reporter).run()
    for k, cfg in enumerate(configs):
        directory = tmp_path / "epoch_1" / f"seed_{k}"
        size = (directory / "state.pt").stat().st_size
        alone = SearchRun(cfg)
        alone.restore(str(directory))
        assert alone.epoch == 1
        assert json.loads(reporter.history[k][-1]["alphas"]) == json.loads(alone.weight_metrics()["alphas"])
        assert alone.architecture_metrics()["genotype"] == reporter.history[k][-1]["genotype"]
        assert size < 2 * sum(t.numel() * t.element_size() for t in alone.model.state_dict().values()) + 200_000, \
            "a seed's checkpoint holds the other replicas too (views of the stack saved whole)"
    record = json.loads((tmp_path / "epoch_1" / "fused.json").read_text())
    assert record == {"seeds": [0, 1, 2], "failed": {}}


def test_a_diverging_seed_stops_alone(monkeypatch):
    configs = _configs("darts", epochs=2)
    run = FusedSearchRun(configs, NullFusedReporter(3))
    with torch.no_grad():
        run.runs[1].model.alphas["cell"][0, 0] = float("nan")  # seed 1's α: shares storage with the stack
    assert torch.isnan(run.stack.params["alphas.cell"][1, 0, 0])
    run.run()
    reporter = run.reporter
    assert set(reporter.failed) == {1} and "diverged at epoch 1" in reporter.failed[1]
    assert [len(h) for h in reporter.history] == [2, 0, 2]
    clean = NullFusedReporter(2)  # the others as if seed 1 had never been there (to float32 rounding: 3 groups
    FusedSearchRun([configs[0], configs[2]], clean).run()  # of convolutions do not sum exactly as 2 do)
    for mine, theirs in ((clean.history[0], reporter.history[0]), (clean.history[1], reporter.history[2])):
        for a, b in zip(mine, theirs):
            assert a["epoch"] == b["epoch"]
            for key in ("train_loss", "arch_loss", "val_loss"):
                assert math.isclose(a[key], b[key], rel_tol=1e-3), (key, a[key], b[key])


@pytest.mark.parametrize(("configs", "reason"), [
    (lambda: _configs("darts-2nd"), "second-order"),
    (lambda: _configs("is-darts", epochs=10), "IS-DARTS"),
    (lambda: _configs("darts", "s4", **{"supernet.layers": 3}), "noise"),
    (lambda: [*_configs(seeds=(0,)), *_configs(seeds=(1,), epochs=2)], "every setting but the seed"),
    (lambda: _configs(seeds=(0, 0)), "must differ"),
])
def test_what_cannot_run_fused_is_refused_with_the_reason(configs, reason):
    cfgs = configs()
    assert reason in fusion_problem(cfgs)
    with pytest.raises(ValueError, match=reason):
        FusedSearchRun(cfgs)


def test_every_family_can_run_fused():
    assert fusion_problem(_configs("darts", "darts", **{"supernet.layers": 3})) == ""
    configs = _configs("darts", "mobilenet", epochs=1, seeds=(0, 1), **{"supernet.channels": 8, "data.max_batches": 1})
    assert fusion_problem(configs) == ""
    reporter = NullFusedReporter(2)
    FusedSearchRun(configs, reporter).run()
    assert all(len(h) == 1 and h[0]["genotype"] for h in reporter.history)
