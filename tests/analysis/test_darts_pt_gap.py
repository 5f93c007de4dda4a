"""DARTS-PT Figure 3: the softmax(α) gap skip − conv over S2's normal edges against the supernet's validation
accuracy, per epoch, from hand-made epochs rows (the arithmetic), and S2's op order as searchcore defines it."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from analysis.artifacts import ARTIFACTS, render
from analysis.artifacts.darts_pt import S2_OPS
from searchcore.spaces import SPACES


def test_the_figure_reads_s2_op_order_as_the_space_defines_it():
    cell = SPACES.get("s2").cell("normal")
    assert set(cell.edge_ops) == {S2_OPS}


def _weights(skip: float, edges: int = 14) -> str:
    return json.dumps({"normal": [[skip, 1 - skip]] * edges, "reduce": [[0.5, 0.5]] * edges})


def test_gap_per_epoch_against_the_mean_validation_accuracy():
    trials = pd.DataFrame([{"sweep": "darts_pt_table3_search", "trial_id": f"t{s}", "method": "darts-pt",
                            "space": "s2", "dataset": "cifar10", "status": "TERMINATED"} for s in (0, 1)]
                          + [{"sweep": "darts_pt_table3_search", "trial_id": "t9", "method": "darts-pt",
                              "space": "s2", "dataset": "svhn", "status": "TERMINATED"}])
    epochs = pd.DataFrame([{"sweep": "darts_pt_table3_search", "trial_id": t, "epoch": e, "val_acc": acc,
                            "edge_weights": _weights(skip)}
                           for t, e, acc, skip in (("t0", 1, 40.0, 0.50), ("t1", 1, 50.0, 0.52),
                                                   ("t0", 2, 60.0, 0.60), ("t1", 2, 70.0, 0.64),
                                                   ("t9", 1, 10.0, 0.99))])
    artifact = ARTIFACTS["darts_pt/figure3"]
    ours = artifact.build(trials, epochs)
    assert list(ours["column"]) == ["45", "65"] and (ours["n"] == 2).all()  # the SVHN search is not S2/CIFAR-10
    assert list(ours["mean"]) == pytest.approx([(0.0 + 0.04) / 2, (0.2 + 0.28) / 2])
    points = pd.read_csv(io.StringIO(render(artifact, trials, epochs)["csv"]))
    assert list(points["supernet validation accuracy (%)"]) == [45.0, 65.0]
