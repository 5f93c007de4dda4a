"""The DARTS-cell family: 2 inputs, 4 intermediate nodes, 14 edges, normal + reduce cell types.

Spaces: ``darts`` (Liu et al. 2019), ``darts7`` (DARTS-PT: without ``none``), RobustDARTS' S1–S4 and
EM-DARTS' S5. Supernet: quark0/darts ``model_search.Network`` (``supernets/darts.py``); derivation: per
node the 2 inputs with the strongest non-none op (DARTS ``_parse``); evaluation networks: ``NetworkCIFAR``
and, for ImageNet, ``NetworkImageNet`` (``networks/darts.py``).
"""

from __future__ import annotations

import torch
from torch import nn

from searchcore.architectures.darts import (
    DARTS_CONCAT,
    DARTS_EDGES,
    DARTS_OPS,
    Genotype,
    derive_darts,
    genotype_from_masks,
    genotype_space_violations,
    parse_genotype,
)
from searchcore.config import SupernetConfig
from searchcore.families.base import NetworkDefaults, PaperValue, SpaceFamily, register_family
from searchcore.families.sampling import RandomGenerator, uniform_index, uniform_subset
from searchcore.spaces import CellSpace, SearchSpace, register_space, uniform_cell
from searchcore.supernets.base import Supernet

_IS_SCRIPT = "isdarts_darts.sh + DARTS-NASNet-CIFAR.config (reference-notes §6)"
_EM_TABLE5 = "EM-DARTS Table 5 ({space}, {dataset}) (reference-notes §9)"

CIFAR_NETWORK = NetworkDefaults("NetworkCIFAR", 20, 36, "cells", "DARTS CIFAR evaluation: 20 cells, C = 36 "
                                "(reference-notes §3.3)")
IMAGENET_NETWORK = NetworkDefaults("NetworkImageNet", 14, 48, "cells", "DARTS mobile setting: 14 cells, C = 48 "
                                   "(DA train_imagenet.py)")


