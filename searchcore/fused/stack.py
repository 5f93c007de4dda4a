"""K supernet replicas whose parameters and buffers live in stacked (K, ...) tensors.

Each replica stays an ordinary :class:`Supernet`: its parameters and buffers are views of slice k of the
stacked tensors, so its optimiser, checkpoint, derived architecture and metrics are those of a run of that
seed alone. The stacked tensors are what one ``torch.func.vmap`` over :func:`torch.func.functional_call`
trains: K seeds' forward and backward passes as one batched computation (convolutions become grouped ones).

:class:`ReplicaStack` also knows which parameters and buffers belong to which candidate op of which mixed op,
so that an op a replica does not compute (EM-DARTS' mutated edges, masked ops) behaves for that replica
exactly as in a run alone: no gradient (so no momentum or weight decay step) and untouched BN statistics.
"""

from __future__ import annotations

import copy

import torch

from searchcore.supernets.base import Supernet

OpKey = tuple[int, int, int]
"""(search cell instance, edge, op index) of one candidate op."""


class ReplicaStack:
    def __init__(self, models: list[Supernet]) -> None:
        if len(models) < 1:
            raise ValueError("a replica stack needs at least one model")
        first = models[0]
        names = [n for n, _ in first.named_parameters()]
        buffer_names = [n for n, _ in first.named_buffers()]
        for m in models[1:]:
            if [n for n, _ in m.named_parameters()] != names or [n for n, _ in m.named_buffers()] != buffer_names:
                raise ValueError("fused replicas must have the same supernet structure")
        self.models = models
        arch_ids = {id(p) for p in first.arch_parameters()}
        self.arch_names = [n for n, p in first.named_parameters() if id(p) in arch_ids]
        self.weight_names = [n for n in names if n not in self.arch_names]
        with torch.no_grad():
            self.params = {n: torch.stack([dict(m.named_parameters())[n].detach() for m in models]) for n in names}
            self.buffers = {n: torch.stack([dict(m.named_buffers())[n] for m in models]) for n in buffer_names}
        for tensor in self.params.values():
            tensor.requires_grad_(True)
        for k, m in enumerate(models):
            for n, p in m.named_parameters():
                p.data = self.params[n].data[k]
            for n, b in m.named_buffers():
                b.data = self.buffers[n][k]
        self.replica_params = [dict(m.named_parameters()) for m in models]
        self.template = copy.deepcopy(first).to("meta")
        """The structure the stacked tensors are called through (its own tensors are never read)."""
        self.op_params, self.op_buffers = _op_members(self.template)

    @property
    def size(self) -> int:
        return len(self.models)

    def zero_grad(self) -> None:
        for tensor in self.params.values():
            tensor.grad = None

    def call_params(self, weights: bool, alphas: bool) -> dict[str, torch.Tensor]:
        """The stacked parameters for one fused call; those that take no gradient in this step are detached
        (the α step holds the weights, the weight step holds α: DARTS §2.3), which also skips their backward."""
        out = {}
        for n, tensor in self.params.items():
            wanted = alphas if n in self.arch_names else weights
            out[n] = tensor if wanted else tensor.detach()
        return out

    def hand_out_grads(self, unused: list[set[str]]) -> None:
        """Each replica's gradients from the stacked ones; ``None`` where the replica did not use a parameter
        (its run alone would have no gradient there, so its optimiser skips it)."""
        for n, tensor in self.params.items():
            grad = tensor.grad
            for k, params in enumerate(self.replica_params):
                params[n].grad = None if grad is None or n in unused[k] else grad[k]

    def snapshot_buffers(self, skipped: list[set[str]]) -> list[dict[str, torch.Tensor]]:
        """Copies of the buffers (BN statistics) each replica must keep as they are through the next call."""
        return [{n: self.buffers[n][k].clone() for n in names} for k, names in enumerate(skipped)]

    def restore_buffers(self, saved: list[dict[str, torch.Tensor]]) -> None:
        with torch.no_grad():
            for k, entries in enumerate(saved):
                for n, value in entries.items():
                    self.buffers[n][k].copy_(value)

    def unused_members(self, unused_ops: list[set[OpKey]]) -> tuple[list[set[str]], list[set[str]]]:
        """(parameter names, buffer names) of the ops each replica does not compute."""
        params = [{n for op in ops for n in self.op_params.get(op, ())} for ops in unused_ops]
        buffers = [{n for op in ops for n in self.op_buffers.get(op, ())} for ops in unused_ops]
        return params, buffers


def _op_members(model: Supernet) -> tuple[dict[OpKey, tuple[str, ...]], dict[OpKey, tuple[str, ...]]]:
    """Qualified parameter and buffer names of every candidate op, by (instance, edge, op)."""
    names = {id(m): n for n, m in model.named_modules()}
    params: dict[OpKey, tuple[str, ...]] = {}
    buffers: dict[OpKey, tuple[str, ...]] = {}
    for i, (_, cell) in enumerate(model.search_cells()):
        for e, mixed in enumerate(cell.mixed):
            for k, op in enumerate(mixed.ops):
                prefix = names[id(op)]
                params[(i, e, k)] = tuple(f"{prefix}.{n}" for n, _ in op.named_parameters())
                buffers[(i, e, k)] = tuple(f"{prefix}.{n}" for n, _ in op.named_buffers())
    return params, buffers
