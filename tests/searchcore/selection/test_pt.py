"""DARTS-PT's pieces on hand-built supernets: masking, the op rule, topology, and the schedule."""

import torch

from searchcore.architectures.darts import derive_darts
from searchcore.selection.pt import (
    decide_operation,
    decide_topology,
    evaluate_supernet,
    masked,
)
from searchcore.spaces import get_space
from searchcore.supernets.base import Supernet
from searchcore.supernets.darts import DartsSupernet
from searchcore.supernets.nb201 import NB201Supernet


def _nb201():
    torch.manual_seed(0)
    net = NB201Supernet(get_space("nb201"), 10, channels=4, cells_per_stage=1)
    with torch.no_grad():
        net.alphas["cell"].normal_()
    return net


def test_masking_a_zero_weight_op_changes_nothing_and_masked_ops_are_not_computed():
    net = _nb201().eval()
    x = torch.randn(4, 3, 8, 8)
    net.fix_edge("cell", 0, 3)  # edge 0 = one-hot nor_conv_3x3: its other ops have weight 0
    calls = []
    for _, cell in net.search_cells():
        for e, m in enumerate(cell.mixed):
            m.probe = lambda k, y, e=e: calls.append((e, k))
    with torch.no_grad():
        base = net(x)
        assert sorted({k for e, k in calls if e == 0}) == [3] and (1, 0) not in calls  # none never computed
        with masked(net, "cell", 0, [1]):
            assert torch.equal(net(x), base)
        calls.clear()
        with masked(net, "cell", 2, [2]):
            out = net(x)
        assert (2, 2) not in calls and (2, 1) in calls
        assert not torch.allclose(out, base)
    assert torch.equal(net.op_mask("cell"), torch.ones(6, 5))  # restored


class Planted(Supernet):
    """NB201-space toy supernet: logits = Σ_e Σ_k w[e,k]·f_{e,k}(x). Only nor_conv_3x3 on edge 0 carries the
    label (a planted feature); every other op adds label-free noise."""

    def __init__(self):
        super().__init__(get_space("nb201"), "softmax")
        g = torch.Generator().manual_seed(1)
        self.register_buffer("proj", torch.randn(6, 5, 40, 10, generator=g))

    def forward(self, x, weights=None):
        w = (self.edge_weights() if weights is None else weights)["cell"]  # (6, 5)
        feats = torch.einsum("bd,ekdc->bekc", x[:, 10:], self.proj)  # label-free features
        feats[:, :, 0] = 0.0  # none
        feats[:, 0, 3] = 1000.0 * x[:, :10]  # the op that matters
        return torch.einsum("ek,bekc->bc", w, feats)


def test_pt_keeps_the_op_that_matters_where_alpha_argmax_does_not():
    torch.manual_seed(0)
    x = torch.randn(256, 50)
    y = x[:, :10].argmax(1)
    net = Planted()
    with torch.no_grad():
        net.alphas["cell"][0] = torch.tensor([0.0, 0.0, 0.0, 0.0, 3.0])  # avg_pool has by far the largest α

    def score():
        return evaluate_supernet(net, lambda: iter([(x, y)]))

    assert int(net.alphas["cell"][0].argmax()) == 4
    base = score()
    k, cands = decide_operation(net, "cell", 0, score, "acc")
    assert k == 3 and cands["nor_conv_3x3"][0] < 20.0 < cands["avg_pool_3x3"][0]
    assert cands["none"] == list(base)  # removing none changes nothing: it scores the unperturbed supernet
    assert torch.equal(net.edge_weights()["cell"][0], torch.tensor([0.0, 0.0, 0.0, 1.0, 0.0]))

    for criterion, by_magnitude, expected in (("loss", False, 3), ("acc", True, 4)):  # pt-mag picks avg_pool
        other = Planted()
        with torch.no_grad():
            other.alphas["cell"].copy_(net.alphas["cell"])
        k, _ = decide_operation(other, "cell", 0, lambda o=other: evaluate_supernet(o, lambda: iter([(x, y)])),
                                criterion, by_magnitude)
        assert k == expected


