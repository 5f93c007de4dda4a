"""IS-DARTS' information measure on hand-made tensors and on a tiny supernet's probes."""

import math

import pytest
import torch

from searchcore.selection.iim import IIMAccumulator, iim_per_sample, measure_iim
from searchcore.spaces import get_space
from searchcore.supernets.nb201 import NB201Supernet


def _by_hand(sample):
    """Literal transcription of the formula for one (C, H, W) sample, in plain Python."""
    c, h, w = sample.shape
    total = 0.0
    for i in range(h):
        for j in range(w):
            vals = [float(sample[k, i, j]) for k in range(c)]
            mu = sum(vals) / c
            var = sum((v - mu) ** 2 for v in vals) / (c - 1)
            for v in vals:
                num, den = 3 * (v - mu) ** 2, var**3
                total += math.inf if den == 0 else num / den
    return total / (c * h * w)


def test_iim_equals_the_formula():
    x = torch.tensor([[[[1.0, -2.0]], [[0.5, 4.0]], [[3.0, 1.0]]],
                      [[[0.2, 0.1]], [[-1.0, 2.5]], [[0.7, -0.3]]]])  # (2, 3, 1, 2)
    got = iim_per_sample(x)
    assert got.shape == (2,)
    for b in range(2):
        assert math.isclose(float(got[b]), _by_hand(x[b]), rel_tol=1e-12)
    y = torch.randn(3, 5, 4, 4)
    assert torch.allclose(iim_per_sample(y), torch.tensor([_by_hand(s) for s in y], dtype=torch.float64))


def test_constant_maps_and_none_score_plus_infinity():
    x = torch.randn(3, 4, 2, 2)
    x[1, :, 0, 1] = 7.0  # one position constant across channels: σ = 0 -> 0/0 -> NaN -> +inf
    got = iim_per_sample(x)
    assert math.isfinite(got[0]) and math.isfinite(got[2]) and got[1] == math.inf
    assert torch.all(iim_per_sample(torch.zeros(2, 4, 3, 3)) == math.inf)  # `none`'s all-zero output


def _tiny_nb201():
    torch.manual_seed(0)
    return NB201Supernet(get_space("nb201"), 10, channels=4, cells_per_stage=1, activation="uniform")


def _tee(seen, key, probe):
    def both(k, y):
        seen.setdefault((key, k), []).append(iim_per_sample(y))
        probe(k, y)

    return both


def test_accumulator_averages_over_samples_and_cells_and_skips_masked_ops():
    model = _tiny_nb201()
    model.op_mask("cell")[2, 3] = 0.0  # a pruned op: never computed, so never scored
    seen = {}

    batches = [(torch.randn(8, 3, 8, 8), torch.zeros(8, dtype=torch.long)) for _ in range(3)]
    acc = IIMAccumulator(model)
    mixed = [m for _, cell in model.search_cells() for m in cell.mixed]
    with acc.attached():
        originals = [m.probe for m in mixed]
        for e_mod, probe in zip(mixed, originals):
            e_mod.probe = _tee(seen, id(e_mod), probe)
        with torch.no_grad():
            for x, _ in batches[:2]:
                model(x)
    assert all(m.probe is None for m in mixed)  # probes removed
    scores = acc.scores()["cell"]  # (edges, ops)
    assert torch.all(scores[:, 0] == math.inf)  # none
    assert math.isnan(scores[2, 3])
    for e in range(6):
        for k in range(1, 5):
            if (e, k) == (2, 3):
                continue
            per_cell = [torch.cat(seen[(id(cells.mixed[e]), k)]) for _, cells in model.search_cells()]
            assert len(per_cell) == 3 and all(len(v) == 16 for v in per_cell)
            expected = torch.stack([v.mean() for v in per_cell]).mean()
            assert torch.isclose(scores[e, k], expected, rtol=1e-9)



def test_measure_iim_caps_samples_uses_eval_mode_and_restores_train_mode():
    model = _tiny_nb201()
    modes = []
    model.stem.register_forward_pre_hook(lambda m, i: modes.append(m.training))
    batches = [(torch.randn(8, 3, 8, 8), torch.zeros(8, dtype=torch.long)) for _ in range(3)]
    scores, n = measure_iim(model, iter(batches), samples=12)
    assert n == 12 and modes == [False, False] and model.training
    assert torch.all(scores["cell"][:, 0] == math.inf) and torch.isfinite(scores["cell"][:, 1:]).all()


def test_eq11_measure_is_the_sum_of_channel_variances_over_three():
    """002_… Eq. 11: M = Σ_m σ_m²/3 over pixels; every registered measure maps (B, C, H, W) to (B,)."""
    from searchcore.selection.iim import IIM_MEASURES, iim_eq11

    x = torch.zeros(2, 3, 2, 2)
    x[0, :, 0, 0] = torch.tensor([0.0, 1.0, 2.0])  # variance 1 at one pixel, 0 elsewhere
    x[1] = torch.randn(3, 2, 2)
    m = iim_eq11(x)
    assert m[0].item() == pytest.approx(1 / 3)
    assert m[1].item() == pytest.approx(float(x[1].double().var(dim=0).sum() / 3))
    for name, measure in IIM_MEASURES.items():
        assert measure(torch.randn(4, 5, 3, 3)).shape == (4,), name
