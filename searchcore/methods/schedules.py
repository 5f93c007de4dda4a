"""EM-DARTS' schedules of the mutation probability p (reference-notes §9, EM-DARTS ablation appendix).

p is set once per epoch e (0-indexed). Growth modes ramp from 0 to p_max over ``ramp`` epochs (50 in
the reference, independent of the run length) and hold p_max afterwards:

* linear:      p = p_max · e / R
* exponential: p = p_max · (1 − exp(−(ln 49 / 49) · e))   (0.98·p_max at e = 49 for R = 50; the
  rate generalises as ln(R−1)/(R−1))
* cosine:      p = p_max · (1 − cos(π e / R)) / 2
* fixed:       p = p_max throughout (``--p_not_grow``)
* early / middle / late: p_max during the first, middle or last third of the run, 0 otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from searchcore.registry import Registry

Schedule = Callable[[int, int, float, int], float]
"""(epoch, total_epochs, p_max, ramp_epochs) -> p."""

SCHEDULES: Registry[Schedule] = Registry("growth schedule")


def _ramped(shape: Callable[[float, int], float]) -> Schedule:
    def schedule(epoch: int, epochs: int, p_max: float, ramp: int) -> float:
        if epoch >= ramp:
            return p_max
        return p_max * shape(epoch, ramp)

    return schedule


def _exp_shape(e: float, ramp: int) -> float:
    rate = math.log(ramp - 1) / (ramp - 1) if ramp > 2 else 1.0
    return 1.0 - math.exp(-rate * e)


def _phase(which: int) -> Schedule:
    def schedule(epoch: int, epochs: int, p_max: float, ramp: int) -> float:
        third = epochs / 3.0
        return p_max if which * third <= epoch < (which + 1) * third else 0.0

    return schedule


SCHEDULES.register("linear", _ramped(lambda e, r: e / r))
SCHEDULES.register("exponential", _ramped(_exp_shape))
SCHEDULES.register("cosine", _ramped(lambda e, r: 0.5 * (1.0 - math.cos(math.pi * e / r))))
SCHEDULES.register("fixed", lambda epoch, epochs, p_max, ramp: p_max)
SCHEDULES.register("early", _phase(0))
SCHEDULES.register("middle", _phase(1))
SCHEDULES.register("late", _phase(2))


def mutation_probability(growth: str, epoch: int, epochs: int, p_max: float, ramp: int) -> float:
    return SCHEDULES.get(growth)(epoch, epochs, p_max, ramp)
