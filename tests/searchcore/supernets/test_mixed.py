import torch

from searchcore.supernets.mixed import MixedOp


def _edge(ops=("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"), stride=1):
    torch.manual_seed(0)
    return MixedOp(ops, 4, stride, track_running_stats=False, pool_bn=False)


def _call(edge, x, w):
    active = [k for k, v in enumerate(w.tolist()) if v != 0]
    return edge(x, w, active, lambda: torch.relu(x))


def _count_calls(edge):
    calls = [0] * len(edge.ops)
    for k, op in enumerate(edge.ops):
        op.register_forward_pre_hook(lambda m, i, k=k: calls.__setitem__(k, calls[k] + 1))
        if hasattr(op, "body"):
            op.body.register_forward_pre_hook(lambda m, i, k=k: calls.__setitem__(k, calls[k] + 1))
    return calls


def test_weighted_sum_equals_naive_sum():
    edge = _edge()
    x = torch.randn(2, 4, 8, 8)
    w = torch.softmax(torch.randn(5), 0)
    naive = sum(w[k] * op(x) for k, op in enumerate(edge.ops))
    assert torch.allclose(_call(edge, x, w), naive, atol=1e-6)


def test_masking_an_op_with_zero_weight_changes_nothing_and_skips_it():
    edge = _edge()
    x = torch.randn(2, 4, 8, 8)
    w = torch.softmax(torch.randn(5), 0)
    w[3] = 0.0
    calls = _count_calls(edge)
    out = _call(edge, x, w)
    w2 = w.clone()
    w2[3] = 0.0
    assert torch.equal(out, _call(edge, x, w2))
    naive = sum(w[k] * op(x) for k, op in enumerate(edge.ops) if k != 3)
    assert torch.allclose(out, naive, atol=1e-6)
    assert calls[3] == 0


def test_one_hot_edge_computes_exactly_one_op():
    edge = _edge()
    x = torch.randn(2, 4, 8, 8)
    calls = _count_calls(edge)
    w = torch.tensor([0.0, 0.0, 0.0, 1.0, 0.0])
    out = _call(edge, x, w)
    assert calls == [0, 0, 0, 1, 0]
    assert torch.allclose(out, edge.ops[3](x))


def test_none_only_gives_zeros_of_the_right_shape():
    edge = _edge(ops=("none", "skip_connect"), stride=2)
    x = torch.randn(2, 4, 8, 8)
    out = _call(edge, x, torch.tensor([1.0, 0.0]))
    assert out.shape == (2, 4, 4, 4) and not out.any()
