"""The MobileNet-like chain family: ProxylessNAS' GPU-setting space, as FairDARTS / r-DARTS Table 4 search it.

Space ``mobilenet`` (docs/spaces.md has every choice and its source): fixed stem and first MBConv, 21
searchable layers in six stages (ProxylessNAS widths, strides and depths), each choosing an MBConv
(kernel 3/5/7 × expansion 3/6) or, on the 15 shape-keeping layers, ``skip_connect``; fixed 1×1 head.
One cell type per layer (1 edge each; see ``supernets/mobilenet.py`` for why), so α is (1, 6 or 7) per
layer. Derivation: argmax per layer. Collapse indicators: skipped layers (``n_skip``) and MBConv layers
(``n_parametric``) per derived chain. DARTS-PT: operation decisions only, one layer per slot. IS-DARTS:
one comparison set per layer, keep 1 (the base's default). Evaluation: ``MobileNetChain``
(``networks/mobilenet.py``); parameters and FLOPs as ProxylessNAS counts them.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from searchcore.architectures.mobilenet import (
    PROXYLESS_CHAIN,
    PUBLISHED,
    SKIP,
    ChainSpec,
    MobileNetArch,
    chain_violations,
    layer_name,
)
from searchcore.architectures.nb201 import best_op
from searchcore.config import SupernetConfig
from searchcore.families.base import NetworkDefaults, PaperValue, SpaceFamily, register_family
from searchcore.families.sampling import RandomGenerator, uniform_index
from searchcore.mbconv import MBCONV_OPS
from searchcore.ops import OPS
from searchcore.selection.schedule import Slot
from searchcore.spaces import CellSpace, SearchSpace, register_space
from searchcore.supernets.base import Supernet

IMAGENET_SIZE = 224
"""ImageNet input resolution (ProxylessNAS training/main.py: RandomResizedCrop(224), CenterCrop(224))."""

_NETWORK_SOURCE = ("ProxylessNAS ProxylessNASNets: width multiplier 1 = the search space's widths "
                   "(mit-han-lab/proxylessnas search/models/super_nets/super_proxyless.py); docs/spaces.md")


class MobileNetFamily(SpaceFamily):
    name = "mobilenet"
    description = ("MobileNet-like chains: searchable MBConv layers (k 3/5/7 x e 3/6, skip on shape-keeping "
                   "layers) between a fixed stem and head (ProxylessNAS GPU setting)")
    paper_values = {
        "r-darts": {"*": {
            "method.regularizer.lam": PaperValue(1.0, "λ = 1 on the MobileNet-like space: r-DARTS 004_… Table 4 "
                                                      "row 'r-DARTS(λ=1)'"),
        }},
        "em-darts": {"*": {
            "method.mutation.p_max": PaperValue(0.125, "no paper value (EM-DARTS never searched this space): its "
                                                       "DARTS-space value 0.125 (EM-DARTS README, reference-notes "
                                                       "§9), the setting of its ImageNet results; docs/spaces.md"),
        }},
    }

    def __init__(self, chain: ChainSpec = PROXYLESS_CHAIN) -> None:
        self.chain = chain
        self.published = PUBLISHED

    # ------------------------------------------------------------------ search

    def build_supernet(self, space: SearchSpace, net: SupernetConfig, activation: str,
                       num_classes: int) -> Supernet:
        from searchcore.supernets.mobilenet import MobileNetSupernet

        track = True if net.track_running_stats is None else net.track_running_stats  # quark0/darts, ProxylessNAS
        return MobileNetSupernet(space, self.chain, num_classes, net.channels, track, activation)

    def derive(self, space: SearchSpace, weights: dict[str, torch.Tensor], exclude_none: bool) -> MobileNetArch:
        """Argmax per layer (first in candidate order on ties); the chain has no ``none``, so
        ``exclude_none`` (argmax-no-none) changes nothing: a skipped layer is an identity, not a removal."""
        ops = [best_op(c.edge_ops[0], weights[c.name][0], exclude_none) for c in space.cells]
        return MobileNetArch.from_layers(ops, self.chain.depths)

    def from_masks(self, space: SearchSpace, masks: dict[str, torch.Tensor]) -> MobileNetArch:
        """The first remaining op per layer (IS-DARTS keeps one)."""
        return self.derive(space, {k: m.detach().cpu() for k, m in masks.items()}, exclude_none=False)

    def op_counts(self, architecture: MobileNetArch) -> dict[str, int]:
        """Skipped layers (``n_skip``) and MBConv layers (``n_parametric``) of the whole chain: the layers are
        cell types, so per-type counts (the base's) would be one column per layer."""
        ops = architecture.layers
        return {"n_skip": sum(op == SKIP for op in ops),
                "n_parametric": sum(OPS.get(op).parametric for op in ops)}

    # ------------------------------------------------------------------ selection

    def pt_schedule(self, space: SearchSpace, tune_epochs: int, seed: int) -> tuple[list[Slot], int]:
        """One layer decided per slot, in a random order, ``tune_epochs`` tuning epochs apart: DARTS-PT's CNN
        schedule (sota/cnn/projection.py: decisions before epochs 0, intv, 2·intv, ...; T = intv·(E − 1) + 1)
        with the layers as its E edges. No topology step (a chain has none to choose)."""
        order = np.random.default_rng(seed).permutation(len(space.cells)).tolist()
        slots = [Slot(k * tune_epochs, "operation", space.cells[c].name, edge=0) for k, c in enumerate(order)]
        return slots, tune_epochs * (len(order) - 1) + 1

    # ------------------------------------------------------------------ architectures and networks

    def parse_architecture(self, text: str) -> MobileNetArch:
        """The text form (``mobilenet[@width]:ops|ops|...``) or a published name (``ProxylessNAS-GPU``)."""
        if text.strip() in self.published:
            return self.published[text.strip()]
        return MobileNetArch.parse(text)

    def check_architecture(self, space: SearchSpace, architecture: MobileNetArch) -> list[str]:
        if not isinstance(architecture, MobileNetArch):
            return [f"not a mobilenet architecture: {type(architecture).__name__}"]
        problems = chain_violations(self.chain, architecture)
        if problems:
            return problems
        if len(space.cells) != len(architecture.layers):
            return [f"{len(architecture.layers)} layers; space {space.name} has {len(space.cells)}"]
        return [f"{cell.name}: {op!r} is not among the space's candidates {cell.edge_ops[0]}"
                for cell, op in zip(space.cells, architecture.layers) if op not in cell.edge_ops[0]]

    def sample_architecture(self, space: SearchSpace, generator: RandomGenerator) -> MobileNetArch:
        """One op per layer, uniform over that layer's candidates (``skip_connect`` included where the layer
        may be skipped): the uniform path sampling of one-shot chain spaces (SPOS, Guo et al. 2020; FairNAS'
        uniform sampling in the ProxylessNAS space), each chain of the space as likely as any other."""
        ops = [c.edge_ops[0][uniform_index(generator, c.num_ops)] for c in space.cells]
        return MobileNetArch.from_layers(ops, self.chain.depths)

    def network_defaults(self, dataset: str) -> NetworkDefaults:
        return NetworkDefaults("MobileNetChain", len(self.chain.layers()), self.chain.first,
                               "searchable layers (fixed by the architecture; a requested number is ignored)",
                               f"C = {self.chain.first}, the first MBConv's width, at width multiplier 1: "
                               + _NETWORK_SOURCE)

    def build_network(self, architecture: MobileNetArch, num_classes: int, dataset: str, layers: int | None = None,
                      channels: int | None = None, auxiliary: bool = True) -> nn.Module:
        """The chain at width ``architecture.width · channels / 16`` (unset ``channels``: 16, the chain's own
        widths). ``layers`` and ``auxiliary`` are ignored, as networks without an auxiliary head ignore
        ``auxiliary``: a chain's depth is its architecture's (21 layers, skipped ones included), and
        ProxylessNAS trains without an auxiliary head; so generic micro-scale settings (``layers: 3``) run
        unchanged. No dropout: the published proxyless_gpu.config's classifier has ``dropout_rate: 0``."""
        from searchcore.networks.mobilenet import MobileNetChain

        width = architecture.width * (channels / self.chain.first if channels else 1.0)
        return MobileNetChain(self.chain, architecture, num_classes, width)

    def flops_m(self, network: nn.Module, dataset: str) -> float | None:
        """Multiply-adds (millions) at 224 px for ImageNet, else at the data set's image size: ProxylessNAS'
        count (``networks/flops.py``), the FLOPs column of the mobile-setting tables."""
        from searchcore.data import DATASETS
        from searchcore.networks.flops import count_macs

        size = IMAGENET_SIZE if dataset == "imagenet" else DATASETS.get(dataset).image_size
        return count_macs(network, size) / 1e6


MOBILENET = MobileNetFamily()
register_family(MOBILENET)


def _cells(chain: ChainSpec) -> tuple[CellSpace, ...]:
    return tuple(CellSpace(layer_name(i), (layer.candidates,)) for i, layer in enumerate(chain.layers()))


register_space(SearchSpace(
    "mobilenet", MOBILENET, _cells(MOBILENET.chain), ((1, 0),),
    f"MobileNet-like chain: 21 layers, {len(MBCONV_OPS)} MBConvs (k 3/5/7 x e 3/6) + skip on 15 shape-keeping layers",
    "ProxylessNAS GPU setting (Cai et al. 2019; mit-han-lab/proxylessnas search/imagenet_arch_search.py) as "
    "searched by FairDARTS and r-DARTS 004_… Table 4; docs/spaces.md",
))
