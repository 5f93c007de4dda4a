"""DARTS-space cells: ops, edges, genotypes (the literature's text form), and DARTS' derivation rule.

A genotype lists, for each of the 4 intermediate nodes, two ``(op, input)`` pairs, plus the concat list,
written as the literature writes it: ``Genotype(normal=[...], normal_concat=[...], reduce=..., ...)``.
IS-DARTS may keep two ops on the same input edge, so duplicate inputs are allowed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from typing import NamedTuple

import torch

from searchcore.registry import Registry
from searchcore.spaces import CellSpace, SearchSpace

DARTS_OPS = (
    "none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
    "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5",
)
DARTS_EDGES: tuple[tuple[int, int], ...] = tuple((node, j) for node in range(2, 6) for j in range(node))
"""(target node, input node) per DARTS edge; nodes 0 and 1 are the outputs of cells k-2 and k-1."""
DARTS_CONCAT = [2, 3, 4, 5]


class Genotype(NamedTuple):
    normal: list[tuple[str, int]]
    normal_concat: list[int]
    reduce: list[tuple[str, int]]
    reduce_concat: list[int]

    def to_str(self) -> str:
        return (
            f"Genotype(normal={self.normal!r}, normal_concat={self.normal_concat!r}, "
            f"reduce={self.reduce!r}, reduce_concat={self.reduce_concat!r})"
        )

    def cell_ops(self) -> dict[str, list[str]]:
        return {"normal": [op for op, _ in self.normal], "reduce": [op for op, _ in self.reduce]}

    def benchmark_key(self) -> str | None:
        return None


GENOTYPES: Registry[Genotype] = Registry("genotype")

GENOTYPES.register("DARTS_V1", Genotype(
    normal=[("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 0), ("sep_conv_3x3", 1),
            ("skip_connect", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("skip_connect", 2)],
    normal_concat=[2, 3, 4, 5],
    reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 0),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("avg_pool_3x3", 0)],
    reduce_concat=[2, 3, 4, 5],
))
GENOTYPES.register("DARTS_V2", Genotype(
    normal=[("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
            ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)],
    normal_concat=[2, 3, 4, 5],
    reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)],
    reduce_concat=[2, 3, 4, 5],
))
GENOTYPES.register("ALL_SKIP", Genotype(
    normal=[("skip_connect", 0), ("skip_connect", 1)] * 4, normal_concat=[2, 3, 4, 5],
    reduce=[("skip_connect", 0), ("skip_connect", 1)] * 4, reduce_concat=[2, 3, 4, 5],
))
GENOTYPES.register("ALL_SEP3", Genotype(
    normal=[("sep_conv_3x3", 0), ("sep_conv_3x3", 1)] * 4, normal_concat=[2, 3, 4, 5],
    reduce=[("sep_conv_3x3", 0), ("sep_conv_3x3", 1)] * 4, reduce_concat=[2, 3, 4, 5],
))

_GENOTYPE_RE = re.compile(r"^\s*Genotype\((.*)\)\s*$", re.S)


def parse_genotype(text: str) -> Genotype:
    """A registered name (``DARTS_V2``) or the literature's ``Genotype(normal=[...], ...)`` text."""
    if text in GENOTYPES:
        return GENOTYPES.get(text)
    match = _GENOTYPE_RE.match(text)
    if not match:
        raise ValueError(
            f"not a genotype: {text!r}; give a name ({', '.join(GENOTYPES.names())}) or 'Genotype(normal=...)'"
        )
    call = ast.parse(f"f({match.group(1)})", mode="eval").body
    assert isinstance(call, ast.Call)
    fields = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}
    try:
        return Genotype(
            normal=[(str(op), int(j)) for op, j in fields["normal"]],
            normal_concat=[int(i) for i in fields["normal_concat"]],
            reduce=[(str(op), int(j)) for op, j in fields["reduce"]],
            reduce_concat=[int(i) for i in fields["reduce_concat"]],
        )
    except KeyError as err:
        raise ValueError(f"genotype text lacks field {err}") from None


def derive_darts_cell(
    cell: CellSpace, edges: Sequence[tuple[int, int]], weights: torch.Tensor
) -> list[tuple[str, int]]:
    """DARTS ``_parse``: per node keep the 2 inputs whose strongest non-none op is largest (reference §3.2).

    The op lists are looked up per global edge (RD/PT/EM index node-locally, harmless for their spaces).
    Edges whose weights are all 0 (removed by a selection rule) are never kept.
    """
    gene: list[tuple[str, int]] = []
    for node in sorted({n for n, _ in edges}):
        candidates = []
        for e, (n, j) in enumerate(edges):
            if n != node:
                continue
            names = cell.edge_ops[e]
            row = weights[e].detach().tolist()
            scores = [w if names[k] != "none" and w != 0.0 else float("-inf") for k, w in enumerate(row)]
            if all(s == float("-inf") for s in scores):  # removed edge, or only 'none' left on it
                continue
            k_best = max(range(len(scores)), key=lambda k: scores[k])
            candidates.append((scores[k_best], j, names[k_best]))
        candidates.sort(key=lambda c: -c[0])
        gene.extend((op, j) for _, j, op in candidates[:2])
    return gene


def derive_darts(space: SearchSpace, weights: dict[str, torch.Tensor]) -> Genotype:
    normal = derive_darts_cell(space.cell("normal"), space.edges, weights["normal"])
    reduce = derive_darts_cell(space.cell("reduce"), space.edges, weights["reduce"])
    return Genotype(normal, DARTS_CONCAT, reduce, DARTS_CONCAT)


def genotype_from_masks(space: SearchSpace, masks: dict[str, torch.Tensor]) -> Genotype:
    """Every surviving (op, input) pair per node, duplicates of an input included (IS-DARTS' final cell)."""
    genes: dict[str, list[tuple[str, int]]] = {}
    for cell in space.cells:
        mask = masks[cell.name].detach().cpu()  # (edges, ops)
        genes[cell.name] = [
            (cell.edge_ops[e][k], j) for e, (_, j) in enumerate(space.edges)
            for k in range(cell.num_ops) if mask[e, k] != 0
        ]
    return Genotype(genes["normal"], DARTS_CONCAT, genes["reduce"], DARTS_CONCAT)


def genotype_space_violations(space: SearchSpace, genotype: Genotype) -> list[str]:
    """Pairs of ``genotype`` whose op is not a candidate of that edge in ``space``."""
    problems = []
    for cell_type, pairs in (("normal", genotype.normal), ("reduce", genotype.reduce)):
        cell = space.cell(cell_type)
        for k, (op, j) in enumerate(pairs):
            edge = (2 + k // 2, j)
            if edge not in space.edges:
                problems.append(f"{cell_type} pair {k} {(op, j)}: no edge {edge[1]}->{edge[0]} in {space.name}")
            elif op not in cell.edge_ops[space.edges.index(edge)]:
                allowed = cell.edge_ops[space.edges.index(edge)]
                problems.append(f"{cell_type} pair {k} {(op, j)}: {space.name} allows {', '.join(allowed)} there")
    return problems



