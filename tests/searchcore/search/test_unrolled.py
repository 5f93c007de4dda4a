"""Second-order DARTS (DARTS §2.3, Eq. 6-8): the unrolled α step against autograd, and in the search loop."""

import copy
import math

import pytest
import torch
from pydantic import ValidationError
from torch import nn
from torch.func import functional_call

from searchcore.methods.regularizers import regularizer_loss
from searchcore.methods.resolve import resolve_config
from searchcore.search import NullReporter, SearchRun
from searchcore.search.loop import build_arch_optimizer, build_weight_optimizer
from searchcore.search.steps import arch_step, weight_step
from searchcore.search.unrolled import unrolled_arch_gradient, unrolled_arch_step, virtual_weights
from searchcore.supernets import build_supernet

TINY_NET = {"supernet.channels": 4, "supernet.cells_per_stage": 1, "supernet.layers": 3}
TINY_RUN = {
    **TINY_NET, "epochs": 2, "data.batch_size": 8, "data.limit_train_images": 32, "data.max_batches": 2,
    "data.eval_batches": 1, "threads": 1,
}


def _setup(over=None, dtype=torch.float64):
    """A tiny NB201 supernet after one real weight step (so SGD has a momentum buffer), and two batches."""
    cfg = resolve_config("darts-2nd", "nb201", "digits", {**TINY_NET, **(over or {})})
    torch.manual_seed(0)
    net = build_supernet(cfg, 10).to(dtype)
    net.init_alphas(cfg.method.alpha_init, cfg.method.alpha_init_std, None, torch.Generator().manual_seed(0))
    net.train()
    w_opt, a_opt = build_weight_optimizer(net, cfg), build_arch_optimizer(net, cfg)
    g = torch.Generator().manual_seed(1)
    batches = [(torch.randn(8, 3, 8, 8, generator=g, dtype=dtype), torch.randint(0, 10, (8,), generator=g))
               for _ in range(3)]
    weight_step(net, w_opt, *batches[2], cfg.optim, None)
    return cfg, net, w_opt, a_opt, batches[0], batches[1]


def _exact(cfg, net, w_opt, train, val):
    """(∇_α of L_val(w'(α), α) + reg(α) by autograd through w'(α) = w − ξ(μ·buf + ∇_w L_train(w, α) + λ·w),
    the same with w' held constant): their difference is the exact second-order term of Eq. 7."""
    group = w_opt.param_groups[0]
    arch = {id(p) for p in net.arch_parameters()}
    params = {n: p for n, p in net.named_parameters() if id(p) not in arch}
    grads = torch.autograd.grad(nn.functional.cross_entropy(net(train[0]), train[1]), list(params.values()),
                                create_graph=True, allow_unused=True)
    w_prime = {n: p.detach() - group["lr"] * (group["momentum"] * w_opt.state[p]["momentum_buffer"] + g
                                              + group["weight_decay"] * p.detach())
               for (n, p), g in zip(params.items(), grads) if g is not None}
    alphas = net.arch_parameters()

    def alpha_grad(weights):
        loss = nn.functional.cross_entropy(functional_call(net, weights, (val[0],)), val[1])
        reg = regularizer_loss(cfg.method.regularizer, alphas, 0)
        return torch.autograd.grad(loss if reg is None else loss + reg, alphas)

    return alpha_grad(w_prime), alpha_grad({n: w.detach() for n, w in w_prime.items()})


def _relative_errors(cfg, net, w_opt, train, val, radius):
    """(error of the whole α gradient, error of its second-order term), relative to the exact ones."""
    exact, first = _exact(cfg, net, w_opt, train, val)
    fd, _ = unrolled_arch_gradient(net, w_opt, *train, *val, cfg.method, 0, radius=radius)
    total = max(float((a - b).norm() / b.norm()) for a, b in zip(fd, exact))
    term = max(float((a - b).norm() / (b - c).norm()) for a, b, c in zip(fd, exact, first))
    return total, term


def test_finite_difference_matches_autograd_through_the_virtual_step():
    """Eq. 8 against autograd's exact second derivative (w' = w − ξ g built with create_graph), float64,
    with momentum, weight decay and the entropy regulariser on, ξ = 0.1.

    Tolerance: 1e-6 relative on the second-order term (1e-8 on the whole gradient); measured 5e-10 (2e-10). The
    finite-difference radius is 1e-6 instead of DARTS' 0.01 because autograd's double backward takes
    ReLU'' = 0: the two agree only if no ReLU changes sign between w− and w+. At 1e-6 none does on this
    net, truncation (O(r²) ~ 1e-12) and rounding (~1e-16/r ~ 1e-10) stay far below 1e-6. At DARTS'
    radius ReLUs do cross zero and the finite difference differs from autograd's a.e. Hessian by O(1) (it
    sees the kinks' curvature); its accuracy where the network is smooth is the next test.
    """
    cfg, net, w_opt, _, train, val = _setup({"optim.lr": 0.1, "method.regularizer.kind": "entropy",
                                             "method.regularizer.lam": 0.5})
    total, term = _relative_errors(cfg, net, w_opt, train, val, radius=1e-6)
    assert term < 1e-6 and total < 1e-8


def test_darts_radius_is_second_order_accurate_on_a_smooth_network(monkeypatch):
    """DARTS' ε = 0.01/‖v‖ with ReLU replaced by softplus (smooth, so the central difference converges as
    O(r²)): within 1e-2 of the exact second-order term (measured ~3e-3), and 100x closer at r = 1e-3."""
    monkeypatch.setattr(torch, "relu", nn.functional.softplus)
    monkeypatch.setattr(nn.ReLU, "forward", lambda self, x: nn.functional.softplus(x))
    cfg, net, w_opt, _, train, val = _setup()
    _, at_darts = _relative_errors(cfg, net, w_opt, train, val, radius=0.01)
    _, smaller = _relative_errors(cfg, net, w_opt, train, val, radius=1e-3)
    assert at_darts < 1e-2 and smaller < at_darts / 50


