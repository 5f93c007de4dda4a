"""Candidate operations of every supported space, in one registry.

Whether an op is *parametric* is a property of the op (``OpSpec.parametric``), never of its position
in a list: EM-DARTS' reference code infers it from list position, which silently breaks when a space
lists ops in another order (reference-notes §9). Following EM-DARTS, ``skip_connect`` counts as
parameter-free even where, at stride 2, it is a FactorizedReduce with weights.

Conv-type ops start with a ReLU. They are :class:`PreActivated` so that a mixed op can compute
``relu(x)`` once per edge and share it between all its conv candidates (an exact rewrite that saves
one activation per conv op and edge).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from searchcore.registry import Registry


def batch_norm(channels: int, affine: bool, track_running_stats: bool) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, affine=affine, track_running_stats=track_running_stats)


class PreActivated(nn.Module):
    """``body(relu(x))``; a mixed op may pass an already activated input to :meth:`forward_relu`."""

    body: nn.Module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_relu(torch.relu(x))

    def forward_relu(self, x_relu: torch.Tensor) -> torch.Tensor:
        return self.body(x_relu)


class ReLUConvBN(PreActivated):
    """ReLU -> k x k conv -> BN (NB201 ``nor_conv_k``; DARTS preprocessing)."""

    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: int, padding: int, affine: bool,
        track: bool = True, bias: bool = False,
    ) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=bias),
            batch_norm(c_out, affine, track),
        )


class DilConv(PreActivated):
    """ReLU -> depthwise k x k (dilation) -> pointwise 1x1 -> BN (DARTS ``dil_conv_k``)."""

    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: int, padding: int, dilation: int,
        affine: bool, track: bool = True,
    ) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_in, kernel, stride, padding, dilation=dilation, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            batch_norm(c_out, affine, track),
        )


class SepConv(PreActivated):
    """Two stacked DilConv-like halves with dilation 1; stride only on the first (DARTS ``sep_conv_k``)."""

    def __init__(
        self, c_in: int, c_out: int, kernel: int, stride: int, padding: int, affine: bool, track: bool = True,
    ) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c_in, c_in, kernel, stride, padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_in, 1, bias=False),
            batch_norm(c_in, affine, track),
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, 1, padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            batch_norm(c_out, affine, track),
        )


class FactorizedReduce(PreActivated):
    """ReLU -> two stride-2 1x1 convs (the second on the input shifted by one pixel) -> concat -> BN."""

    def __init__(self, c_in: int, c_out: int, affine: bool, track: bool = True) -> None:
        super().__init__()
        if c_out % 2:
            raise ValueError(f"FactorizedReduce needs an even number of output channels, got {c_out}")
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.bn = batch_norm(c_out, affine, track)

    def forward_relu(self, x: torch.Tensor) -> torch.Tensor:
        # The pixel shift pads at the bottom/right so odd sizes work (as the reference).
        shifted = nn.functional.pad(x[:, :, 1:, 1:], (0, 1, 0, 1))
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1))


class Zero(nn.Module):
    """``none``: zeros (sub-sampled at stride 2). Mixed ops never compute it: its term is exactly 0."""

    def __init__(self, stride: int) -> None:
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == 1:
            return x.mul(0.0)
        return x[:, :, :: self.stride, :: self.stride].mul(0.0)


class Noise(nn.Module):
    """S4's ``noise``: fresh N(0, 1) shaped like the (sub-sampled) input, no gradient path to it."""

    def __init__(self, stride: int) -> None:
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x[:, :, :: self.stride, :: self.stride].shape
        return torch.randn(shape, device=x.device, dtype=x.dtype)


class Identity(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


OpBuilder = Callable[[int, int, bool, bool], nn.Module]
"""(channels, stride, affine, track_running_stats) -> module mapping C channels to C channels."""


@dataclass(frozen=True)
class OpSpec:
    name: str
    parametric: bool
    is_pool: bool
    build: OpBuilder
    description: str
    draws_random: bool = False
    """Draws from the global RNG in its forward (S4's noise): seeds fused into one model would share it."""


OPS: Registry[OpSpec] = Registry("operation")


def _register(name: str, parametric: bool, build: OpBuilder, description: str, is_pool: bool = False,
              draws_random: bool = False) -> None:
    OPS.register(name, OpSpec(name, parametric, is_pool, build, description, draws_random))


def _skip(c: int, stride: int, affine: bool, track: bool) -> nn.Module:
    return Identity() if stride == 1 else FactorizedReduce(c, c, affine, track)


_register("none", False, lambda c, s, a, t: Zero(s), "zeros; never computed in a mixed op")
_register("skip_connect", False, _skip, "identity (FactorizedReduce at stride 2)")
_register("noise", False, lambda c, s, a, t: Noise(s), "N(0,1) noise shaped like the input (RobustDARTS S4)",
          draws_random=True)
_register(
    "avg_pool_3x3", False, lambda c, s, a, t: nn.AvgPool2d(3, s, 1, count_include_pad=False),
    "3x3 average pooling, count_include_pad=False", is_pool=True,
)
_register("max_pool_3x3", False, lambda c, s, a, t: nn.MaxPool2d(3, s, 1), "3x3 max pooling", is_pool=True)
_register(
    "nor_conv_1x1", True, lambda c, s, a, t: ReLUConvBN(c, c, 1, s, 0, a, t), "ReLU-conv1x1-BN (NAS-Bench-201)"
)
_register(
    "nor_conv_3x3", True, lambda c, s, a, t: ReLUConvBN(c, c, 3, s, 1, a, t), "ReLU-conv3x3-BN (NAS-Bench-201)"
)
_register("sep_conv_3x3", True, lambda c, s, a, t: SepConv(c, c, 3, s, 1, a, t), "separable 3x3 conv, twice")
_register("sep_conv_5x5", True, lambda c, s, a, t: SepConv(c, c, 5, s, 2, a, t), "separable 5x5 conv, twice")
_register("dil_conv_3x3", True, lambda c, s, a, t: DilConv(c, c, 3, s, 2, 2, a, t), "dilated 3x3 conv, dilation 2")
_register("dil_conv_5x5", True, lambda c, s, a, t: DilConv(c, c, 5, s, 4, 2, a, t), "dilated 5x5 conv, dilation 2")


def build_op(
    name: str, channels: int, stride: int, affine: bool, track_running_stats: bool, pool_bn: bool = False,
) -> nn.Module:
    """Build op ``name``; ``pool_bn`` appends BN(affine=False) to pools (DARTS search cells, DA issue #10)."""
    spec = OPS.get(name)
    module = spec.build(channels, stride, affine, track_running_stats)
    if pool_bn and spec.is_pool:
        module = nn.Sequential(module, batch_norm(channels, False, track_running_stats))
    return module
