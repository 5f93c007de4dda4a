"""One search iteration's updates for K fused replicas: the α step, the weight step and the single-level step.

Each step is the step of ``searchcore.search.steps`` for every replica at once: one ``vmap`` over the stacked
parameters computes K losses on K batches (one per replica's data order), one backward pass gives every
replica its gradients, and then each replica's own optimiser steps. A mixed op computes the union of the ops
any replica needs (:class:`CallPlan`); for a replica that does not need one, the op's weight is exactly 0, so
its output and gradient are exactly those of the run alone; its parameters are handed no gradient and its BN
statistics are put back, as if the op had not run.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.func import functional_call, vmap

from searchcore.config import MethodConfig, WeightOptimConfig
from searchcore.fused.stack import OpKey, ReplicaStack
from searchcore.methods.mutation import EdgeMutator
from searchcore.methods.regularizers import REGULARIZERS, regularizer_loss
from searchcore.search.steps import StepStats
from searchcore.supernets.base import Supernet

warnings.filterwarnings("ignore", category=UserWarning,
                        message="There is a performance drop because we have not yet implemented the batching rule")
"""vmap's one fallback here (adaptive average pooling's as_strided_) runs once per step on (B, C, 1, 1): the
warning, repeated in every trial log, says nothing a user can act on (docs/benchmarks.md, Fused seeds)."""


@dataclass
class CallPlan:
    """What one fused call computes, decided on the host before it."""

    active: list[list[list[int]]]
    """Per search cell instance and edge: the union of the replicas' active ops."""
    overrides: dict[int, torch.Tensor]
    """Instances some replica mutated: (K, edges, ops) one-hot rows."""
    rows: dict[int, torch.Tensor]
    """Instances some replica mutated: (K, edges) which rows of ``overrides`` replace the edge weights."""
    unused: list[set[OpKey]]
    """Per replica: ops in the union it does not compute in a run alone."""


def plan_call(stack: ReplicaStack, mutators: Sequence[EdgeMutator | None]) -> CallPlan:
    """Active ops of every replica (EM-DARTS' mutations drawn from each replica's own generator, instance by
    instance in forward order, exactly as its run alone draws them), their union and the mutated rows."""
    template = stack.template
    cells = template.search_cells()
    per_replica: list[list[list[list[int]]]] = []
    picks_by_replica: list[list[dict[int, int]]] = []
    for model, mutator in zip(stack.models, mutators):
        with torch.no_grad():
            weights = model.edge_weights()
        active = model.active_by_type(weights)
        mine, picks_here = [], []
        for t, _ in cells:
            picks = mutator.sample(template.space.cell(t)) if mutator is not None else {}
            compute_all = mutator.compute_unselected if mutator is not None else False
            mine.append(Supernet.mutated_active(active[t], picks, compute_all))
            picks_here.append(picks)
        per_replica.append(mine)
        picks_by_replica.append(picks_here)
    union = [[sorted(set().union(*(r[i][e] for r in per_replica))) for e in range(len(per_replica[0][i]))]
             for i in range(len(cells))]
    unused = [{(i, e, k) for i, inst in enumerate(union) for e, ops in enumerate(inst) for k in ops
               if k not in r[i][e]} for r in per_replica]
    overrides, rows = {}, {}
    for i, (t, _) in enumerate(cells):
        if not any(picks[i] for picks in picks_by_replica):
            continue
        cell = template.space.cell(t)
        some_alpha = stack.params[f"alphas.{t}"]
        onehot = torch.zeros(stack.size, cell.num_edges, cell.num_ops, dtype=some_alpha.dtype, device=some_alpha.device)
        mask = torch.zeros(stack.size, cell.num_edges, dtype=torch.bool, device=some_alpha.device)
        for k, picks in enumerate(picks_by_replica):
            for e, op in picks[i].items():
                onehot[k, e, op] = 1.0
                mask[k, e] = True
        overrides[i], rows[i] = onehot, mask
    return CallPlan(union, overrides, rows, unused)


