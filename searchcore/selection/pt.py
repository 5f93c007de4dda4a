"""DARTS-PT: perturbation-based architecture selection (Wang et al. 2021, Alg. 1; reference-notes §5).

The algorithm, on any :class:`Supernet` and any scoring function (``score() -> (acc, loss)`` of the
supernet as it currently stands); ``searchcore.trainables.select`` runs it on a search checkpoint with tuning between
decisions.

* Operation decision (§5.2): on one edge, mask each op in turn (op_mask -> 0, no renormalisation) and
  score the supernet; keep the op whose removal hurts most (lowest accuracy / highest loss) and commit
  the edge to a one-hot (``fix_edge``). ``pt-mag`` instead keeps the op with the largest weight.
* Topology decision (§5.3, DARTS spaces): for one node, repeatedly zero each remaining input edge
  (the whole edge) and delete the one whose removal hurts least, until 2 inputs remain.
* Discretisation (001_… §3.1, Figures 1-2): commit one edge to a given op, unscored
  (``discretize_operation``); tuning afterwards gives its "discretization accuracy at convergence".
* Schedule: which decision happens before which tuning epoch is the space family's
  (``SpaceFamily.pt_schedule``, built from ``schedule.py``); which nodes get a topology step too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

from searchcore.methods.activations import ACTIVATIONS
from searchcore.selection.schedule import Phase
from searchcore.supernets.base import Supernet

Score = tuple[float, float]  # (accuracy in %, mean loss)
ScoreFn = Callable[[], Score]


@dataclass
class Decision:
    """What one decision did, for the trajectory (JSON-able, stored in checkpoints)."""

    index: int
    epoch: int
    phase: Phase
    cell: str
    edge: int | None
    node: int | None
    op: str | None
    """Chosen op (operation phase); ``None`` for topology decisions."""
    removed_edges: list[int] = field(default_factory=list)
    """Topology phase: input edges deleted, in deletion order."""
    candidates: dict[str, list[float]] = field(default_factory=dict)
    """Candidate -> [acc, loss] with it masked (operation: op name; topology: 'round:edge'); pt-mag:
    op -> [weight]."""
    acc: float | None = None
    loss: float | None = None
    """Supernet validation accuracy / loss after the decision was committed."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- masking


@contextmanager
def masked(model: Supernet, cell: str, edge: int, ops: list[int] | None = None) -> Iterator[None]:
    """Temporarily zero ``ops`` (all when ``None``) of one edge in the op mask; restored afterwards."""
    mask = model.op_mask(cell)
    saved = mask[edge].clone()
    with torch.no_grad():
        if ops is None:
            mask[edge] = 0.0
        else:
            mask[edge, ops] = 0.0
    try:
        yield
    finally:
        with torch.no_grad():
            mask[edge] = saved


def better_removal(criterion: str) -> Callable[[Score], float]:
    """Key whose *minimum* is the op that matters most: lowest acc, or highest loss."""
    return (lambda s: s[0]) if criterion == "acc" else (lambda s: -s[1])


def decide_operation(
    model: Supernet, cell: str, edge: int, score: ScoreFn, criterion: str = "acc", by_magnitude: bool = False,
) -> tuple[int, dict[str, list[float]]]:
    """Choose and commit the op of one edge; returns (op index, candidate scores).

    Every op still in the op mask is a candidate, ``none`` included (masking it changes nothing, so it
    scores the unperturbed supernet, as in the reference). Ties go to the first op in list order.
    """
    names = model.space.cell(cell).edge_ops[edge]
    alive = [k for k in range(len(names)) if float(model.op_mask(cell)[edge, k]) != 0.0]
    if not alive:
        raise ValueError(f"{cell} edge {edge} has no op left to choose")
    if by_magnitude:
        row = magnitudes(model, cell)[edge]  # (ops,)
        scores = {names[k]: [float(row[k])] for k in alive}
        chosen = max(alive, key=lambda k: float(row[k]))
    else:
        results: dict[int, Score] = {}
        for k in alive:
            with masked(model, cell, edge, [k]):
                results[k] = score()
        key = better_removal(criterion)
        chosen = min(alive, key=lambda k: key(results[k]))
        scores = {names[k]: list(results[k]) for k in alive}
    model.fix_edge(cell, edge, chosen)
    return chosen, scores


