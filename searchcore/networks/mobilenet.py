"""The evaluation network of a MobileNet-like chain architecture (ProxylessNAS ``ProxylessNASNets``).

stem (3×3 conv stride 2, BN, ReLU6) → first MBConv (expansion 1, 3×3) → the searchable layers with their
chosen ops (``skip_connect`` = identity; MBConvs of shape-keeping layers add the shortcut) → feature mix
(1×1 conv, BN, ReLU6) → global average pool → dropout → linear (with bias). BN is affine, ε = 1e-3. Every
width is ``make_divisible(w · width, 8)`` of the chain's (the feature mix scales only above width 1), as
ProxylessNAS builds its nets (``super_proxyless.py``); the pool is adaptive, so small inputs (the embedded
32 px digits, 16 px ImageNet16) run too. ``forward(x)`` returns the logits.
"""

from __future__ import annotations

import torch
from torch import nn

from searchcore.architectures.mobilenet import SKIP, ChainSpec, MobileNetArch
from searchcore.mbconv import MBConv, conv_bn_relu6, mbconv_shape


class MobileNetChain(nn.Module):
    """A chain of chosen ops at width multiplier ``width``; ``dropout`` before the classifier."""

    def __init__(self, chain: ChainSpec, architecture: MobileNetArch, num_classes: int, width: float = 1.0,
                 dropout: float = 0.0) -> None:
        super().__init__()
        stem, first = chain.width(chain.stem, width), chain.width(chain.first, width)
        self.stem = conv_bn_relu6(3, stem, 3, 2)
        self.first = MBConv(stem, first, 3, 1, 1)
        blocks: list[nn.Module] = []
        for layer, op in zip(chain.layers(), architecture.layers, strict=True):
            c_in, c_out = chain.width(layer.c_in, width), chain.width(layer.c_out, width)
            if op == SKIP:
                if not layer.skippable:
                    raise ValueError(f"a {layer.c_in}->{layer.c_out} stride-{layer.stride} layer cannot be skipped")
                blocks.append(nn.Identity())
            else:
                kernel, expand = mbconv_shape(op)
                blocks.append(MBConv(c_in, c_out, kernel, layer.stride, expand, residual=layer.skippable))
        self.blocks = nn.Sequential(*blocks)
        head = chain.head_width(width)
        self.feature_mix = conv_bn_relu6(chain.width(chain.stages[-1].width, width), head, 1, 1)
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(head, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.feature_mix(self.blocks(self.first(self.stem(x))))
        return self.classifier(self.dropout(self.global_pool(h).flatten(1)))
