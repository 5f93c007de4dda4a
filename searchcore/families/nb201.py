"""The NAS-Bench-201 family: one 4-node cell type shared by all cells (Dong & Yang 2020).

Supernet: AutoDL's DARTS-V1 ``TinyNetworkDarts`` (``supernets/nb201.py``); derivation: argmax per edge
(AutoDL ``genotype()``, optionally never ``none`` as EM-DARTS); evaluation network: the benchmark's own
``TinyNetwork`` (``networks/nb201.py``); benchmark: the NAS-Bench-201 table keyed by arch string.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from searchcore.architectures.nb201 import NB201_CELL, NB201_EDGES, NB201_OPS, NB201Arch, best_op
from searchcore.config import SupernetConfig
from searchcore.families.base import NetworkDefaults, PaperValue, SpaceFamily, register_family
from searchcore.families.sampling import RandomGenerator, uniform_index
from searchcore.selection.schedule import Slot, last_epoch_schedule
from searchcore.spaces import SearchSpace, register_space, uniform_cell
from searchcore.supernets.base import Supernet

NB201_TABLE_COLUMNS = ("cifar10_valid", "cifar10_test", "cifar100_valid", "cifar100_test", "imagenet16_valid",
                       "imagenet16_test")
"""Benchmark columns reported as ``nb201_<column>`` for every derived arch (EM-/IS-DARTS Table 1)."""

_IS_SCRIPT = "isdarts_nasbench.sh + DARTS.config (reference-notes §6)"


class NB201Benchmark:
    """NAS-Bench-201 ground truth (``searchcore.nb201``), looked up by the official arch string."""

    name = "nb201"

    def load(self, path: str) -> Any:
        from searchcore.nb201.table import NB201Table

        return NB201Table.load(path)

    def metrics(self, table: Any, key: str | None) -> dict[str, float | None]:
        if table is None or key is None:
            return {}
        row = table.lookup(key) or {}
        return {f"nb201_{k}": _finite(row.get(k)) for k in NB201_TABLE_COLUMNS}


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


class NB201Family(SpaceFamily):
    name = "nb201"
    description = "NAS-Bench-201 cells: 4 nodes, node i sums edges from every j < i, output node 3"
    benchmark = NB201Benchmark()
    pt_lr_schedule = "constant"
    """nasbench201/projection.py tunes at a constant lr (no scheduler)."""
    paper_values = {
        "em-darts": {"*": {
            "method.mutation.p_max": PaperValue(0.2, "EM-DARTS README: NB201 p_max 0.2 (reference-notes §9)"),
            "method.arch_optim.lr": PaperValue(1e-4, "Adam lr 1e-4, wd 1e-3, betas (0.5, 0.999): EM-DARTS "
                                                     "000_… A.5.1"),
            "optim.weight_decay": PaperValue(5e-4, "SGD weight decay 0.0005 on NB201: EM-DARTS 000_… A.5.1 "
                                                   "(DARTS space: 3e-4, A.5.2)"),
        }},
        "single-darts": {"*": {
            "optim.lr": PaperValue(0.005, "SGD lr 0.005 on NB201: Single-DARTS 003_… §5.1.1 (Table 5: lr "
                                          "0.025 gives 93.10/69.24, 0.005 gives 94.36/73.51)"),
        }},
        "r-darts": {"*": {
            "method.regularizer.lam": PaperValue(0.5, "λ = 0.5: r-DARTS 004_… Table 1 headline row "
                                                      "(λ = 0.75 rows are ablations)"),
        }},
        "darts-pt": {"*": {
            "epochs": PaperValue(100, "100 epochs: DARTS-PT exp_scripts/darts-201.sh (the paper says 'identical "
                                      "to DARTS', 50; we follow the script) (reference-notes §5.1)"),
            "supernet.track_running_stats": PaperValue(True, "search-cell BN track_running_stats=True: DARTS-PT "
                                                             "nasbench201/search_model.py (reference-notes §2.2)"),
        }},
        "is-darts": {"*": {
            "epochs": PaperValue(30, f"30: {_IS_SCRIPT}"),
            "method.shrink.steps": PaperValue(4, f"4 pruning steps, keep 1 op per edge: {_IS_SCRIPT}"),
            "method.shrink.interval": PaperValue(2, f"a step every 2 epochs: {_IS_SCRIPT}"),
            "method.shrink.samples": PaperValue(200, "IIM over 200 images (the paper's K; the code uses the "
                                                     f"whole loader): {_IS_SCRIPT}"),
        }},
    }

    def build_supernet(self, space: SearchSpace, net: SupernetConfig, activation: str,
                       num_classes: int) -> Supernet:
        from searchcore.supernets.nb201 import NB201Supernet

        track = False if net.track_running_stats is None else net.track_running_stats  # AutoDL BN=0, IS, EM
        pool_bn = False if net.pool_bn is None else net.pool_bn  # AutoDL cell_operations.py
        final = True if net.final_bn_relu is None else net.final_bn_relu  # AutoDL `lastact`
        return NB201Supernet(space, num_classes, net.channels, net.cells_per_stage, track, activation,
                             pool_bn=pool_bn, final_bn_relu=final)

    def derive(self, space: SearchSpace, weights: dict[str, torch.Tensor], exclude_none: bool) -> NB201Arch:
        cell = space.cells[0]
        w = weights[cell.name]  # (edges, ops)
        return NB201Arch(tuple(best_op(cell.edge_ops[e], w[e], exclude_none) for e in range(cell.num_edges)))

    def from_masks(self, space: SearchSpace, masks: dict[str, torch.Tensor]) -> NB201Arch:
        """The first remaining op per edge: the reference's argmax of the 0/1 mask."""
        return self.derive(space, {k: m.detach().cpu() for k, m in masks.items()}, exclude_none=False)

    def sample_architecture(self, space: SearchSpace, generator: RandomGenerator) -> NB201Arch:
        """One op per edge, uniform over the edge's candidates, ``none`` included: uniform over all
        5^6 = 15,625 cells of the benchmark's table, the distribution its own random-search baseline (RS,
        Dong & Yang 2020) draws from. Isomorphic and disconnected cells count separately, as the table
        lists them; EM-DARTS' "random sampling" baseline (App. A.7) is the same draw on its space."""
        cell = space.cells[0]
        return NB201Arch(tuple(ops[uniform_index(generator, len(ops))] for ops in cell.edge_ops))

    def pt_schedule(self, space: SearchSpace, tune_epochs: int, seed: int) -> tuple[list[Slot], int]:
        return last_epoch_schedule(space, tune_epochs, seed)

    def parse_architecture(self, text: str) -> NB201Arch:
        return NB201Arch.parse(text)

    def network_defaults(self, dataset: str) -> NetworkDefaults:
        return NetworkDefaults("NB201Network", 5, 16, "cells per stage",
                               "NAS-Bench-201: C = 16, N = 5 (reference-notes §2.1)")

    def build_network(self, architecture: NB201Arch, num_classes: int, dataset: str, layers: int | None = None,
                      channels: int | None = None, auxiliary: bool = True) -> nn.Module:
        from searchcore.networks.nb201 import NB201Network

        d = self.network_defaults(dataset)
        return NB201Network(architecture.to_str(), channels or d.channels, layers or d.layers, num_classes)


NB201 = register_family(NB201Family())

register_space(SearchSpace(
    "nb201", NB201, (uniform_cell(NB201_CELL, NB201_OPS, len(NB201_EDGES)),), NB201_EDGES,
    "NAS-Bench-201: 5 ops, 6 edges, one cell type shared by all cells",
    "Dong & Yang 2020; AutoDL search_model_darts.py (reference-notes §2)",
))
