"""The figure probes of Single-DARTS Figure 2 (``grad_correlation``), IS-DARTS Figure 4 (``iim_by_images``) and r-DARTS
Figure 4 (``op_weights``), each against an independent computation on a tiny NB201 supernet; none of them runs
unless a config names it."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from searchcore.config import SearchConfig
from searchcore.methods.presets import PRESETS
from searchcore.methods.resolve import resolve_config
from searchcore.probes.grad_correlation import correlations, watched_cells
from searchcore.probes.iim_by_images import per_sample_iim, running_means
from searchcore.probes.op_weights import op_weight_means
from searchcore.search import NullReporter, SearchRun
from searchcore.selection.iim import iim_per_sample, measure_iim
from searchcore.spaces import get_space
from searchcore.supernets import build_supernet

TINY = {"epochs": 1, "supernet.channels": 4, "supernet.cells_per_stage": 1, "data.batch_size": 16,
        "data.limit_train_images": 64, "data.max_batches": 2, "data.eval_batches": 1, "threads": 1}
PREFIXES = ("grad_corr_", "grad_cos_", "iim_", "op_weight_")


def _model(method: str = "darts"):
    cfg = resolve_config(method, "nb201", "digits", TINY)
    torch.manual_seed(0)
    model = build_supernet(cfg, 10)
    model.init_alphas("normal", 0.5, None, torch.Generator().manual_seed(0))
    return model


def _batch(seed: int, n: int = 4) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, 8, 8, generator=g), torch.randint(0, 10, (n,), generator=g)


def _linear_op_grads(model, batch) -> dict[tuple[int, int], torch.Tensor]:
    """Σ_j g_j x_jᵀ of every edge of the watched cells, as the gradient of a zero linear op W added to the edge's
    output (003_… Eq. 7 with p = 1): autograd on an explicit W, not the probe's per-sample maps."""
    cells = model.search_cells()
    ws, handles = {}, []
    for index in set(watched_cells(model).values()):
        for e, mixed in enumerate(cells[index][1].mixed):
            def hook(module, args, output, key=(index, e)):
                w = ws.setdefault(key, torch.zeros(output[0].numel(), args[0][0].numel(), requires_grad=True))
                return output + (args[0].flatten(1) @ w.T).view_as(output)
            handles.append(mixed.register_forward_hook(hook))
    model.train()
    x, y = batch
    with torch.no_grad():
        weights = model.edge_weights()
    loss = nn.functional.cross_entropy(model(x, weights=weights), y, reduction="sum")
    grads = torch.autograd.grad(loss, list(ws.values()))
    for h in handles:
        h.remove()
    return {k: g.double() for k, g in zip(ws, grads)}


def test_gradient_correlation_is_the_inner_product_of_two_batches_linear_op_gradients():
    model, space = _model(), get_space("nb201")
    weight_batch, alpha_batch = _batch(1), _batch(2, n=6)
    got = correlations(model, space, weight_batch, alpha_batch)
    gw, ga = _linear_op_grads(model, weight_batch), _linear_op_grads(model, alpha_batch)
    assert set(watched_cells(model)) == {"first", "middle", "last"} and watched_cells(model)["last"] == 2
    for pos, index in watched_cells(model).items():
        for node in space.nodes():
            edges = [(index, e) for e in space.node_edges(node)]
            bilevel = sum(float((ga[k] * gw[k]).sum()) for k in edges)
            single = sum(float((gw[k] * gw[k]).sum()) for k in edges)
            assert got[f"grad_corr_bilevel_{pos}_n{node}"] == pytest.approx(bilevel / (6 * 4), rel=1e-6, abs=1e-12)
            assert got[f"grad_corr_single_{pos}_n{node}"] == pytest.approx(single / (4 * 4), rel=1e-6, abs=1e-12)
            norm_a = math.sqrt(sum(float((ga[k] ** 2).sum()) for k in edges))
            norm_w = math.sqrt(sum(float((gw[k] ** 2).sum()) for k in edges))
            assert got[f"grad_cos_bilevel_{pos}_n{node}"] == pytest.approx(bilevel / (norm_a * norm_w), rel=1e-6)
            assert got[f"grad_cos_single_{pos}_n{node}"] == pytest.approx(1.0)
    assert len(got) == 2 * 2 * 3 * len(space.nodes())
    assert got["grad_corr_single_last_n3"] > 0 and got["grad_corr_bilevel_last_n3"] != got["grad_corr_single_last_n3"]


