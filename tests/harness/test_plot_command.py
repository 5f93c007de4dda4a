"""`dartsweep plot` (a sweep's curves and ablations) and `dartsweep table/plot --artifact` (one paper artifact) from
the command line, on small hand-made Parquet files (the report tests render artifacts from real runs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from harness.cli import main


def _sweep(directory: Path) -> Path:
    trials, epochs = [], []
    for i, (p_max, seed) in enumerate([(0.1, 0), (0.1, 1), (0.2, 0), (0.2, 1)]):
        tid = f"t{i}"
        trials.append({"trial_id": tid, "status": "TERMINATED", "method.mutation.p_max": p_max, "seed": seed,
                       "nb201_cifar10_test": 80.0 + 50 * p_max + seed})
        epochs += [{"trial_id": tid, "epoch": e, "nb201_cifar10_test": 70.0 + e + seed, "n_skip": e % 2}
                   for e in (1, 2, 3)]
    trials.append({"trial_id": "t9", "status": "ERROR", "method.mutation.p_max": 0.2, "seed": 9,
                   "nb201_cifar10_test": 0.0})
    epochs.append({"trial_id": "t9", "epoch": 1, "nb201_cifar10_test": 0.0, "n_skip": 8})
    directory.mkdir(parents=True)
    pd.DataFrame(trials).to_parquet(directory / "trials.parquet")
    pd.DataFrame(epochs).to_parquet(directory / "epochs.parquet")
    return directory


@pytest.fixture
def saved(monkeypatch):
    figures: list[Figure] = []
    monkeypatch.setattr(Figure, "savefig", lambda self, path, *a, **k: (figures.append(self),
                                                                       Path(path).write_bytes(b"img")))
    return figures


def test_curves_per_epoch_and_ablations_of_a_sweep(tmp_path, capsys, saved):
    sweep = _sweep(tmp_path / "s")
    assert main(["plot", str(sweep), "--by", "method.mutation.p_max"]) == 0
    assert capsys.readouterr().out.strip() == str(sweep / "plots" / "nb201_cifar10_test_per_epoch.png")
    ax = saved[-1].axes[0]
    assert len(ax.lines) == 2 and np.allclose(ax.lines[0].get_ydata(), [71.5, 72.5, 73.5])  # t9 (ERROR) left out
    assert main(["plot", str(sweep), "--x", "method.mutation.p_max", "--by", "--out", str(tmp_path / "a.pdf")]) == 0
    line = saved[-1].axes[0].lines[0]
    assert list(line.get_xdata()) == [0.1, 0.2] and np.allclose(line.get_ydata(), [85.5, 90.5])
    assert main(["plot", str(sweep), "--metric", "n_skip", "--by", "--all"]) == 0
    assert saved[-1].axes[0].lines[0].get_ydata()[0] == pytest.approx((1 + 1 + 1 + 1 + 8) / 5)


@pytest.mark.parametrize(("args", "needle"), [
    (["--metric", "nope"], "columns ['nope'] not in the results"),
    (["--out", "x.jpg"], "expected a .png or .pdf file"),
    (["--artifact", "em_darts/table1"], "a table; use `dartsweep table`"),
    (["--artifact", "em_darts/figure9"], "no such figure; allowed: em_darts/figure2"),
    (["--artifact", "em_darts/figure3a"], "no results for sweeps/em_darts/table1_search.yaml"),
])
def test_user_mistakes_are_one_line_errors(tmp_path, capsys, args, needle):
    sweep = _sweep(tmp_path / "s")
    assert main(["plot", str(sweep), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1, err


def test_table_of_one_artifact_needs_its_results(tmp_path, capsys):
    assert main(["table", str(tmp_path), "--artifact", "em_darts/table1"]) == 2
    err = capsys.readouterr().err
    assert "no results for sweeps/em_darts/table1_search.yaml" in err and "dartsweep run" in err
