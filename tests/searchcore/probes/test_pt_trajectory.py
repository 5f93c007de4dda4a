"""``pt_trajectory`` (DARTS-PT 001_… Figures 4 and 8): snapshots every tenth of the search and at its end; the
selection on a snapshot is pt (pt-fix-alpha when α is fixed), reports the cell it selects, and leaves the running
search exactly as it was (weights, α, RNG)."""

from __future__ import annotations

import pytest
import torch

from searchcore.methods.resolve import resolve_config
from searchcore.probes.pt_trajectory import PTTrajectory
from searchcore.search import SearchRun
from searchcore.search.checkpoint import rng_state

TINY = {"epochs": 1, "supernet.channels": 4, "supernet.cells_per_stage": 1, "data.batch_size": 16,
        "data.limit_train_images": 64, "data.max_batches": 1, "data.eval_batches": 1, "threads": 1}


class _Cfg:
    def __init__(self, epochs: int) -> None:
        self.epochs = epochs


class _Run:
    def __init__(self, epochs: int) -> None:
        self.cfg = _Cfg(epochs)


@pytest.mark.parametrize(("epochs", "due"), [(100, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]), (25, [2, 4, 6, 8, 10,
                         12, 14, 16, 18, 20, 22, 24, 25]), (2, [1, 2])])
def test_snapshots_every_tenth_of_the_search_and_the_last_epoch(epochs, due):
    probe = PTTrajectory(_Run(epochs), None)
    assert [e for e in range(1, epochs + 1) if probe.snapshot_due(e)] == due


@pytest.mark.parametrize(("method", "rule"), [("darts-pt", "pt"), ("darts-fix-alpha", "pt-fix-alpha")])
def test_a_snapshot_selection_leaves_the_search_as_it_was(method, rule):
    run = SearchRun(resolve_config(method, "nb201", "digits", {**TINY, "probes.names": ["pt_trajectory"]}))
    run.train_epoch(0, None)
    before = {k: v.clone() for k, v in run.model.state_dict().items()}
    rng = rng_state()["torch"]
    final = run.probes[0].select()
    assert final["select_rule"] == rule and final["supernet_epoch"] == 1 and final["arch"].count("~") == 6
    assert all(torch.equal(before[k], v) for k, v in run.model.state_dict().items())
    assert torch.equal(rng, rng_state()["torch"])


def test_snapshot_columns_and_the_epochs_in_between(monkeypatch):
    run = _Run(20)
    probe = PTTrajectory(run, None)
    monkeypatch.setattr(probe, "select", lambda: {"arch": "a", "nb201_cifar10_test": 90.0, "val_acc": 50.0})
    run.epoch = 1  # epoch 2 just finished: a snapshot
    assert probe.epoch_metrics() == {"pt_arch": "a", "pt_nb201_cifar10_test": 90.0}
    run.epoch = 2
    after = probe.epoch_metrics()
    assert after["pt_arch"] is None and list(after) == ["pt_arch", "pt_nb201_cifar10_test"]
    assert after["pt_nb201_cifar10_test"] != after["pt_nb201_cifar10_test"]  # NaN