class DartsFamily(SpaceFamily):
    name = "darts"
    description = "DARTS cells: inputs from cells k-2 and k-1, 4 intermediate nodes, output = their concat"
    paper_values = {
        "em-darts": {"*": {
            "method.mutation.p_max": PaperValue(0.125, "EM-DARTS README/argparse: DARTS space and S5 p_max "
                                                       "0.125 (reference-notes §9)"),
        }},
        "single-darts": {"imagenet": {
            "data.batch_size": PaperValue(360, "batch 360, SGD lr 0.025, 50 epochs on ImageNet-1k: Single-DARTS "
                                               "003_… §5.1.2"),
        }},
        "r-darts": {"*": {
            "method.regularizer.lam": PaperValue(1.0, "λ = 1 on the DARTS space: r-DARTS 004_… Table 2 "
                                                      "(ImageNet; Table 4's MobileNet-like space is the mobilenet "
                                                      "family's)"),
        }},
        "darts-pt": {"*": {
            "epochs": PaperValue(50, "50 epochs: DARTS-PT exp_scripts/darts-sota.sh (reference-notes §5.1)"),
        }},
        "is-darts": {"*": {
            "epochs": PaperValue(50, f"50: {_IS_SCRIPT}"),
            "method.shrink.steps": PaperValue(7, f"7 pruning steps, keep 2 per node: {_IS_SCRIPT}"),
            "method.shrink.interval": PaperValue(3, f"a step every 3 epochs: {_IS_SCRIPT}"),
            "method.shrink.samples": PaperValue(600, "IIM over 600 images (the paper's K; the code uses the "
                                                     f"whole loader): {_IS_SCRIPT}"),
            "supernet.pool_bn": PaperValue(False, "no BN after pools: xautodl NASNet search cells used by "
                                                  "IS-DARTS (reference-notes §6)"),
            "supernet.final_bn_relu": PaperValue(True, "BN + ReLU before global pooling: xautodl NASNet "
                                                       "search model `lastact` used by IS-DARTS"),
        }},
    }

    def build_supernet(self, space: SearchSpace, net: SupernetConfig, activation: str,
                       num_classes: int) -> Supernet:
        from searchcore.supernets.darts import DartsSupernet

        track = True if net.track_running_stats is None else net.track_running_stats  # quark0/darts
        pool_bn = True if net.pool_bn is None else net.pool_bn  # quark0/darts model_search.py
        final = False if net.final_bn_relu is None else net.final_bn_relu  # quark0/darts: none
        return DartsSupernet(space, num_classes, net.channels, net.layers, track, activation,
                             pool_bn=pool_bn, final_bn_relu=final)

    def derive(self, space: SearchSpace, weights: dict[str, torch.Tensor], exclude_none: bool) -> Genotype:
        return derive_darts(space, weights)  # DARTS' rule never keeps 'none' anyway

    def from_masks(self, space: SearchSpace, masks: dict[str, torch.Tensor]) -> Genotype:
        return genotype_from_masks(space, masks)

    def topology_nodes(self, space: SearchSpace) -> list[int]:
        """Nodes with more than 2 inputs: 3, 4, 5 (node 2 has exactly 2)."""
        return [n for n in space.nodes() if len(space.node_edges(n)) > self.topology_keep]

    def shrink_groups(self, space: SearchSpace) -> tuple[list[list[int]], int]:
        """One set per intermediate node over all its (input edge, op) pairs, keep 2 (ISDARTS.py)."""
        return [space.node_edges(n) for n in space.nodes()], 2

    def parse_architecture(self, text: str) -> Genotype:
        try:
            return parse_genotype(text)
        except (SyntaxError, TypeError) as err:
            raise ValueError(f"not a genotype: {text!r} ({err})") from None

    def check_architecture(self, space: SearchSpace, architecture: Genotype) -> list[str]:
        return genotype_space_violations(space, architecture)

    def sample_architecture(self, space: SearchSpace, generator: RandomGenerator) -> Genotype:
        """A random DARTS cell pair, drawn like DARTS' discretisation but at random: for each intermediate
        node of the normal and then the reduce cell, ``topology_keep`` = 2 distinct inputs uniform among
        its predecessors (DARTS §2.4: k = 2 inputs from distinct nodes), one op per chosen input uniform
        over that edge's candidates without ``none`` (§2.4 never keeps the zero op, so no genotype holds
        it), concat = the 4 intermediate nodes. This is the random-architecture baseline of DARTS (Liu et
        al. 2019, random cells from the same space) and RobustDARTS (Zela et al. 2020), and EM-DARTS'
        "random sampling" row on S5 (App. A.7, Table 7). Per-edge op sets (S1) are respected; an input
        whose edge has only ``none`` cannot be chosen."""
        genes: dict[str, list[tuple[str, int]]] = {}
        for cell in space.cells:
            pairs: list[tuple[str, int]] = []
            for node in space.nodes():
                edges = [e for e in space.node_edges(node) if _sampled_ops(cell.edge_ops[e])]
                if len(edges) < self.topology_keep:
                    raise ValueError(f"{space.name}/{cell.name}: node {node} has {len(edges)} inputs with an "
                                     f"op other than none; a DARTS cell needs {self.topology_keep}")
                for i in uniform_subset(generator, len(edges), self.topology_keep):
                    ops = _sampled_ops(cell.edge_ops[edges[i]])
                    pairs.append((ops[uniform_index(generator, len(ops))], space.edges[edges[i]][1]))
            genes[cell.name] = pairs
        return Genotype(genes["normal"], list(DARTS_CONCAT), genes["reduce"], list(DARTS_CONCAT))

    def network_defaults(self, dataset: str) -> NetworkDefaults:
        return IMAGENET_NETWORK if dataset == "imagenet" else CIFAR_NETWORK

    def build_network(self, architecture: Genotype, num_classes: int, dataset: str, layers: int | None = None,
                      channels: int | None = None, auxiliary: bool = True) -> nn.Module:
        from searchcore.networks.darts import NetworkCIFAR, NetworkImageNet

        d = self.network_defaults(dataset)
        cls = NetworkImageNet if d is IMAGENET_NETWORK else NetworkCIFAR
        return cls(channels or d.channels, num_classes, layers or d.layers, auxiliary, architecture)


def _sampled_ops(ops: tuple[str, ...]) -> tuple[str, ...]:
    """An edge's candidates a random genotype may use: all but ``none`` (DARTS §2.4)."""
    return tuple(op for op in ops if op != "none")


DARTS = register_family(DartsFamily())


def _em_table5(space: str, values: dict[str, float]) -> dict:
    """EM-DARTS Table 5's p_max of a reduced space per data set; its CIFAR-10 value family (0.2) elsewhere."""
    per_dataset = {d: {"method.mutation.p_max": PaperValue(p, _EM_TABLE5.format(space=space, dataset=d))}
                   for d, p in values.items()}
    fallback = PaperValue(0.2, "EM-DARTS Table 5 has no such data set; CIFAR-10's S1-S4 value family (0.2) used")
    return {"em-darts": {"*": {"method.mutation.p_max": fallback}, **per_dataset}}


