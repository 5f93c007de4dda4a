import pytest
import torch

from searchcore.methods.resolve import resolve_config
from searchcore.supernets import build_supernet
from searchcore.supernets.darts import DartsSearchCell, DartsSupernet
from searchcore.supernets.nb201 import NB201SearchCell, NB201Supernet


def _net(space, **over):
    cfg = resolve_config("darts", space, "digits", over)
    net = build_supernet(cfg, 10)
    net.init_alphas("normal", 1e-3, None, torch.Generator().manual_seed(0))
    return net


def test_nb201_macro_layout_matches_autodl():
    net = _net("nb201")
    assert isinstance(net, NB201Supernet)
    kinds = ["cell" if isinstance(m, NB201SearchCell) else "resnet" for m in net.cells]
    assert kinds == ["cell"] * 5 + ["resnet"] + ["cell"] * 5 + ["resnet"] + ["cell"] * 5
    assert net.classifier.in_features == 64
    assert net.alphas["cell"].shape == (6, 5)
    bns = [m for m in net.cells[0].modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert bns and all(not bn.affine and not bn.track_running_stats for bn in bns)
    # no BN after the pool in NB201
    assert isinstance(net.cells[0].mixed[0].ops[4], torch.nn.AvgPool2d)


def test_darts_macro_layout_matches_model_search():
    net = _net("darts")
    assert isinstance(net, DartsSupernet)
    cells = list(net.cells)
    assert len(cells) == 8
    assert [c.reduction for c in cells] == [False, False, True, False, False, True, False, False]
    assert net.stem[0].out_channels == 48
    assert net.classifier.in_features == 4 * 64
    assert {k: tuple(v.shape) for k, v in net.alphas.items()} == {"normal": (14, 8), "reduce": (14, 8)}
    # pools are followed by affine-free BN in search; stride 2 on reduction edges from inputs 0 and 1
    pool = cells[0].mixed[0].ops[1]
    assert isinstance(pool, torch.nn.Sequential) and not pool[1].affine
    assert cells[2].mixed[0].stride == 2 and cells[2].mixed[2].stride == 2 and cells[2].mixed[4].stride == 1
    assert type(cells[3].preprocess0).__name__ == "FactorizedReduce"
    assert isinstance(cells[0], DartsSearchCell)


@pytest.mark.parametrize("space", ["nb201", "darts", "darts7", "s1", "s2", "s3", "s4", "s5"])
def test_every_space_runs_forward_and_backward(space):
    over = {"supernet.channels": 4, "supernet.cells_per_stage": 1, "supernet.layers": 3}
    net = _net(space, **over)
    out = net(torch.randn(2, 3, 32, 32))
    out.sum().backward()
    assert out.shape == (2, 10)
    assert all(a.grad is not None for a in net.arch_parameters())


def test_darts_supernet_weight_parameter_count():
    """The full-size DARTS search supernet (8 cells, C=16) as quark0/darts builds it: 1.9306 M weights."""
    net = _net("darts")
    assert sum(p.numel() for p in net.weight_parameters()) == 1930618


def _is_darts_net(space, **over):
    cfg = resolve_config("is-darts", space, "digits", {"supernet.channels": 4, **over})
    return cfg, build_supernet(cfg, 10)


def test_is_darts_darts_space_network_has_no_pool_bn_and_a_final_bn_relu():
    """IS-DARTS' DARTS supernet (xautodl NASNet search model, reference-notes §6): pools are not followed
    by BN, so the IIM of a pool is measured on its raw output; BN + ReLU precede global pooling."""
    cfg, net = _is_darts_net("darts")
    assert (cfg.supernet.pool_bn, cfg.supernet.final_bn_relu) == (False, True)
    pool = net.cells[0].mixed[0].ops[1]  # max_pool_3x3
    assert isinstance(pool, torch.nn.MaxPool2d)
    assert isinstance(net.lastact[0], torch.nn.BatchNorm2d) and isinstance(net.lastact[1], torch.nn.ReLU)
    assert net(torch.randn(2, 3, 16, 16)).shape == (2, 10)


def test_darts_preset_keeps_quark0_pool_bn_and_no_final_bn_relu():
    net = _net("darts", **{"supernet.channels": 4})
    pool = net.cells[0].mixed[0].ops[1]
    assert isinstance(pool, torch.nn.Sequential) and isinstance(pool[1], torch.nn.BatchNorm2d)
    assert isinstance(net.lastact, torch.nn.Identity)


def test_nb201_supernet_options_switch_pool_bn_and_lastact():
    net = _net("nb201", **{"supernet.channels": 4, "supernet.pool_bn": True, "supernet.final_bn_relu": False})
    pool = net.cells[0].mixed[0].ops[4]
    assert isinstance(pool, torch.nn.Sequential) and isinstance(pool[1], torch.nn.BatchNorm2d)
    assert isinstance(net.lastact, torch.nn.Identity)
