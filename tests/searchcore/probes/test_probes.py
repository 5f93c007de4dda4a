"""Probes (searchcore.probes): every registered probe runs in a search and adds its columns; ``edge_weight_grad``
records exactly autograd's ∂L/∂p of the watched edge; bad settings are clear errors; fused runs refuse probes."""

from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError
from torch import nn

from searchcore.fused import fusion_problem
from searchcore.methods.resolve import resolve_config
from searchcore.probes import PROBES
from searchcore.probes.edge_weight_grad import EdgeWeightGrad
from searchcore.search import NullReporter, SearchRun
from searchcore.spaces import get_space
from searchcore.supernets import build_supernet

TINY = {"epochs": 2, "supernet.channels": 4, "supernet.cells_per_stage": 1, "data.batch_size": 16,
        "data.limit_train_images": 64, "data.max_batches": 2, "data.eval_batches": 1, "threads": 1}


@pytest.mark.parametrize("name", PROBES.names())
def test_every_probe_adds_its_columns_to_every_epoch(name):
    cfg = resolve_config("single-darts", "nb201", "digits", {**TINY, "probes.names": [name]})
    reporter = NullReporter()
    SearchRun(cfg, reporter).run()
    plain = NullReporter()
    SearchRun(resolve_config("single-darts", "nb201", "digits", TINY), plain).run()
    added = set(reporter.history[0]) - set(plain.history[0])
    assert added and all(set(added) <= set(row) for row in reporter.history)


class _Run:
    """What a probe reads of a running search: its space and its supernet."""

    def __init__(self, model) -> None:
        self.space = get_space("nb201")
        self.model = model


def _bare_run(edge: int):
    """A watched NB201 supernet with random α, outside a search (the probe sees exactly one forward/backward)."""
    probes = {"probes.names": ["edge_weight_grad"], "probes.edge": edge}
    cfg = resolve_config("darts", "nb201", "digits", {**TINY, **probes})
    model = build_supernet(cfg, 10)
    model.init_alphas("normal", 0.5, None, torch.Generator().manual_seed(0))
    return cfg, model, _Run(model)


def test_edge_weight_grad_is_autograds_gradient_of_the_watched_edge():
    cfg, model, run = _bare_run(edge=2)
    probe = EdgeWeightGrad(run, cfg.probes)
    x, y = torch.randn(4, 3, 16, 16), torch.tensor([0, 1, 2, 3])
    weights = model.edge_weights()
    loss = nn.functional.cross_entropy(model(x, weights=weights), y)
    expected, = torch.autograd.grad(loss, weights["cell"], retain_graph=True)
    loss.backward()
    got = probe.epoch_metrics()
    ops = get_space("nb201").cell("cell").edge_ops[2]
    assert list(got) == [f"dL_dp_{op}" for op in ops]
    assert torch.allclose(torch.tensor(list(got.values()), dtype=torch.float64), expected[2].double(), atol=1e-9)
    assert probe.epoch_metrics() == dict.fromkeys(got, 0.0)  # the next epoch starts afresh


@pytest.mark.parametrize(("over", "needle"), [
    ({"probes.names": ["nope"]}, "unknown probe 'nope'"),
    ({"probes.names": ["edge_weight_grad"], "probes.edge": 6}, "probes.edge: 6 out of range"),
    ({"probes.names": ["edge_weight_grad"], "probes.cell": "normal"}, "probes.cell: 'normal' is no cell type"),
])
def test_bad_probe_settings_are_clear_errors(over, needle):
    with pytest.raises((ValidationError, ValueError), match=needle):
        SearchRun(resolve_config("darts", "nb201", "digits", {**TINY, **over}))


def test_fused_seeds_refuse_probes():
    configs = [resolve_config("darts", "nb201", "digits", {**TINY, "seed": s, "probes.names": ["edge_weight_grad"]})
               for s in (0, 1)]
    assert "probes (edge_weight_grad)" in fusion_problem(configs)


def test_one_cell_instance_gets_its_own_share_of_the_gradient():
    """NB201 cells share α: the gradient of the shared weights is the sum of every instance's share, and
    ``probes.instance`` picks one share (Single-DARTS' "15th cell"; here the last of 3)."""
    cfg, model, run = _bare_run(edge=5)
    probes = [EdgeWeightGrad(run, cfg.probes.model_copy(update={"instance": i})) for i in (None, 0, 1, -1)]
    x, y = torch.randn(4, 3, 16, 16), torch.tensor([0, 1, 2, 3])
    nn.functional.cross_entropy(model(x), y).backward()
    shared, *shares = [torch.tensor(list(p.epoch_metrics().values())) for p in probes]
    assert not torch.allclose(shares[0], shares[2])
    assert torch.allclose(shared, sum(shares), atol=1e-6)
    with pytest.raises(ValueError, match="probes.instance: 3 out of range; the supernet has 3 cell cells"):
        EdgeWeightGrad(run, cfg.probes.model_copy(update={"instance": 3}))
