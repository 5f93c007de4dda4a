"""FLOPs as the mobile-NAS papers count them: multiply-accumulates of convolutions and linear layers.

Counting rule (mit-han-lab/proxylessnas ``search/utils/pytorch_utils.py`` ``count_conv_flop`` and
``search/modules/layers.py`` ``get_flops``: the "FLOPs" of its logs and of the mobile-setting tables that
cite it): a conv costs ``H_out · W_out · C_in · C_out · k_h · k_w / groups`` (the reference takes H_out =
H_in / stride, the same at 224 px), a linear layer its weight count ``in · out``; biases, BN, activations,
pooling and additions are not counted. One image, one forward pass in eval mode.
"""

from __future__ import annotations

import torch
from torch import nn


def count_macs(model: nn.Module, image_size: int) -> int:
    """Multiply-accumulates of one forward pass of a (1, 3, image_size, image_size) input."""
    total = 0

    def conv_hook(module: nn.Conv2d, _inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        nonlocal total
        k_h, k_w = module.kernel_size
        total += output.shape[2] * output.shape[3] * module.in_channels * module.out_channels * k_h * k_w \
            // module.groups

    def linear_hook(module: nn.Linear, _inputs: tuple[torch.Tensor, ...], _output: torch.Tensor) -> None:
        nonlocal total
        total += module.in_features * module.out_features

    handles = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            device = next(model.parameters()).device
            model(torch.zeros(1, 3, image_size, image_size, device=device))
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return total