def test_virtual_step_is_the_weight_optimisers_next_step_without_clipping():
    """quark0/darts' virtual step, w − ξ(μ·buf + g + λ·w), is SGD's own step (no nesterov, no clip), up to
    rounding (measured: 1 ulp)."""
    cfg, net, w_opt, _, train, _ = _setup()
    virtual = virtual_weights(net, w_opt, *train, {n: b.clone() for n, b in net.named_buffers()})
    weight_step(net, w_opt, *train, cfg.optim.model_copy(update={"grad_clip": None}), None)
    real = dict(net.named_parameters())
    assert virtual.keys() == {n for n in real if n != "alphas.cell"}
    for name, w in virtual.items():
        torch.testing.assert_close(w, real[name].detach(), rtol=1e-13, atol=1e-15)


def test_unrolled_step_changes_alpha_and_nothing_else():
    """Bitwise: weights, their gradients, SGD's momentum buffers and BN running statistics."""
    cfg, net, w_opt, a_opt, train, val = _setup({"supernet.track_running_stats": True}, dtype=torch.float32)
    state = {k: v.clone() for k, v in net.state_dict().items()}
    buffers = {id(p): s["momentum_buffer"].clone() for p, s in w_opt.state.items()}
    grads = {n: None if p.grad is None else p.grad.clone() for n, p in net.named_parameters() if n != "alphas.cell"}
    assert any("running_mean" in k for k in state)
    unrolled_arch_step(net, a_opt, w_opt, *train, *val, cfg.method, 0)
    after = net.state_dict()
    assert not torch.equal(after["alphas.cell"], state["alphas.cell"])
    assert all(torch.equal(after[k], v) for k, v in state.items() if k != "alphas.cell")
    assert all(torch.equal(s["momentum_buffer"], buffers[id(p)]) for p, s in w_opt.state.items())
    for name, p in net.named_parameters():
        if name != "alphas.cell":
            assert (p.grad is None and grads[name] is None) or torch.equal(p.grad, grads[name])


def test_xi_zero_is_the_first_order_step():
    """ξ = 0 in Eq. 6-7 is DARTS' first-order approximation: bitwise the α of ``arch_step`` (w' = w − 0·d is w,
    and the finite difference is skipped)."""
    cfg, net, w_opt, a_opt, train, val = _setup({"method.regularizer.kind": "entropy",
                                                 "method.regularizer.lam": 0.5})
    net1 = copy.deepcopy(net)
    a_opt1 = build_arch_optimizer(net1, cfg)
    for group in w_opt.param_groups:
        group["lr"] = 0.0
    unrolled_arch_step(net, a_opt, w_opt, *train, *val, cfg.method, 0)
    arch_step(net1, a_opt1, *val, cfg.method, 0)
    assert torch.equal(net.alphas["cell"], net1.alphas["cell"])


def test_unrolled_step_ignores_autocast():
    """Under bfloat16 autocast (``amp``) the step is the full-precision one, bitwise."""
    cfg, net, w_opt, a_opt, train, val = _setup(dtype=torch.float32)
    net1 = copy.deepcopy(net)
    w_opt1 = build_weight_optimizer(net1, cfg)
    w_opt1.load_state_dict(w_opt.state_dict())
    a_opt1 = build_arch_optimizer(net1, cfg)
    unrolled_arch_step(net, a_opt, w_opt, *train, *val, cfg.method, 0)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        unrolled_arch_step(net1, a_opt1, w_opt1, *train, *val, cfg.method, 0)
    assert torch.equal(net.alphas["cell"], net1.alphas["cell"])


@pytest.mark.parametrize(
    ("overrides", "conflict"),
    [
        ({"method.level": "single"}, "method.level=single"),
        ({"method.arch_optim.fix_alpha": True}, "method.arch_optim.fix_alpha=true"),
        ({"method.activation": "uniform"}, "method.activation=uniform"),
    ],
)
def test_second_order_without_a_bilevel_trainable_alpha_is_rejected_in_one_line(overrides, conflict):
    with pytest.raises(ValidationError) as info:
        resolve_config("darts-2nd", "nb201", "digits", overrides)
    (error,) = info.value.errors()
    assert error["loc"] == ("method", "arch_gradient")
    assert "\n" not in error["msg"] and "method.arch_gradient=second_order" in error["msg"]
    assert conflict in error["msg"]


@pytest.mark.parametrize(
    ("method", "overrides"),
    [
        ("darts-2nd", {}),
        ("darts-autodl", {"method.arch_gradient": "second_order"}),  # weights_first, nesterov
        ("em-darts", {"method.arch_gradient": "second_order", "method.mutation.p_max": 0.5,
                      "method.mutation.growth": "fixed"}),
        ("r-darts", {"method.arch_gradient": "second_order"}),
    ],
)
def test_two_epoch_search_takes_unrolled_steps_and_moves_alpha(monkeypatch, method, overrides):
    import searchcore.search.loop as loop

    calls = []
    real = loop.unrolled_arch_step
    monkeypatch.setattr(loop, "unrolled_arch_step", lambda *a: calls.append(1) or real(*a))
    rep = NullReporter()
    run = SearchRun(resolve_config(method, "nb201", "digits", {**TINY_RUN, **overrides}), rep)
    before = run.model.alphas["cell"].detach().clone()
    run.run()
    assert len(calls) == 2 * 2 and all(math.isfinite(m["arch_loss"]) for m in rep.history)
    assert (run.model.alphas["cell"] - before).abs().max() > 1e-6
