"""The inverted-residual block (MBConv) of MobileNetV2-style chains, and its six candidate ops.

MBConv (Sandler et al. 2018, MobileNetV2 §3.3; the candidate block of ProxylessNAS, Cai et al. 2019 §4.2):
1×1 conv C_in → e·C_in, BN, ReLU6 (left out when e = 1) → k×k depthwise conv (stride s, padding k // 2),
BN, ReLU6 → 1×1 conv → C_out, BN (linear bottleneck: no activation), plus the identity shortcut where the
block keeps its shape (stride 1, C_in = C_out) and its layer has one. Convs have no bias; BN uses ε = 1e-3
and momentum 0.1 (ProxylessNAS ``bn`` settings, han-cai/files ``proxylessnas/proxyless_gpu.config``);
the hidden width is ``round(e·C_in)`` (ProxylessNAS ``MBInvertedConvLayer``).

The ops ``mbconv_k{3,5,7}_e{3,6}`` are registered in :data:`~searchcore.ops.OPS` (parametric) so that
spaces can list them and EM-DARTS' mutation and the collapse counts see them as parametric. Their
registry builder is the shape-keeping C → C block (with the shortcut at stride 1); a chain whose layers
change width builds :class:`MBConv` with its own widths (``searchcore/families/mobilenet.py``).
"""

from __future__ import annotations

import torch
from torch import nn

from searchcore.ops import OPS, OpSpec

BN_EPS = 1e-3
"""ProxylessNAS ``bn: {momentum: 0.1, eps: 0.001}`` (han-cai/files proxylessnas/proxyless_gpu.config)."""
BN_MOMENTUM = 0.1

MBCONV_KERNELS = (3, 5, 7)
MBCONV_EXPANSIONS = (3, 6)
"""ProxylessNAS' candidates ``{3,5,7}x{3,5,7}_MBConv{3,6}`` (mit-han-lab/proxylessnas
search/imagenet_arch_search.py ``conv_candidates``; paper §4.2)."""


def mbconv_name(kernel: int, expand: int) -> str:
    """Registry name of the MBConv candidate with kernel ``kernel`` and expansion ratio ``expand``."""
    return f"mbconv_k{kernel}_e{expand}"


MBCONV_OPS: tuple[str, ...] = tuple(mbconv_name(k, e) for k in MBCONV_KERNELS for e in MBCONV_EXPANSIONS)
"""k3e3, k3e6, k5e3, k5e6, k7e3, k7e6: ProxylessNAS' order (kernel, then expansion)."""
_SHAPES = {mbconv_name(k, e): (k, e) for k in MBCONV_KERNELS for e in MBCONV_EXPANSIONS}


def mbconv_shape(op: str) -> tuple[int, int]:
    """(kernel, expansion) of MBConv candidate ``op``."""
    try:
        return _SHAPES[op]
    except KeyError:
        raise ValueError(f"{op!r} is not an MBConv candidate; allowed: {', '.join(MBCONV_OPS)}") from None


def make_divisible(value: float, divisor: int = 8) -> int:
    """``value`` rounded to the nearest multiple of ``divisor`` (at least ``divisor``), one step up when that
    loses more than 10 %: the channel rounding of TF-slim's MobileNet ``_make_divisible`` that ProxylessNAS
    applies to every width under a width multiplier (``make_divisible(w · width_mult, 8)``)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def bn(channels: int, affine: bool = True, track: bool = True) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM, affine=affine, track_running_stats=track)


def conv_bn_relu6(c_in: int, c_out: int, kernel: int, stride: int, affine: bool = True,
                  track: bool = True) -> nn.Sequential:
    """k×k conv (no bias, padding k // 2) → BN → ReLU6: ProxylessNAS' stem and feature-mix ``ConvLayer``."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, bias=False), bn(c_out, affine, track),
                         nn.ReLU6(inplace=False))


class MBConv(nn.Module):
    """One inverted-residual block; ``residual`` adds the identity shortcut (needs stride 1, C_in = C_out)."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, expand: int, affine: bool = True,
                 track: bool = True, residual: bool = False) -> None:
        super().__init__()
        if residual and (stride != 1 or c_in != c_out):
            raise ValueError(f"an MBConv shortcut needs stride 1 and equal widths, got {c_in}->{c_out} stride {stride}")
        hidden = round(c_in * expand)
        layers: list[nn.Module] = []
        if expand != 1:
            layers += [nn.Conv2d(c_in, hidden, 1, bias=False), bn(hidden, affine, track), nn.ReLU6(inplace=False)]
        layers += [
            nn.Conv2d(hidden, hidden, kernel, stride, kernel // 2, groups=hidden, bias=False),
            bn(hidden, affine, track), nn.ReLU6(inplace=False),
            nn.Conv2d(hidden, c_out, 1, bias=False), bn(c_out, affine, track),
        ]
        self.body = nn.Sequential(*layers)
        self.residual = residual
        self.kernel, self.expand, self.stride = kernel, expand, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        return x + y if self.residual else y


def _register(kernel: int, expand: int) -> None:
    def build(c: int, stride: int, affine: bool, track: bool) -> nn.Module:
        return MBConv(c, c, kernel, stride, expand, affine, track, residual=stride == 1)

    name = mbconv_name(kernel, expand)
    OPS.register(name, OpSpec(name, True, False, build,
                              f"MBConv: 1x1 expand x{expand}, {kernel}x{kernel} depthwise, 1x1 project (ProxylessNAS)"))


for _k in MBCONV_KERNELS:
    for _e in MBCONV_EXPANSIONS:
        _register(_k, _e)
