import math

import pytest

from searchcore.methods.schedules import SCHEDULES, mutation_probability


@pytest.mark.parametrize("epoch", [0, 1, 10, 25, 49])
def test_ramps_equal_their_closed_forms(epoch):
    p_max = 0.2
    assert mutation_probability("linear", epoch, 50, p_max, 50) == pytest.approx(p_max * epoch / 50)
    assert mutation_probability("exponential", epoch, 50, p_max, 50) == pytest.approx(
        p_max * (1 - math.exp(-(math.log(49) / 49) * epoch)))
    assert mutation_probability("cosine", epoch, 50, p_max, 50) == pytest.approx(
        0.5 * p_max * (1 - math.cos(math.pi * epoch / 50)))


def test_reference_examples_from_the_notes():
    # reference-notes §9: p_max = 0.2, e = 10 -> 0.04 / 0.110 / 0.019; e = 25 -> 0.10 / 0.173 / 0.10
    got10 = [mutation_probability(g, 10, 50, 0.2, 50) for g in ("linear", "exponential", "cosine")]
    got25 = [mutation_probability(g, 25, 50, 0.2, 50) for g in ("linear", "exponential", "cosine")]
    assert [round(v, 3) for v in got10] == [0.04, 0.110, 0.019]
    assert [round(v, 3) for v in got25] == [0.1, 0.173, 0.1]


@pytest.mark.parametrize("growth", ["linear", "exponential", "cosine"])
def test_hold_at_p_max_after_the_ramp(growth):
    for epoch in (50, 51, 120, 399):
        assert mutation_probability(growth, epoch, 400, 0.3, 50) == 0.3
    # a shorter ramp is honoured too
    assert mutation_probability(growth, 10, 30, 0.3, 10) == 0.3


def test_fixed_and_phases():
    assert all(mutation_probability("fixed", e, 60, 0.25, 50) == 0.25 for e in range(60))
    early = [mutation_probability("early", e, 60, 0.25, 50) for e in range(60)]
    middle = [mutation_probability("middle", e, 60, 0.25, 50) for e in range(60)]
    late = [mutation_probability("late", e, 60, 0.25, 50) for e in range(60)]
    assert early == [0.25] * 20 + [0.0] * 40
    assert middle == [0.0] * 20 + [0.25] * 20 + [0.0] * 20
    assert late == [0.0] * 40 + [0.25] * 20


@pytest.mark.parametrize("growth", SCHEDULES.names())
def test_every_schedule_stays_between_zero_and_p_max(growth):
    values = [mutation_probability(growth, e, 60, 0.3, 50) for e in range(60)]
    assert all(0.0 <= p <= 0.3 for p in values) and max(values) == pytest.approx(0.3, abs=0.02)
