"""DARTS-space discrete (evaluation) networks: quark0/darts ``cnn/model.py`` (reference-notes §3.3).

* :class:`EvalCell`: preprocess0 = FactorizedReduce after a reduction cell, else ReLU-1x1 conv-BN;
  preprocess1 = ReLU-1x1 conv-BN; node 2+i = op_a(state[j_a]) + op_b(state[j_b]) for the genotype's pair
  i; output = concat of the ``concat`` nodes. Edges from the two cell inputs have stride 2 in a reduction
  cell. The two inputs of a node may be the same state (IS-DARTS keeps two ops on one edge, §6).
* Ops come from :func:`searchcore.ops.build_op` with affine BN and running statistics; pools get no BN
  (the search-only pool BN of DA issue #10 does not exist here).
* Drop path (Zoph et al. 2018, as DARTS): in training only, per op output except identities, one
  Bernoulli(1 - p) draw per sample, scaled by 1 / (1 - p). The caller sets ``drop_path_prob``.
* Auxiliary head after cell ``2 * layers // 3`` (the second reduction cell), in training only.

``forward`` returns ``(logits, logits_aux)``; ``logits_aux`` is None in eval mode or without the head.
"""

from __future__ import annotations

import torch
from torch import nn

from searchcore.architectures.darts import Genotype
from searchcore.ops import FactorizedReduce, Identity, ReLUConvBN, build_op


def drop_path(x: torch.Tensor, drop_prob: float) -> torch.Tensor:
    """Zero whole samples with probability ``drop_prob`` and rescale the rest (DA ``utils.drop_path``)."""
    if drop_prob <= 0.0:
        return x
    keep = 1.0 - drop_prob
    mask = torch.empty(x.size(0), 1, 1, 1, device=x.device, dtype=x.dtype).bernoulli_(keep)  # (B, 1, 1, 1)
    return x / keep * mask


def reductions(layers: int) -> tuple[int, int]:
    """Indices of the two reduction cells (DA: layers // 3 and 2 * layers // 3)."""
    return layers // 3, 2 * layers // 3


