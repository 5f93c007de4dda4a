"""``edge_weight_grad``: ∂L/∂p_k of every op k on one edge, averaged over the epoch's α updates.

Single-DARTS (003_… §4, Figure 3) plots the gradient of the loss with respect to the op weights p = activation(α)
of one edge during search, to show how bi-level updates starve parametric ops. The probe hooks the edge weights of
the watched cell type where the α gradient is taken (bi-level α steps, single-level steps), sums the gradient row
of the watched edge, either over every cell instance sharing those weights (``probes.instance: null``: the gradient
α receives) or of one instance (the paper's "edge 3←2 in the 15th cell": ``probes.edge: 5``,
``probes.instance: -1`` on NB201), and reports its mean per step as ``dL_dp_<op>`` columns. Weight steps hold α
fixed, so they are not counted.
"""

from __future__ import annotations

import torch

from searchcore.probes import ProbeSpec, register_probe


class EdgeWeightGrad:
    def __init__(self, run, cfg) -> None:
        space = run.space
        self.cell = cfg.cell or space.cells[0].name
        names = [c.name for c in space.cells]
        if self.cell not in names:
            raise ValueError(f"probes.cell: {self.cell!r} is no cell type of space {space.name!r}; allowed: "
                             f"{', '.join(names)}")
        cell = space.cell(self.cell)
        if cfg.edge >= cell.num_edges:
            raise ValueError(f"probes.edge: {cfg.edge} out of range; the {self.cell} cell has {cell.num_edges} edges")
        self.edge = cfg.edge
        self.ops = cell.edge_ops[cfg.edge]
        self.total = torch.zeros(len(self.ops), dtype=torch.float64)
        self.steps = 0
        if cfg.instance is None:
            run.model.weight_grad_hooks.append(self._hook)
            return
        instances = [i for i, (t, _) in enumerate(run.model.search_cells()) if t == self.cell]
        if not -len(instances) <= cfg.instance < len(instances):
            raise ValueError(f"probes.instance: {cfg.instance} out of range; the supernet has {len(instances)} "
                             f"{self.cell} cells")
        self.instance = instances[cfg.instance]
        run.model.instance_grad_hooks.append(self._instance_hook)

    def _hook(self, cell: str, weights: torch.Tensor) -> None:
        if cell == self.cell:
            weights.register_hook(self._record)

    def _instance_hook(self, index: int, cell: str, weights: torch.Tensor) -> None:
        if index == self.instance:
            weights.register_hook(self._record)

    def _record(self, grad: torch.Tensor) -> None:
        self.total += grad[self.edge].detach().to("cpu", torch.float64)
        self.steps += 1

    def epoch_metrics(self) -> dict[str, float]:
        mean = (self.total / max(self.steps, 1)).tolist()
        self.total.zero_()
        self.steps = 0
        return {f"dL_dp_{op}": float(v) for op, v in zip(self.ops, mean)}


register_probe(ProbeSpec("edge_weight_grad", EdgeWeightGrad,
                         "∂L/∂p per op of one edge (probes.cell, probes.edge), mean over the epoch's α updates "
                         "(Single-DARTS 003_… Figure 3)"))