def test_schedules_follow_the_reference_projection_loops():
    slots, total = get_space("nb201").family.pt_schedule(get_space("nb201"), 5, seed=0)
    assert total == 25 and [s.epoch for s in slots] == [0, 5, 10, 15, 20, 24]
    assert sorted(s.edge for s in slots) == list(range(6))
    slots1, total1 = get_space("nb201").family.pt_schedule(get_space("nb201"), 1, seed=0)
    assert total1 == 6 and [s.epoch for s in slots1] == list(range(6))

    slots, total = get_space("darts7").family.pt_schedule(get_space("darts7"), 5, seed=0)
    assert total == 81 and sorted({s.epoch for s in slots}) == list(range(0, 81, 5))
    ops = [s for s in slots if s.phase == "operation"]
    topo = [s for s in slots if s.phase == "topology"]
    assert {s.epoch for s in ops} == set(range(0, 70, 5)) and {s.epoch for s in topo} == {70, 75, 80}
    for cell in ("normal", "reduce"):
        assert sorted(s.edge for s in ops if s.cell == cell) == list(range(14))
        assert sorted(s.node for s in topo if s.cell == cell) == [3, 4, 5]
    assert get_space("darts7").family.pt_schedule(get_space("darts7"), 5, seed=1)[0] != slots
    assert get_space("nb201").family.topology_nodes(get_space("nb201")) == []


def test_every_edge_decided_once_and_every_node_keeps_two_inputs():
    space = get_space("s2")  # skip_connect, sep_conv_3x3
    torch.manual_seed(0)
    net = DartsSupernet(space, 10, channels=4, layers=3)
    x, y = torch.randn(4, 3, 8, 8), torch.randint(0, 10, (4,))

    def score():
        return evaluate_supernet(net, lambda: iter([(x, y)]))

    slots, _ = space.family.pt_schedule(space, 1, seed=3)
    visited = []
    for slot in slots:
        if slot.phase == "operation":
            decide_operation(net, slot.cell, slot.edge, score)
            visited.append((slot.cell, slot.edge))
        else:
            deleted, cands, last = decide_topology(net, slot.cell, slot.node, score)
            assert len(deleted) == len(space.node_edges(slot.node)) - 2 and last is not None
    assert sorted(visited) == sorted((c, e) for c in ("normal", "reduce") for e in range(14))
    with torch.no_grad():
        weights = net.edge_weights()
    for cell in ("normal", "reduce"):
        assert bool(net.fixed(cell)[1].all())
        for node in range(2, 6):
            assert sum(bool(weights[cell][e].any()) for e in space.node_edges(node)) == 2
    g = derive_darts(space, weights)
    kept = {(c, e) for c in ("normal", "reduce") for e in range(14) if weights[c][e].any()}
    inputs = [(c, j) for c, gene in (("normal", g.normal), ("reduce", g.reduce)) for _, j in gene]
    assert len(inputs) == 16 and len(kept) == 16


def test_one_shot_topology_keeps_the_two_edges_whose_removal_hurts_most():
    """Algorithm 2 of 001_…: one round, keep the two lowest ACC_without_e; the code's iterative rule
    re-scores after each deletion, so the two can differ. Scores here are a fixed table per masked edge."""
    torch.manual_seed(0)
    net = DartsSupernet(get_space("darts"), 10, channels=4, layers=3)
    node = 5  # edges 9..13 (inputs 0..4)
    acc_without = {9: 50.0, 10: 80.0, 11: 40.0, 12: 70.0, 13: 60.0}

    def score():
        mask = net.op_mask("normal")
        zeroed = [e for e in acc_without if float(mask[e].abs().sum()) == 0.0]
        return (min((acc_without[e] for e in zeroed), default=90.0), 0.0)

    deleted, scores, last = decide_topology(net, "normal", node, score, one_shot=True)
    assert sorted(deleted) == [10, 12, 13] and last is None
    assert len(scores) == 5  # one round: each edge scored once
    mask = net.op_mask("normal")
    assert [e for e in range(9, 14) if float(mask[e].abs().sum()) != 0.0] == [9, 11]
