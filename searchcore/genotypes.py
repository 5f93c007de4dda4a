"""Discrete architectures: NAS-Bench-201 arch strings and DARTS-space genotypes, plus derivation rules.

* NB201 arch string (official format): ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``; the three groups are
  nodes 1..3 and ``op~j`` is the edge from node j (reference-notes §2.1, SOURCE.md "API conventions").
* DARTS genotype: for each of the 4 intermediate nodes two ``(op, input)`` pairs, plus the concat list,
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
from searchcore.spaces import NB201_EDGES, NB201_OPS, CellSpace, SearchSpace


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


# ---------------------------------------------------------------- NAS-Bench-201 arch strings

def nb201_arch_str(edge_ops: Sequence[str]) -> str:
    """Official arch string from 6 op names in edge order (1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2)."""
    if len(edge_ops) != len(NB201_EDGES):
        raise ValueError(f"an NB201 cell has 6 edges, got {len(edge_ops)} ops")
    groups: list[list[str]] = [[], [], []]
    for (node, j), op in zip(NB201_EDGES, edge_ops):
        groups[node - 1].append(f"{op}~{j}")
    return "+".join("|" + "|".join(g) + "|" for g in groups)


def parse_nb201_arch(arch: str) -> list[str]:
    """6 op names in edge order from an official arch string; clear error on a malformed one."""
    nodes = arch.strip().split("+")
    if len(nodes) != 3:
        raise ValueError(f"not an NB201 arch string (needs 3 '+'-separated nodes): {arch!r}")
    ops: list[str] = []
    for i, node in enumerate(nodes, start=1):
        parts = [p for p in node.strip("|").split("|")]
        if len(parts) != i:
            raise ValueError(f"node {i} of {arch!r} must have {i} inputs, has {len(parts)}")
        for j, part in enumerate(parts):
            op, _, src = part.partition("~")
            if src != str(j) or op not in NB201_OPS:
                raise ValueError(f"bad edge {part!r} in {arch!r}: expected 'op~{j}' with op in {NB201_OPS}")
            ops.append(op)
    return ops


# ---------------------------------------------------------------- derivation from edge weights

def derive_nb201(space: SearchSpace, weights: torch.Tensor, exclude_none: bool = False) -> str:
    """Argmax per edge (AutoDL ``genotype()``); ``exclude_none`` takes the best non-none op as EM-DARTS."""
    cell = space.cells[0]
    ops = [_best_op(cell, e, weights[e], exclude_none) for e in range(cell.num_edges)]
    return nb201_arch_str(ops)


def _best_op(cell: CellSpace, edge: int, row: torch.Tensor, exclude_none: bool) -> str:
    names = cell.edge_ops[edge]
    order = torch.argsort(row, descending=True, stable=True).tolist()
    for k in order:
        if not (exclude_none and names[k] == "none"):
            return names[k]
    return names[order[0]]


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
    concat = [2, 3, 4, 5]
    normal = derive_darts_cell(space.cell("normal"), space.edges, weights["normal"])
    reduce = derive_darts_cell(space.cell("reduce"), space.edges, weights["reduce"])
    return Genotype(normal, concat, reduce, concat)


def genotype_ops(genotype: Genotype | str) -> list[str]:
    """Every op an architecture uses (both cell types for DARTS genotypes, 6 edges for NB201)."""
    if isinstance(genotype, str):
        return parse_nb201_arch(genotype)
    return [op for op, _ in genotype.normal] + [op for op, _ in genotype.reduce]
