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


def test_compute_unselected_runs_every_op_weighted_zero_and_gives_zero_gradients():
    """EM's MixedOp computes all ops of a mutated edge times 0 (``method.mutation.compute_unselected``):
    the other ops' weights then get zero gradients (weight decay and momentum still apply), not none."""
    net, calls = _counting_net()
    x = torch.randn(2, 3, 32, 32)
    net(x, mutator=EdgeMutator(1.0, torch.Generator().manual_seed(0), compute_unselected=True)).sum().backward()
    assert calls["n"] == 3 * 6 * 4  # as without mutation: every non-none op
    convs = [p for name, p in net.cells[0].named_parameters() if "mixed" in name]
    assert all(p.grad is not None for p in convs)
    assert any(float(p.grad.abs().sum()) == 0.0 for p in convs)  # the ops not drawn
    net.zero_grad(set_to_none=True)
    net(x, mutator=EdgeMutator(1.0, torch.Generator().manual_seed(0))).sum().backward()
    assert any(p.grad is None for p in convs)  # skipped: no gradient at all


def test_epoch_offset_switches_between_code_and_algorithm_1():
    """EM train_search.py: p = p_max·e/50 with e = 0..; Algorithm 1 of 000_…: p = t/T·p_max with t = 1.."""
    from searchcore.search.loop import SearchRun

    over = {"supernet.channels": 4, "supernet.cells_per_stage": 1, "data.limit_train_images": 64}
    code = SearchRun(resolve_config("em-darts", "nb201", "digits", over))
    paper = SearchRun(resolve_config("em-darts", "nb201", "digits", {**over, "method.mutation.epoch_offset": 1}))
    assert code.mutator(0)[1] == 0.0 and code.mutator(49)[1] == 0.2 * 49 / 50
    assert paper.mutator(0)[1] == 0.2 / 50 and paper.mutator(49)[1] == 0.2
