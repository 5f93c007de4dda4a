"""Macro-level blocks shared by search supernets and discrete networks."""

from __future__ import annotations

import torch
from torch import nn

from searchcore.ops import ReLUConvBN


class ResNetBasicBlock(nn.Module):
    """NAS-Bench-201's reduction block (AutoDL ``ResNetBasicblock``, reference-notes §2.1).

    conv_a = ReLU-3x3 conv(stride)-BN, conv_b = ReLU-3x3 conv-BN; the stride-2 shortcut is
    AvgPool(2, 2) followed by a 1x1 conv without BN or ReLU. Always affine BN.
    """

    def __init__(self, c_in: int, c_out: int, stride: int, track_running_stats: bool = True) -> None:
        super().__init__()
        if stride not in (1, 2):
            raise ValueError(f"stride must be 1 or 2, got {stride}")
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride, 1, affine=True, track=track_running_stats)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1, affine=True, track=track_running_stats)
        if stride == 2:
            self.shortcut: nn.Module = nn.Sequential(
                nn.AvgPool2d(2, 2, 0), nn.Conv2d(c_in, c_out, 1, bias=False)
            )
        elif c_in != c_out:
            self.shortcut = ReLUConvBN(c_in, c_out, 1, 1, 0, affine=True, track=track_running_stats)
        else:
            self.shortcut = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.shortcut(x) + self.conv_b(self.conv_a(x))