def test_gradient_correlation_leaves_the_model_as_it_was():
    model, space = _model(), get_space("nb201")
    model.eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    correlations(model, space, _batch(1), _batch(2))
    assert not model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())
    assert math.isnan(correlations(model, space, _batch(1), None)["grad_corr_bilevel_first_n1"])


def test_iim_by_images_are_running_means_of_the_shrink_rules_measure():
    model, space = _model("is-darts"), get_space("nb201")
    model.op_mask("cell")[0, 3] = 0.0  # a pruned op: never computed, NaN
    batches = [_batch(s, n=5) for s in (1, 2)]
    scores = per_sample_iim(model, batches, 10)
    assert scores["cell"].shape == (6, 5, 10)
    got = running_means(scores, space, (1, 5, 10, 20))
    whole, seen = measure_iim(model, batches, None)
    first, _ = measure_iim(model, batches[:1], None)
    assert seen == 10
    ops = space.cell("cell").edge_ops
    for e, (target, source) in enumerate(space.edges):
        for k, op in enumerate(ops[e]):
            key = f"iim_cell_{source}to{target}_{op}"
            if op == "none":
                assert not any(c.startswith(key) for c in got)
                continue
            if (e, k) == (0, 3):
                assert math.isnan(got[f"{key}_n10"])
                continue
            assert got[f"{key}_n10"] == pytest.approx(float(whole["cell"][e, k]), rel=1e-9)
            assert got[f"{key}_n5"] == pytest.approx(float(first["cell"][e, k]), rel=1e-9)
            assert got[f"{key}_n1"] == pytest.approx(float(scores["cell"][e, k, 0]), rel=1e-12)
            assert f"{key}_n20" not in got  # more images than the data holds: no column
    assert per_sample_iim(model, batches, 3)["cell"].shape[2] == 3 and model.training
    by_hand = _first_batch_scores(model, batches[0][0])
    for (e, k), per_sample in by_hand.items():  # each image in its place
        assert torch.allclose(scores["cell"][e, k, :5], per_sample, rtol=1e-9)
        assert got[f"iim_cell_{space.edges[e][1]}to{space.edges[e][0]}_{ops[e][k]}_n1"] == pytest.approx(
            float(per_sample[0]), rel=1e-9)


def _first_batch_scores(model, x) -> dict[tuple[int, int], torch.Tensor]:
    """(edge, op) -> (B,) IIM of each image, mean over the cells, from the op outputs seen by a hook of our own."""
    seen: dict[tuple[int, int], list[torch.Tensor]] = {}
    mixed = [(e, m) for _, module in model.search_cells() for e, m in enumerate(module.mixed)]
    for e, m in mixed:
        m.probe = lambda k, y, e=e: seen.setdefault((e, k), []).append(iim_per_sample(y))
    model.eval()
    with torch.no_grad():
        model(x)
    for _, m in mixed:
        m.probe = None
    model.train()
    return {key: torch.stack(values).mean(dim=0) for key, values in seen.items()}


def test_op_weights_are_mean_softmax_weights_by_op_and_kind():
    model, space = _model(), get_space("nb201")
    with torch.no_grad():
        model.alphas["cell"].copy_(torch.arange(30, dtype=torch.float32).view(6, 5) / 10)
        weights = model.edge_weights()
    got = op_weight_means(space, weights)
    p = torch.softmax(torch.arange(30, dtype=torch.float64).view(6, 5) / 10, dim=1)
    ops = space.cell("cell").edge_ops[0]  # none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3
    for k, op in enumerate(ops):
        assert got[f"op_weight_cell_{op}"] == pytest.approx(float(p[:, k].mean()))
    conv = [ops.index("nor_conv_1x1"), ops.index("nor_conv_3x3")]
    free = [ops.index("skip_connect"), ops.index("avg_pool_3x3")]
    assert got["op_weight_cell_parametric"] == pytest.approx(float(p[:, conv].mean()))
    assert got["op_weight_cell_free"] == pytest.approx(float(p[:, free].mean()))  # none left out


def test_the_figure_probes_are_off_unless_named():
    assert SearchConfig().probes.names == []
    assert all(resolve_config(name, "nb201", "digits").probes.names == [] for name in PRESETS.names())
    reporter = NullReporter()
    SearchRun(resolve_config("darts", "nb201", "digits", TINY), reporter).run()
    assert not [c for c in reporter.history[0] if c.startswith(PREFIXES)]
