"""K = 3 fused seeds against three runs alone: the same α, losses, accuracies and derived architectures.

Run in float64 so that what is compared is the algorithm, not rounding: grouped convolutions sum in another order
than plain ones, and at float32 a reduced supernet amplifies those last-bit differences within a few steps (up
to 1e-2 in a loss after 3 epochs on digits, measured), enough to flip an argmax between near-equal α. In float64
the same runs agree to 1e-10 (losses of training steps; evaluation computes its loss in float32, as the loop does).
"""

from __future__ import annotations

import json
import math

import pytest
import torch

from searchcore.fused import FusedSearchRun, NullFusedReporter
from searchcore.methods.resolve import resolve_config
from searchcore.search import NullReporter, SearchRun

TINY = {
    "epochs": 3, "supernet.channels": 4, "supernet.cells_per_stage": 1, "supernet.layers": 3,
    "data.batch_size": 16, "data.limit_train_images": 96, "data.max_batches": 3, "data.eval_batches": 2,
    "threads": 1,
}
SEEDS = (0, 1, 2)
STEP_TOL = 1e-10
"""Relative tolerance on training-step losses and α (float64)."""
EVAL_TOL = 1e-5
"""Evaluation losses are computed in float32 (``logits.float()``, as the loop does)."""
SAME = ("epoch", "lr", "lr_alpha", "p", "genotype", "n_skip", "n_parametric", "train_acc", "arch_acc", "val_acc",
        "mutation_rate", "reg_lambda")


@pytest.fixture
def float64(monkeypatch):
    """Models in float64 and batches cast to it (both paths call ``SearchRun.prepare_batch`` on every batch)."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    monkeypatch.setattr(SearchRun, "prepare_batch", lambda self, x: x.double())
    yield
    torch.set_default_dtype(previous)


def _configs(space: str, method: str, **over):
    return [resolve_config(method, space, "digits", {**TINY, **over, "seed": s}) for s in SEEDS]


def _alone(configs):
    out = []
    for cfg in configs:
        reporter = NullReporter()
        SearchRun(cfg, reporter).run()
        out.append(reporter.history)
    return out


def _fused(configs):
    reporter = NullFusedReporter(len(configs))
    FusedSearchRun(configs, reporter).run()
    assert not reporter.failed
    return reporter.history


def _close(a: float, b: float, tol: float) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def assert_same_rows(alone, fused):
    assert len(alone) == len(fused)
    for seed_alone, seed_fused in zip(alone, fused):
        assert [r["epoch"] for r in seed_alone] == [r["epoch"] for r in seed_fused]
        for a, b in zip(seed_alone, seed_fused):
            for key in SAME:
                if key in a:
                    assert a[key] == b[key], (key, a[key], b[key])
            for key in ("train_loss", "arch_loss", "reg_value", "alpha_entropy"):
                if key in a:
                    assert _close(a[key], b[key], STEP_TOL), (key, a[key], b[key])
            assert _close(a["val_loss"], b["val_loss"], EVAL_TOL)
            alphas_a, alphas_b = json.loads(a["alphas"]), json.loads(b["alphas"])
            assert alphas_a.keys() == alphas_b.keys()
            for name in alphas_a:
                assert torch.allclose(torch.tensor(alphas_a[name]), torch.tensor(alphas_b[name]), rtol=0, atol=1e-12)
            assert b["fused_seeds"] == len(SEEDS)


CASES = [
    ("nb201", "darts", {}),
    ("nb201", "em-darts", {"method.mutation.p_max": 0.7, "method.mutation.ramp_epochs": 1}),
    ("nb201", "single-darts", {}),
    ("nb201", "r-darts", {}),
    # The DARTS space at float64 runs its depthwise convolutions on slow CPU kernels: narrower and shorter.
    ("darts", "em-darts", {"method.mutation.p_max": 0.7, "method.mutation.ramp_epochs": 1, "optim.grad_clip": 5.0,
                           "supernet.channels": 2, "data.batch_size": 8, "epochs": 2, "data.max_batches": 2,
                           "data.eval_batches": 1}),
]


@pytest.mark.parametrize(("space", "method", "over"), CASES, ids=[f"{s}-{m}" for s, m, _ in CASES])
def test_fused_seeds_equal_their_runs_alone(float64, space, method, over):
    configs = _configs(space, method, **over)
    alone = _alone(configs)
    fused = _fused(configs)
    assert_same_rows(alone, fused)
    if method == "em-darts":  # mutations happened, and differently per seed
        assert all(r[-1]["mutation_rate"] > 0 for r in fused)
        assert len({r[-1]["mutation_rate"] for r in fused}) > 1


def test_single_level_two_optimisers_and_fixed_alpha(float64):
    for method, over in (("single-darts", {"method.single_update": "two_optimizers"}),
                         ("darts", {"method.arch_optim.fix_alpha": True})):
        configs = _configs("nb201", method, epochs=2, **over)
        assert_same_rows(_alone(configs), _fused(configs))


def test_float32_first_steps_agree_to_rounding():
    """At float32 (what runs use) the first epoch agrees to rounding before chaos sets in."""
    configs = _configs("nb201", "darts", epochs=1, **{"data.max_batches": 1})
    alone, fused = _alone(configs), _fused(configs)
    for a, b in zip(alone, fused):
        assert _close(a[0]["train_loss"], b[0]["train_loss"], 1e-5)
        assert _close(a[0]["arch_loss"], b[0]["arch_loss"], 1e-5)