class FusedNet(nn.Module):
    """The network one replica computes inside the vmap: edge weights from its α (and masks), mutated rows
    replaced by their one-hot, then the supernet's cells on the plan's (union) active ops."""

    def __init__(self, net: Supernet) -> None:
        super().__init__()
        self.net = net
        self.active: list[list[list[int]]] = []

    def forward(
        self, x: torch.Tensor, overrides: dict[int, torch.Tensor], rows: dict[int, torch.Tensor],
    ) -> torch.Tensor:
        weights = self.net.edge_weights_static()
        cell_weights = []
        for i, (t, _) in enumerate(self.net.search_cells()):
            w = weights[t]
            if i in overrides:
                w = torch.where(rows[i][:, None], overrides[i], w)
            cell_weights.append(w)
        return self.net.forward_cells(x, cell_weights, self.active)


@dataclass
class FusedOutput:
    loss: torch.Tensor
    """(K,) cross-entropy per replica (with autograd)."""
    correct: torch.Tensor
    reg: torch.Tensor | None
    """(K,) regulariser value per replica, or None."""


def fused_call(
    stack: ReplicaStack, net: FusedNet, plan: CallPlan, xs: torch.Tensor, ys: torch.Tensor,
    *, weights: bool, alphas: bool, method: MethodConfig | None = None, epoch: int = 0,
) -> FusedOutput:
    """K replicas' losses on their own batches (``xs``: (K, B, ...)); ``weights``/``alphas``: which parameters
    take gradients; ``method`` adds its α regulariser (α steps only)."""
    net.active = plan.active
    params = {f"net.{n}": t for n, t in stack.call_params(weights=weights, alphas=alphas).items()}
    buffers = {f"net.{n}": t for n, t in stack.buffers.items()}
    alpha_keys = [f"net.{n}" for n in stack.arch_names]
    regularise = method is not None and alphas

    def one(p: dict, b: dict, x: torch.Tensor, y: torch.Tensor, over: dict, rows: dict):
        logits = functional_call(net, (p, b), (x, over, rows))
        loss = nn.functional.cross_entropy(logits, y)
        correct = (logits.argmax(1) == y).sum()
        if not regularise:
            return loss, correct, torch.zeros((), dtype=loss.dtype)
        reg = regularizer_loss(method.regularizer, [p[k] for k in alpha_keys], epoch)
        return loss, correct, (torch.zeros((), dtype=loss.dtype) if reg is None else reg)

    loss, correct, reg = vmap(one)(params, buffers, xs, ys, plan.overrides, plan.rows)
    has_reg = regularise and REGULARIZERS.get(method.regularizer.kind) is not None
    return FusedOutput(loss, correct, reg if has_reg else None)


def _stats(out: FusedOutput, count: int) -> list[StepStats]:
    loss = out.loss.detach().tolist()
    correct = out.correct.tolist()
    reg = out.reg.detach().tolist() if out.reg is not None else [None] * len(loss)
    return [StepStats(float(lo), int(c), count, None if r is None else float(r))
            for lo, c, r in zip(loss, correct, reg)]


def _backward(stack: ReplicaStack, net: FusedNet, plan: CallPlan, xs, ys, *, weights: bool, alphas: bool,
              method: MethodConfig | None, epoch: int) -> FusedOutput:
    """Forward and backward of one fused step; BN statistics of ops a replica did not compute are restored and
    each replica gets its own gradients (none for parameters it did not use)."""
    stack.zero_grad()
    unused_params, unused_buffers = stack.unused_members(plan.unused)
    saved = stack.snapshot_buffers(unused_buffers)
    out = fused_call(stack, net, plan, xs, ys, weights=weights, alphas=alphas, method=method, epoch=epoch)
    total = out.loss.sum() if out.reg is None else (out.loss + out.reg).sum()
    if total.requires_grad:
        total.backward()
    stack.restore_buffers(saved)
    stack.hand_out_grads(unused_params)
    return out


