"""What every search supernet shares: α per cell type, edge weights, masks, and per-cell mutation.

Edge weights of cell type t are ``where(fixed_rows, fixed, activation(α_t)) * op_mask`` (edges, ops):

* ``op_mask`` zeroes removed ops (DARTS-PT's perturbation, IS-DARTS' pruning, PT's topology step);
* ``fixed``/``fixed_rows`` hold decided edges (PT's one-hot commit).

Masked weights are exactly 0, so the mixed ops skip those ops. Edge mutation (EM-DARTS) replaces the
rows of single cell instances by one-hot vectors during weight steps only.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import nn

from searchcore.methods.activations import ACTIVATIONS
from searchcore.methods.mutation import EdgeMutator
from searchcore.spaces import CellSpace, SearchSpace


class Supernet(nn.Module):
    def __init__(self, space: SearchSpace, activation: str = "softmax") -> None:
        super().__init__()
        self.space = space
        self.activation = activation
        ACTIVATIONS.get(activation)
        self.weight_grad_hooks: list = []
        """``(cell type, edge weights)`` callbacks run where the weights carry α's gradient (probes)."""
        self.instance_grad_hooks: list = []
        """``(instance index, cell type, that instance's edge weights)`` callbacks, for probes of one cell instance:
        the instance then gets its own copy of the weights, whose gradient is that instance's share."""
        self.alphas = nn.ParameterDict(
            {c.name: nn.Parameter(torch.zeros(c.num_edges, c.num_ops)) for c in space.cells}
        )
        for c in space.cells:
            self.register_buffer(f"op_mask_{c.name}", torch.ones(c.num_edges, c.num_ops))
            self.register_buffer(f"fixed_{c.name}", torch.zeros(c.num_edges, c.num_ops))
            self.register_buffer(f"fixed_rows_{c.name}", torch.zeros(c.num_edges, dtype=torch.bool))

    # ------------------------------------------------------------------ α

    def init_alphas(self, mode: str, std: float, value: float | None, generator: torch.Generator) -> None:
        with torch.no_grad():
            for c in self.space.cells:
                alpha = self.alphas[c.name]
                if mode == "normal":
                    alpha.copy_(std * torch.randn(alpha.shape, generator=generator))
                else:
                    alpha.fill_(value if value is not None else ACTIVATIONS.get(self.activation).init_value(c.num_ops))

    def arch_parameters(self) -> list[nn.Parameter]:
        return list(self.alphas.values())

    def weight_parameters(self) -> Iterator[nn.Parameter]:
        arch = {id(p) for p in self.arch_parameters()}
        return (p for p in self.parameters() if id(p) not in arch)

    def op_mask(self, cell: str) -> torch.Tensor:
        return getattr(self, f"op_mask_{cell}")

    def op_masks(self) -> dict[str, torch.Tensor]:
        """(edges, ops) 0/1 mask per cell type: ops removed by selection rules are 0."""
        return {c.name: self.op_mask(c.name) for c in self.space.cells}

    def fixed(self, cell: str) -> tuple[torch.Tensor, torch.Tensor]:
        return getattr(self, f"fixed_{cell}"), getattr(self, f"fixed_rows_{cell}")

    def edge_weights(self) -> dict[str, torch.Tensor]:
        """(edges, ops) weights per cell type, after activation, decisions and masks."""
        act = ACTIVATIONS.get(self.activation)
        out = {}
        for c in self.space.cells:
            w = act(self.alphas[c.name])
            fixed, rows = self.fixed(c.name)
            if bool(rows.any()):
                w = torch.where(rows[:, None], fixed, w)
            out[c.name] = w * self.op_mask(c.name)
            if self.weight_grad_hooks and out[c.name].requires_grad:
                for hook in self.weight_grad_hooks:
                    hook(c.name, out[c.name])
        return out

    def edge_weights_static(self) -> dict[str, torch.Tensor]:
        """:meth:`edge_weights` without its host-side check for decided edges: the same values, with no
        data-dependent branch, so it runs under ``torch.func.vmap`` (``searchcore.fused``)."""
        act = ACTIVATIONS.get(self.activation)
        out = {}
        for c in self.space.cells:
            fixed, rows = self.fixed(c.name)
            out[c.name] = torch.where(rows[:, None], fixed, act(self.alphas[c.name])) * self.op_mask(c.name)
        return out

    def fix_edge(self, cell: str, edge: int, op_index: int) -> None:
        """Commit an edge to a one-hot on ``op_index`` (DARTS-PT's decision)."""
        fixed, rows = self.fixed(cell)
        fixed[edge].zero_()
        fixed[edge, op_index] = 1.0
        rows[edge] = True

    # ------------------------------------------------------------------ per-cell weights

    @staticmethod
    def active_lists(weights: torch.Tensor) -> list[list[int]]:
        """Indices of non-zero weights per edge of one cell type."""
        nz = (weights != 0).cpu().tolist()
        return [[k for k, flag in enumerate(row) if flag] for row in nz]

    def active_by_type(self, weights: dict[str, torch.Tensor]) -> dict[str, list[list[int]]]:
        """:meth:`active_lists` of every cell type with one host transfer per forward (not one per type)."""
        cells = self.space.cells
        flags = torch.cat([(weights[c.name] != 0).flatten() for c in cells]).cpu().tolist()
        out, start = {}, 0
        for c in cells:
            rows = [flags[start + e * c.num_ops:start + (e + 1) * c.num_ops] for e in range(c.num_edges)]
            out[c.name] = [[k for k, flag in enumerate(row) if flag] for row in rows]
            start += c.num_edges * c.num_ops
        return out

    def search_cells(self) -> list[tuple[str, nn.Module]]:
        """(cell type, module) of every search cell instance, in forward order; each module has ``mixed``, its
        mixed ops by edge."""
        raise NotImplementedError

    def cell_inputs(
        self, weights: dict[str, torch.Tensor], mutator: EdgeMutator | None,
    ) -> tuple[list[torch.Tensor], list[list[list[int]]]]:
        """(weights, active ops) of every search cell instance in forward order, EM-DARTS' mutations drawn
        instance by instance in that order (so a fused run can draw the same ones; ``searchcore.fused``)."""
        active = self.active_by_type(weights)
        cell_weights, cell_active = [], []
        for i, (t, _) in enumerate(self.search_cells()):
            w, a = self.mutate(weights[t], active[t], self.space.cell(t), mutator)
            if self.instance_grad_hooks and w.requires_grad:
                w = w.clone()  # same values; its gradient is this instance's alone
                for hook in self.instance_grad_hooks:
                    hook(i, t, w)
            cell_weights.append(w)
            cell_active.append(a)
        return cell_weights, cell_active

    def forward(
        self, x: torch.Tensor, weights: dict[str, torch.Tensor] | None = None,
        mutator: EdgeMutator | None = None,
    ) -> torch.Tensor:
        """Logits; ``weights`` default to :meth:`edge_weights`; ``mutator``: EM-DARTS' weight-step mutation."""
        cell_weights, cell_active = self.cell_inputs(self.edge_weights() if weights is None else weights, mutator)
        return self.forward_cells(x, cell_weights, cell_active)

    def forward_cells(
        self, x: torch.Tensor, cell_weights: list[torch.Tensor], cell_active: list[list[list[int]]],
    ) -> torch.Tensor:
        """The network with given weights and active ops per search cell instance (:meth:`search_cells`' order).
        No host synchronisation here, so it runs under ``torch.func.vmap`` over replicas (``searchcore.fused``)."""
        raise NotImplementedError

    @staticmethod
    def mutate(
        weights: torch.Tensor, active: list[list[int]], cell: CellSpace, mutator: EdgeMutator | None,
    ) -> tuple[torch.Tensor, list[list[int]]]:
        """One cell instance's weights, with EM-DARTS mutations applied (weight steps only)."""
        if mutator is None:
            return weights, active
        picks = mutator.sample(cell)
        return Supernet.apply_picks(weights, active, picks, mutator.compute_unselected)

    @staticmethod
    def apply_picks(
        weights: torch.Tensor, active: list[list[int]], picks: dict[int, int], compute_unselected: bool,
    ) -> tuple[torch.Tensor, list[list[int]]]:
        """``weights`` with the mutated edges' rows one-hot on their drawn op; the active ops to compute."""
        if not picks:
            return weights, active
        edges = list(picks)
        one_hot = torch.zeros(len(edges), weights.shape[1], device=weights.device, dtype=weights.dtype)
        one_hot[torch.arange(len(edges)), torch.tensor([picks[e] for e in edges])] = 1.0
        weights = weights.clone()
        weights[edges] = one_hot
        return weights, Supernet.mutated_active(active, picks, compute_unselected)

    @staticmethod
    def mutated_active(active: list[list[int]], picks: dict[int, int], compute_unselected: bool) -> list[list[int]]:
        """The ops a cell instance computes once ``picks`` mutated it: only the drawn op on a mutated edge
        (unless ``compute_unselected``: EM's code computes every op, the others times 0)."""
        if compute_unselected or not picks:
            return active
        return [([picks[e]] if e in picks else row) for e, row in enumerate(active)]
