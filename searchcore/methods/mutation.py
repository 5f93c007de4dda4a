"""EM-DARTS edge mutation (reference-notes §9).

On every weight-step forward, every edge of every cell independently draws γ ~ Bernoulli(p); a mutated
edge is replaced by a one-hot weight on an op drawn uniformly from *that edge's parametric ops*. The
mixed op then computes only that op. Edges without a parametric op never mutate. α steps and
evaluation never mutate (the caller passes no mutator there).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from searchcore.spaces import CellSpace


@dataclass
class EdgeMutator:
    """Draws mutations with its own generator (checkpointed), and counts them for the realised rate."""

    p: float
    generator: torch.Generator
    compute_unselected: bool = False
    """Mutated edges still compute their other ops, weighted 0 (EM's code; ``method.mutation``)."""
    draws: int = 0
    mutations: int = 0
    _choices: dict[str, list[list[int]]] = field(default_factory=dict)

    def candidates(self, cell: CellSpace) -> list[list[int]]:
        if cell.name not in self._choices:
            self._choices[cell.name] = [
                [k for k, is_param in enumerate(row) if is_param] for row in cell.parametric_mask()
            ]
        return self._choices[cell.name]

    def sample(self, cell: CellSpace) -> dict[int, int]:
        """{edge: op index} for the edges that mutate in one cell instance."""
        choices = self.candidates(cell)
        mutable = [e for e, c in enumerate(choices) if c]
        if not mutable or self.p <= 0.0:
            self.draws += len(mutable)
            return {}
        u = torch.rand(len(mutable), generator=self.generator).tolist()
        picks = torch.rand(len(mutable), generator=self.generator).tolist()
        self.draws += len(mutable)
        out: dict[int, int] = {}
        for e, ue, pe in zip(mutable, u, picks):
            if ue < self.p:
                options = choices[e]
                out[e] = options[min(int(pe * len(options)), len(options) - 1)]
        self.mutations += len(out)
        return out

    @property
    def realised_rate(self) -> float:
        return self.mutations / self.draws if self.draws else 0.0