def _space(name: str, cells: tuple[CellSpace, CellSpace], description: str, source: str,
           paper: dict | None = None) -> SearchSpace:
    return register_space(SearchSpace(name, DARTS, cells, DARTS_EDGES, description, source, paper or {}))


def _uniform(ops: tuple[str, ...]) -> tuple[CellSpace, CellSpace]:
    return uniform_cell("normal", ops, len(DARTS_EDGES)), uniform_cell("reduce", ops, len(DARTS_EDGES))


_S1_NORMAL = (
    ("skip_connect", "dil_conv_3x3"), ("skip_connect", "dil_conv_5x5"), ("skip_connect", "dil_conv_5x5"),
    ("skip_connect", "sep_conv_3x3"), ("skip_connect", "dil_conv_3x3"), ("max_pool_3x3", "skip_connect"),
    ("skip_connect", "sep_conv_3x3"), ("skip_connect", "sep_conv_3x3"), ("skip_connect", "dil_conv_3x3"),
    ("skip_connect", "sep_conv_3x3"), ("max_pool_3x3", "skip_connect"), ("skip_connect", "dil_conv_3x3"),
    ("dil_conv_3x3", "dil_conv_5x5"), ("dil_conv_3x3", "dil_conv_5x5"),
)
_S1_REDUCE = (
    ("max_pool_3x3", "avg_pool_3x3"), ("max_pool_3x3", "dil_conv_3x3"), ("max_pool_3x3", "avg_pool_3x3"),
    ("max_pool_3x3", "avg_pool_3x3"), ("skip_connect", "dil_conv_5x5"), ("max_pool_3x3", "avg_pool_3x3"),
    ("max_pool_3x3", "sep_conv_3x3"), ("skip_connect", "dil_conv_3x3"), ("skip_connect", "dil_conv_5x5"),
    ("max_pool_3x3", "avg_pool_3x3"), ("max_pool_3x3", "avg_pool_3x3"), ("skip_connect", "dil_conv_5x5"),
    ("skip_connect", "dil_conv_5x5"), ("skip_connect", "dil_conv_5x5"),
)
"""S1–S4 op sets are RobustDARTS ``spaces.py`` (reference-notes §4.1)."""

_space("darts", _uniform(DARTS_OPS), "DARTS CNN space: 8 ops incl. none, 14 edges, normal + reduce",
       "Liu et al. 2019; quark0/darts operations.py (reference-notes §3)")
_space("darts7", _uniform(DARTS_OPS[1:]), "DARTS-PT's DARTS space: the 7 ops without none",
       "Wang et al. 2021 (DARTS-PT) spaces.py 's5' (reference-notes §4.1)")
_space("s1", (CellSpace("normal", _S1_NORMAL), CellSpace("reduce", _S1_REDUCE)),
       "RobustDARTS S1: two ops per edge, per-edge sets", "Zela et al. 2020, spaces.py (reference-notes §4.1)",
       _em_table5("s1", {"cifar10": 0.2, "cifar100": 0.4, "svhn": 0.4}))
_space("s2", _uniform(("skip_connect", "sep_conv_3x3")), "RobustDARTS S2: {skip_connect, sep_conv_3x3}",
       "Zela et al. 2020", _em_table5("s2", {"cifar10": 0.25, "cifar100": 0.2, "svhn": 0.4}))
_space("s3", _uniform(("none", "skip_connect", "sep_conv_3x3")),
       "RobustDARTS S3: {none, skip_connect, sep_conv_3x3}", "Zela et al. 2020",
       _em_table5("s3", {"cifar10": 0.2, "cifar100": 0.2, "svhn": 0.2}))
_space("s4", _uniform(("noise", "sep_conv_3x3")), "RobustDARTS S4: {noise, sep_conv_3x3}", "Zela et al. 2020",
       _em_table5("s4", {"cifar10": 0.2, "cifar100": 0.4, "svhn": 0.4}))
_space("s5", _uniform(("sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5")),
       "EM-DARTS S5: the 4 parametric DARTS ops",
       "EM-DARTS (ICLR 2025 submission) spaces.py (reference-notes §4.1)")
