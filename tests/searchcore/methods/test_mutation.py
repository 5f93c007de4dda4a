import math

import torch

from searchcore.methods.mutation import EdgeMutator
from searchcore.methods.resolve import resolve_config
from searchcore.spaces import get_space
from searchcore.supernets import build_supernet


def test_realised_frequency_within_3_sigma_and_only_parametric_ops():
    cell = get_space("darts").cell("normal")
    p = 0.3
    m = EdgeMutator(p, torch.Generator().manual_seed(0))
    chosen = []
    for _ in range(1000):  # 14 edges x 1000 = 14,000 draws
        chosen.extend(m.sample(cell).values())
    sigma = math.sqrt(p * (1 - p) / m.draws)
    assert m.draws == 14_000
    assert abs(m.realised_rate - p) < 3 * sigma
    names = {cell.edge_ops[0][k] for k in chosen}
    assert names == {"sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"}


def test_edges_without_parametric_ops_never_mutate():
    cell = get_space("s1").cell("reduce")
    m = EdgeMutator(1.0, torch.Generator().manual_seed(1))
    mutated = set()
    for _ in range(200):
        picks = m.sample(cell)
        mutated.update(picks)
        for e, k in picks.items():
            assert cell.parametric_mask()[e][k]
    assert mutated.isdisjoint({0, 2, 3, 5, 9, 10})
    assert mutated == set(range(14)) - {0, 2, 3, 5, 9, 10}


def _counting_net(space="nb201"):
    cfg = resolve_config("em-darts", space, "digits", {"supernet.channels": 4, "supernet.cells_per_stage": 1,
                                                       "supernet.layers": 3})
    net = build_supernet(cfg, 10)
    net.init_alphas("normal", 1e-3, None, torch.Generator().manual_seed(0))
    calls = {"n": 0}
    for mod in net.modules():
        if hasattr(mod, "ops"):
            for op in mod.ops:  # conv ops are entered through their body (shared ReLU), others directly
                target = op.body if hasattr(op, "body") else op
                target.register_forward_pre_hook(lambda *_: calls.__setitem__("n", calls["n"] + 1))
    return net, calls


def test_mutated_edge_runs_exactly_one_op_and_no_mutation_without_mutator():
    net, calls = _counting_net()
    x = torch.randn(2, 3, 32, 32)
    net(x)  # α step / evaluation: no mutator -> every non-none op on every edge
    cells = 3
    assert calls["n"] == cells * 6 * 4  # 'none' is never computed
    calls["n"] = 0
    net(x, mutator=EdgeMutator(1.0, torch.Generator().manual_seed(0)))
    assert calls["n"] == cells * 6  # p = 1: every edge one-hot -> exactly one op per edge


def test_mutation_happens_per_cell_instance():
    net, _ = _counting_net("darts")
    m = EdgeMutator(0.5, torch.Generator().manual_seed(3))
    net(torch.randn(2, 3, 32, 32), mutator=m)
    assert m.draws == 3 * 14  # every edge of every one of the 3 cells drew independently