def fused_weight_step(
    stack: ReplicaStack, net: FusedNet, optimizers: Sequence[torch.optim.Optimizer], xs: torch.Tensor,
    ys: torch.Tensor, optim: WeightOptimConfig, mutators: Sequence[EdgeMutator | None],
) -> list[StepStats]:
    """:func:`searchcore.search.steps.weight_step` for every replica: α held, each replica's mutations."""
    for opt in optimizers:
        opt.zero_grad(set_to_none=True)
    plan = plan_call(stack, mutators)
    out = _backward(stack, net, plan, xs, ys, weights=True, alphas=False, method=None, epoch=0)
    for model, opt in zip(stack.models, optimizers):
        if optim.grad_clip is not None:
            nn.utils.clip_grad_norm_(list(model.weight_parameters()), optim.grad_clip)
        opt.step()
    return _stats(out, ys.shape[1])


def fused_arch_step(
    stack: ReplicaStack, net: FusedNet, optimizers: Sequence[torch.optim.Optimizer], xs: torch.Tensor,
    ys: torch.Tensor, method: MethodConfig, epoch: int,
) -> list[StepStats]:
    """:func:`searchcore.search.steps.arch_step` for every replica: weights held, no mutation."""
    for opt in optimizers:
        opt.zero_grad(set_to_none=True)
    plan = plan_call(stack, [None] * stack.size)
    out = _backward(stack, net, plan, xs, ys, weights=False, alphas=True, method=method, epoch=epoch)
    if any(p.grad is not None for m in stack.models for p in m.arch_parameters()):
        for opt in optimizers:
            opt.step()
    return _stats(out, ys.shape[1])


def fused_combined_step(
    stack: ReplicaStack, net: FusedNet, w_opts: Sequence[torch.optim.Optimizer],
    a_opts: Sequence[torch.optim.Optimizer | None], xs: torch.Tensor, ys: torch.Tensor, method: MethodConfig,
    optim: WeightOptimConfig, epoch: int, mutators: Sequence[EdgeMutator | None],
) -> list[StepStats]:
    """:func:`searchcore.search.steps.combined_step` for every replica: one backward pass for weights and α."""
    trains_alpha = a_opts[0] is not None
    for opt in (*w_opts, *(a for a in a_opts if a is not None)):
        opt.zero_grad(set_to_none=True)
    plan = plan_call(stack, mutators)
    out = _backward(stack, net, plan, xs, ys, weights=True, alphas=trains_alpha,
                    method=method if trains_alpha else None, epoch=epoch)
    for model, w_opt, a_opt in zip(stack.models, w_opts, a_opts):
        if optim.grad_clip is not None:
            nn.utils.clip_grad_norm_(list(model.weight_parameters()), optim.grad_clip)
        w_opt.step()
        if a_opt is not None:
            a_opt.step()
    return _stats(out, ys.shape[1])


@torch.no_grad()
def fused_eval(stack: ReplicaStack, net: FusedNet, xs: torch.Tensor, ys: torch.Tensor) -> tuple[list[float], list[int]]:
    """Summed cross-entropy and correct count per replica on its batch, eval mode, no mutation."""
    plan = plan_call(stack, [None] * stack.size)
    net.active = plan.active
    params = {f"net.{n}": t.detach() for n, t in stack.params.items()}
    buffers = {f"net.{n}": t for n, t in stack.buffers.items()}

    def one(p: dict, b: dict, x: torch.Tensor, y: torch.Tensor):
        logits = functional_call(net, (p, b), (x, {}, {}))
        return nn.functional.cross_entropy(logits.float(), y, reduction="sum"), (logits.argmax(1) == y).sum()

    loss, correct = vmap(one)(params, buffers, xs, ys)
    return [float(v) for v in loss.tolist()], [int(c) for c in correct.tolist()]
