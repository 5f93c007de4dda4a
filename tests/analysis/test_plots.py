import numpy as np
import pandas as pd
import pytest

from analysis.plots import ablation, curves, trajectory


def _frame():
    rows = []
    for growth in ("linear", "cosine"):
        for p_max in (0.1, 0.2):
            for seed in range(3):
                for epoch in (1, 2, 3):
                    rows.append({"trial_id": f"{growth}-{p_max}-{seed}", "method.mutation.growth": growth,
                                 "method.mutation.p_max": p_max, "seed": seed, "epoch": epoch,
                                 "nb201_cifar10_test": 80 + 10 * p_max + epoch + seed})
    return pd.DataFrame(rows)


def test_curves_average_over_seeds_with_a_band_per_group():
    fig = curves(_frame(), "nb201_cifar10_test", by=["method.mutation.growth"])
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and len(ax.collections) == 2
    # epoch 1 mean over p_max {0.1, 0.2} x seeds {0, 1, 2}: 80 + 1.5 + 1 + 1 = 83.5
    assert np.allclose(ax.lines[0].get_ydata()[0], 83.5)


def test_ablation_plots_final_metric_against_the_swept_value():
    final = _frame().query("epoch == 3")
    fig = ablation(final, "method.mutation.p_max", "nb201_cifar10_test", by=["method.mutation.growth"])
    line = fig.axes[0].lines[0]
    assert list(line.get_xdata()) == [0.1, 0.2]
    assert np.allclose(line.get_ydata(), [80 + 1 + 3 + 1, 80 + 2 + 3 + 1])


def test_missing_columns_and_missing_decisions_are_clear_errors():
    with pytest.raises(KeyError, match="not in the results"):
        curves(_frame(), "no_such_metric")
    with pytest.raises(ValueError, match="no per-decision rows"):
        trajectory(_frame())
