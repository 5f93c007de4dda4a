"""Second-order DARTS: the α gradient through one virtual weight step (Liu et al. 2019, DARTS §2.3).

DARTS approximates the inner optimum w*(α) by one training step, w' = w − ξ ∇_w L_train(w, α) (Eq. 6),
and differentiates L_val(w', α) through it (Eq. 7)::

    ∇_α L_val(w', α) − ξ ∇²_{α,w} L_train(w, α) ∇_{w'} L_val(w', α)

with the Hessian-vector product replaced by a central finite difference (Eq. 8): with
ε = 0.01 / ‖∇_{w'} L_val(w', α)‖ and w± = w ± ε ∇_{w'} L_val(w', α)::

    ∇²_{α,w} L_train(w, α) ∇_{w'} L_val(w', α)  ≈  (∇_α L_train(w+, α) − ∇_α L_train(w−, α)) / 2ε

ξ = 0 is DARTS' first-order approximation (:func:`searchcore.search.steps.arch_step`). Choices:

* **Virtual step = the reference codes' one**: w' = w − ξ (μ·buf + ∇_w L_train(w, α) + λ·w) with ξ, μ, λ
  the weight optimiser's lr, momentum and weight decay and buf its momentum buffer (0 before the first
  weight step): quark0/darts cnn/architect.py ``_compute_unrolled_model``, AutoDL DARTS-V2.py
  ``backward_step_unrolled``. With momentum 0 and λ = 0 it is Eq. 6 itself; for SGD without nesterov it
  is exactly the step the weight optimiser takes next (gradient clipping aside: neither reference clips
  the virtual step, and neither does this one). Under nesterov (``darts-autodl``) it stays this
  heavy-ball step, as in AutoDL's DARTS-V2, whose optimiser is nesterov too. μ·buf and λ·w do not depend
  on α, so Eq. 7-8 hold unchanged. Parameters without a training gradient (masked ops) stay at w, as
  the optimiser leaves them.
* **No edge mutation**: the virtual step uses the plain mixed forward; EM-DARTS switches mutation off at
  the start of its Architect step, unrolled path included (reference-notes §9).
* **Regulariser**: ``method.regularizer`` is added to the α loss at w' as in the first-order step (it
  depends on α only). β-DARTS' code drops it on the unrolled path (reference-notes §8); here the axes
  compose.
* **Nothing on the model changes but α's gradient**: w', w± are separate tensors handed to the network
  with ``torch.func.functional_call``, so the real weights are never written (no add-then-subtract
  drift, unlike the references' in-place w ± ε v), and every virtual forward runs on copies of the
  buffers, so BN running statistics never see a virtual pass. (quark0/AutoDL run the w, w± passes on the
  real model, which updates them; in training mode BN normalises with batch statistics, so the α
  gradient is the same either way, only eval-mode statistics differ.)
* **Reported α loss** is L_val(w', α), the loss the gradient is of (AutoDL DARTS-V2 reports it too).
* **Full precision under ``amp``** (neither reference has amp): see :func:`unrolled_arch_step`.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call

from searchcore.config import MethodConfig
from searchcore.methods.regularizers import regularizer_loss
from searchcore.search.steps import StepStats, _stats
from searchcore.supernets.base import Supernet

Tensors = dict[str, torch.Tensor]

FD_RADIUS = 0.01
"""ε·‖∇_{w'} L_val‖ = 0.01: "sufficiently accurate in all of our experiments" (DARTS §2.3, Eq. 8);
quark0/darts architect.py ``_hessian_vector_product(r=1e-2)``. On a smooth network the central difference
is O(ε²) accurate (softplus test: 3e-3 relative at this radius). With ReLUs, units that change sign
between w− and w+ add the kinks' curvature, which autograd's a.e. second derivative (ReLU'' = 0) leaves
out: on the tiny test supernet the two differ by O(1) at this radius and agree to 5e-10 at 1e-6
(tests/searchcore/search/test_unrolled.py). DARTS' definition is kept."""


def _weights(model: Supernet) -> dict[str, nn.Parameter]:
    """Trainable weight parameters by name (the keys ``functional_call`` replaces)."""
    arch = {id(p) for p in model.arch_parameters()}
    return {n: p for n, p in model.named_parameters() if id(p) not in arch and p.requires_grad}


def _sgd_lr(w_opt: torch.optim.Optimizer) -> float:
    """ξ: the weight lr (DARTS §2.3 sets ξ to the learning rate of w's optimiser)."""
    if not isinstance(w_opt, torch.optim.SGD) or len(w_opt.param_groups) != 1:
        raise ValueError("the unrolled α step mirrors a one-group SGD weight optimiser (quark0/darts)")
    group = w_opt.param_groups[0]
    if group["dampening"] or group["maximize"]:
        raise ValueError("the unrolled α step mirrors SGD without dampening or maximize")
    return float(group["lr"])


def virtual_weights(model: Supernet, w_opt: torch.optim.SGD, x: torch.Tensor, y: torch.Tensor,
                    buffers: Tensors) -> Tensors:
    """w' = w − ξ (μ·buf + ∇_w L_train(w, α) + λ·w) per weight, detached (α held, mixed forward)."""
    params = _weights(model)
    group = w_opt.param_groups[0]
    xi, mu, wd = _sgd_lr(w_opt), group["momentum"], group["weight_decay"]
    with torch.no_grad():
        edge = model.edge_weights()
    logits = functional_call(model, buffers, (x,), {"weights": edge})
    grads = torch.autograd.grad(nn.functional.cross_entropy(logits, y), list(params.values()), allow_unused=True)
    out: Tensors = {}
    with torch.no_grad():
        for (name, p), g in zip(params.items(), grads):
            if g is None:
                out[name] = p.detach()
                continue
            d = g + wd * p if wd else g
            buf = w_opt.state.get(p, {}).get("momentum_buffer")
            if mu and buf is not None:
                d = d + mu * buf
            out[name] = p - xi * d
    return out


def _alpha_grads(model: Supernet, weights: Tensors, buffers: Tensors, x: torch.Tensor,
                 y: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
    """∇_α L_train at the given weights (α live, weights constant)."""
    logits = functional_call(model, {**buffers, **weights}, (x,))
    loss = nn.functional.cross_entropy(logits, y)
    return torch.autograd.grad(loss, model.arch_parameters(), allow_unused=True)


def unrolled_arch_gradient(
    model: Supernet, w_opt: torch.optim.SGD, x_train: torch.Tensor, y_train: torch.Tensor,
    x_val: torch.Tensor, y_val: torch.Tensor, method: MethodConfig, epoch: int, radius: float = FD_RADIUS,
) -> tuple[list[torch.Tensor | None] | None, StepStats]:
    """The α gradient of Eq. 7-8 (plus the α regulariser), one entry per ``model.arch_parameters()``;
    ``None`` when the α loss does not depend on α (every edge decided or masked). ``radius`` = ε·‖v‖, the
    length of the finite-difference step in weight space (tests shrink it to compare with autograd)."""
    xi = _sgd_lr(w_opt)
    buffers = {n: b.clone() for n, b in model.named_buffers()}
    w = {n: p.detach() for n, p in _weights(model).items()}
    w_prime = {n: t.requires_grad_() for n, t in virtual_weights(model, w_opt, x_train, y_train, buffers).items()}
    alphas = model.arch_parameters()
    logits = functional_call(model, {**buffers, **w_prime}, (x_val,))
    loss = nn.functional.cross_entropy(logits, y_val)
    reg = regularizer_loss(method.regularizer, alphas, epoch)
    total = loss if reg is None else loss + reg
    stats = _stats(logits, y_val, loss, reg)
    grads = torch.autograd.grad(total, alphas + list(w_prime.values()), allow_unused=True)
    d_alpha, v = list(grads[:len(alphas)]), dict(zip(w_prime, grads[len(alphas):]))
    if all(g is None for g in d_alpha):
        return None, stats
    v = {n: g for n, g in v.items() if g is not None}
    norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in v.values()])) if v else 0.0
    if xi == 0.0 or not float(norm) > 0.0:  # ξ = 0 is first order; a zero vector has a zero product
        return d_alpha, stats
    eps = radius / norm
    plus = _alpha_grads(model, {**w, **{n: w[n] + eps * g for n, g in v.items()}}, buffers, x_train, y_train)
    minus = _alpha_grads(model, {**w, **{n: w[n] - eps * g for n, g in v.items()}}, buffers, x_train, y_train)
    for i, (gp, gm) in enumerate(zip(plus, minus)):
        if gp is not None and gm is not None:
            hvp = (gp - gm) / (2 * eps)
            d_alpha[i] = -xi * hvp if d_alpha[i] is None else d_alpha[i] - xi * hvp
    return d_alpha, stats


def unrolled_arch_step(
    model: Supernet, optimizer: torch.optim.Optimizer, w_opt: torch.optim.SGD, x_train: torch.Tensor,
    y_train: torch.Tensor, x_val: torch.Tensor, y_val: torch.Tensor, method: MethodConfig, epoch: int,
) -> StepStats:
    """Second-order α step: the gradient of :func:`unrolled_arch_gradient`, then ``optimizer.step()``.

    ``x_train`` is the weight batch of this iteration (quark0/darts train_search.py passes the same batch
    to the architect and to the weight step); ξ is ``w_opt``'s current lr. The weights, their gradients,
    the weight optimiser's state and every buffer are left as they were. It runs in full precision under
    ``amp``: both the virtual step ξ·d and the finite-difference step ε·v move a weight by far less than
    bfloat16's relative resolution (2⁻⁸), so in bfloat16 they would mostly round away.
    """
    optimizer.zero_grad(set_to_none=True)
    with torch.autocast(x_val.device.type, enabled=False):
        grads, stats = unrolled_arch_gradient(model, w_opt, x_train, y_train, x_val, y_val, method, epoch)
    if grads is None:
        return stats
    for p, g in zip(model.arch_parameters(), grads):
        p.grad = g
    optimizer.step()
    return stats