def discretize_operation(model: Supernet, cell: str, edge: int, op: str) -> tuple[int, dict[str, list[float]]]:
    """Commit one edge to a given op (001_… §3.1: "discretize to this operation"); returns (op index, {op: [its
    weight in activation(α) before the commit]}), the α that 001_… Figure 1 sets against the op's strength."""
    names = model.space.cell(cell).edge_ops[edge]
    if op not in names:
        raise ValueError(f"{op!r} is no candidate of {cell} edge {edge}; its ops: {', '.join(names)}")
    k = names.index(op)
    if float(model.op_mask(cell)[edge, k]) == 0.0:
        raise ValueError(f"{op!r} is masked out on {cell} edge {edge}")
    weight = float(magnitudes(model, cell)[edge, k])
    model.fix_edge(cell, edge, k)
    return k, {op: [weight]}


def magnitudes(model: Supernet, cell: str) -> torch.Tensor:
    """(edges, ops) activation(α) under the op mask, ignoring one-hot commits: what pt-mag ranks by (a
    decided edge keeps the weight its op had in α, so topology can still compare edges by magnitude)."""
    with torch.no_grad():
        w = ACTIVATIONS.get(model.activation)(model.alphas[cell])
        return (w * model.op_mask(cell)).detach().cpu()


def decide_topology(
    model: Supernet, cell: str, node: int, score: ScoreFn, criterion: str = "acc", by_magnitude: bool = False,
    keep: int = 2, one_shot: bool = False,
) -> tuple[list[int], dict[str, list[float]], Score | None]:
    """Delete input edges of ``node`` until ``keep`` remain; returns (deleted edges, candidate scores,
    score of the supernet after the last deletion, when known).

    Each round zeroes every remaining edge in turn and deletes the one whose removal hurts least
    (highest accuracy / lowest loss), as sota/cnn/projection.py. ``by_magnitude`` (pt-mag) deletes the
    edge whose strongest op weight in activation(α) is smallest (DARTS' ranking of inputs), unevaluated.
    ``one_shot`` follows Algorithm 2 of 001_… instead: one round of removals scored, the ``keep`` edges whose
    removal hurts most are kept and the others deleted together.
    """
    mask = model.op_mask(cell)
    remaining = [e for e in model.space.node_edges(node) if float(mask[e].abs().sum()) != 0.0]
    deleted: list[int] = []
    scores: dict[str, list[float]] = {}
    last: Score | None = None
    rnd = 0
    while len(remaining) > keep:
        if by_magnitude:
            w = magnitudes(model, cell)  # (edges, ops)
            strength = {e: float(w[e].max()) for e in remaining}
            scores.update({f"{rnd}:{e}": [strength[e]] for e in remaining})
            drop = min(remaining, key=lambda e: strength[e])
            last = None
        else:
            results: dict[int, Score] = {}
            for e in remaining:
                with masked(model, cell, e):
                    results[e] = score()
            scores.update({f"{rnd}:{e}": list(results[e]) for e in remaining})
            key = better_removal(criterion)
            if one_shot:
                ranked = sorted(remaining, key=lambda e: key(results[e]))  # removal hurts most first
                for e in ranked[keep:]:
                    with torch.no_grad():
                        mask[e] = 0.0
                    remaining.remove(e)
                    deleted.append(e)
                return deleted, scores, None
            drop = max(remaining, key=lambda e: key(results[e]))
            last = results[drop]
        with torch.no_grad():
            mask[drop] = 0.0
        remaining.remove(drop)
        deleted.append(drop)
        rnd += 1
    return deleted, scores, last


# ---------------------------------------------------------------- scoring


@torch.no_grad()
def evaluate_supernet(
    model: Supernet, batches: Callable[[], Iterator[tuple[torch.Tensor, torch.Tensor]]], bn_train_mode: bool = True,
    prepare: Callable[[torch.Tensor], torch.Tensor] = lambda x: x,
) -> Score:
    """(accuracy %, mean CE) of the supernet with its current weights and masks.

    ``bn_train_mode``: the reference scores in ``model.train()`` under no_grad, so BN uses batch
    statistics (and updates its running stats as a side effect, as it does there).
    """
    was_training = model.training
    model.train(bn_train_mode)
    weights = model.edge_weights()
    loss = 0.0
    correct = count = 0
    try:
        for x, y in batches():
            logits = model(prepare(x), weights=weights).float()
            loss += float(torch.nn.functional.cross_entropy(logits, y, reduction="sum"))
            correct += int((logits.argmax(1) == y).sum())
            count += len(y)
    finally:
        model.train(was_training)
    if count == 0:
        return math.nan, math.nan
    return 100.0 * correct / count, loss / count