class EvalCell(nn.Module):
    """One cell of a discrete DARTS-space network for a fixed genotype (normal or reduce half)."""

    def __init__(
        self, pairs: list[tuple[str, int]], concat: list[int], c_pp: int, c_p: int, c: int,
        reduction: bool, reduction_prev: bool,
    ) -> None:
        super().__init__()
        _check_cell(pairs, concat)
        self.reduction = reduction
        self.preprocess0: nn.Module = (
            FactorizedReduce(c_pp, c, affine=True) if reduction_prev else ReLUConvBN(c_pp, c, 1, 1, 0, affine=True)
        )
        self.preprocess1 = ReLUConvBN(c_p, c, 1, 1, 0, affine=True)
        self.indices = [j for _, j in pairs]
        self.concat = list(concat)
        self.multiplier = len(concat)
        self.ops = nn.ModuleList(
            build_op(name, c, 2 if reduction and j < 2 else 1, affine=True, track_running_stats=True)
            for name, j in pairs
        )

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, drop_prob: float) -> torch.Tensor:
        states = [self.preprocess0(s0), self.preprocess1(s1)]  # each (B, C, H, W)
        for step in range(len(self.ops) // 2):
            total: torch.Tensor | None = None
            for k in (2 * step, 2 * step + 1):
                op = self.ops[k]
                h = op(states[self.indices[k]])
                if self.training and drop_prob > 0.0 and not isinstance(op, Identity):
                    h = drop_path(h, drop_prob)
                total = h if total is None else total + h
            assert total is not None
            states.append(total)
        return torch.cat([states[i] for i in self.concat], dim=1)  # (B, multiplier * C, H', W')


def _check_cell(pairs: list[tuple[str, int]], concat: list[int]) -> None:
    if not pairs or len(pairs) % 2:
        raise ValueError(f"a DARTS cell needs two (op, input) pairs per node, got {len(pairs)} pairs")
    for k, (name, j) in enumerate(pairs):
        node = 2 + k // 2
        if not 0 <= j < node:
            raise ValueError(f"node {node} cannot take input {j} (allowed 0..{node - 1}) in pair {(name, j)}")
    nodes = 2 + len(pairs) // 2
    if not concat or any(not 0 <= i < nodes for i in concat):
        raise ValueError(f"concat {concat} must name states 0..{nodes - 1}")


class AuxiliaryHead(nn.Module):
    """ReLU -> AvgPool(5, pool_stride) -> 1x1 conv 128 -> BN -> ReLU -> 2x2 conv 768 [-> BN] -> ReLU -> linear.

    CIFAR (pool stride 3, 8x8 input) has the BN after the 2x2 conv; DA's ImageNet head (pool stride 2,
    7x7 input at 224 px) leaves it out ("omitted ... due to a typo", kept for consistency with the paper).
    """

    def __init__(self, channels: int, num_classes: int, pool_stride: int, bn_768: bool) -> None:
        super().__init__()
        layers: list[nn.Module] = [
            nn.ReLU(),
            nn.AvgPool2d(5, stride=pool_stride, padding=0, count_include_pad=False),  # -> 2x2
            nn.Conv2d(channels, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
            nn.Conv2d(128, 768, 2, bias=False),  # -> 1x1
        ]
        if bn_768:
            layers.append(nn.BatchNorm2d(768))
        layers.append(nn.ReLU())
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(768, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


class _DartsEvalNetwork(nn.Module):
    """Cells, auxiliary head and classifier shared by the CIFAR and ImageNet networks."""

    def _build_cells(
        self, genotype: Genotype, layers: int, c_pp: int, c_p: int, c: int, reduction_prev: bool,
    ) -> int:
        """Append ``layers`` cells; return the channel count after cell 2 * layers // 3."""
        self.cells = nn.ModuleList()
        c_aux = c_p
        for i in range(layers):
            reduction = i in reductions(layers)
            if reduction:
                c *= 2
            pairs, concat = (genotype.reduce, genotype.reduce_concat) if reduction else (
                genotype.normal, genotype.normal_concat)
            cell = EvalCell(list(pairs), list(concat), c_pp, c_p, c, reduction, reduction_prev)
            self.cells.append(cell)
            reduction_prev = reduction
            c_pp, c_p = c_p, cell.multiplier * c
            if i == 2 * layers // 3:
                c_aux = c_p
        self.out_channels = c_p
        return c_aux

    def _run_cells(self, s0: torch.Tensor, s1: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        logits_aux = None
        for i, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob)
            if i == 2 * self.layers // 3 and self.auxiliary_head is not None and self.training:
                logits_aux = self.auxiliary_head(s1)
        logits = self.classifier(self.global_pooling(s1).flatten(1))
        return logits, logits_aux


class NetworkCIFAR(_DartsEvalNetwork):
    """DA ``NetworkCIFAR``: stem 3x3 conv to 3C + BN, ``layers`` cells, global average pool, linear.

    Defaults are DA's CIFAR-10 evaluation (C = 36, 20 cells, auxiliary head; reference-notes §3.3).
    """

    def __init__(
        self, channels: int = 36, num_classes: int = 10, layers: int = 20, auxiliary: bool = True,
        genotype: Genotype | None = None,
    ) -> None:
        super().__init__()
        if genotype is None:
            raise ValueError("NetworkCIFAR needs a genotype")
        self.layers = layers
        self.drop_path_prob = 0.0  # set by the training loop each epoch (DA: 0.2 * epoch / epochs)
        c_stem = 3 * channels  # stem multiplier 3
        self.stem = nn.Sequential(nn.Conv2d(3, c_stem, 3, padding=1, bias=False), nn.BatchNorm2d(c_stem))
        c_aux = self._build_cells(genotype, layers, c_stem, c_stem, channels, reduction_prev=False)
        self.auxiliary_head = AuxiliaryHead(c_aux, num_classes, 3, bn_768=True) if auxiliary else None
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(self.out_channels, num_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:  # (B, 3, H, W)
        s = self.stem(x)
        return self._run_cells(s, s)


class NetworkImageNet(_DartsEvalNetwork):
    """DA ``NetworkImageNet`` (mobile setting): two stride-2 stems (224 px -> 28 px), cells, pool, linear.

    Deviation: the final pool is adaptive (DA uses AvgPool(7), which is the same at 224 px but fails at
    other sizes). The auxiliary head expects the 224 px geometry (7x7 after the second reduction).
    """

    def __init__(
        self, channels: int = 48, num_classes: int = 1000, layers: int = 14, auxiliary: bool = True,
        genotype: Genotype | None = None,
    ) -> None:
        super().__init__()
        if genotype is None:
            raise ValueError("NetworkImageNet needs a genotype")
        self.layers = layers
        self.drop_path_prob = 0.0
        c = channels
        self.stem0 = nn.Sequential(
            nn.Conv2d(3, c // 2, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU(),
            nn.Conv2d(c // 2, c, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c),
        )
        self.stem1 = nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(c))
        c_aux = self._build_cells(genotype, layers, c, c, c, reduction_prev=True)
        self.auxiliary_head = AuxiliaryHead(c_aux, num_classes, 2, bn_768=False) if auxiliary else None
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(self.out_channels, num_classes)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:  # (B, 3, H, W)
        s0 = self.stem0(x)
        return self._run_cells(s0, self.stem1(s0))
