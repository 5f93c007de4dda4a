"""Data-parallel evaluation over a ``torch.distributed`` process group (no Ray here: any launcher that sets up
the group — Ray Train's ``TorchTrainer``, ``torchrun``, ``torch.multiprocessing`` — hands :class:`Ranks` to
:class:`searchcore.evaluate.loop.EvalRun`).

What is kept equal to one process training on the same global batch, and how:

* **the batch**: ``data.batch_size`` is the *global* batch; rank r trains on rows ``[r·B/W, (r+1)·B/W)`` of
  each global batch of the same seeded permutation, and the augmentation of those rows is drawn for the whole
  global batch (``augment_batch(share=...)``), so the union of the ranks' shards is the single-process batch,
  pixel for pixel;
* **the gradient**: each rank's loss is the mean over its (equal) shard and DDP averages the gradients, which
  is the mean over the global batch; clipping then sees the averaged gradient on every rank;
* **BatchNorm**: plain BN normalises each shard with the shard's statistics (and DDP broadcasts rank 0's running
  statistics), which is *not* the single-process network — it is what ``nn.DataParallel`` multi-GPU training
  does. ``sync_bn: true`` normalises with the statistics of the global batch: ``nn.SyncBatchNorm`` on GPUs,
  :class:`AllReduceBatchNorm` on CPUs (``nn.SyncBatchNorm`` refuses CPU tensors), which makes the run equal to
  one process up to float rounding;
* **drop-path** draws its masks from the torch RNG; with several ranks it is reseeded per (seed, epoch, rank)
  at the start of every epoch (the epoch number stays the whole RNG state, so resume is exact), so ranks draw
  independent masks — the same distribution as one process, not the same draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed import _functional_collectives as funcol
from torch.nn.modules.batchnorm import _BatchNorm


@dataclass(frozen=True)
class Ranks:
    """Where this process stands in a data-parallel run; ``Ranks()`` is the single-process run."""

    rank: int = 0
    world_size: int = 1
    group: Any = None
    """The ``torch.distributed`` process group to reduce over; ``None`` = the default (world) group."""

    def __post_init__(self) -> None:
        if not 0 <= self.rank < self.world_size:
            raise ValueError(f"rank {self.rank} is outside a world of {self.world_size}")
        if self.world_size > 1 and not (dist.is_available() and dist.is_initialized()):
            raise ValueError(f"a world of {self.world_size} ranks needs an initialised torch.distributed "
                             "process group (init_process_group) before the run is built")

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def main(self) -> bool:
        """Rank 0: the rank that writes checkpoints and logs."""
        return self.rank == 0

    @classmethod
    def from_process_group(cls, group: Any = None) -> Ranks:
        """This process's rank in ``group`` (the default group), or a single process when none is set up."""
        if not (dist.is_available() and dist.is_initialized()):
            return cls()
        return cls(dist.get_rank(group), dist.get_world_size(group), group)


def batch_problem(batch_size: int, world_size: int) -> str:
    """Why a global batch cannot be trained by ``world_size`` ranks ('' when it can): it must split into equal
    shards (so the averaged gradient is the batch mean) of at least 2 images (BatchNorm needs two per rank)."""
    if world_size == 1 or (batch_size % world_size == 0 and batch_size // world_size >= 2):
        return ""
    return (f"data.batch_size {batch_size} is the global batch and must split into {world_size} equal shards of "
            f"at least 2 images, one per worker: use a multiple of {world_size} that is at least {2 * world_size}")


def check_batch(batch_size: int, ranks: Ranks) -> None:
    """:func:`batch_problem` as a ValueError."""
    problem = batch_problem(batch_size, ranks.world_size)
    if problem:
        raise ValueError(problem)


def epoch_seed(seed: int, epoch: int, rank: int) -> int:
    """The torch seed of rank ``rank`` in epoch ``epoch`` (drop-path masks) of a data-parallel run."""
    return (int(seed) * 1_000_003 + int(epoch) * 7_919 + (int(rank) + 1) * 15_485_863) % 2**63


def all_reduce(values: list[float], ranks: Ranks, device: torch.device, op: str = "sum") -> list[float]:
    """``values`` summed (``op="max"``: maximised) over the ranks, in float64; unchanged for one process."""
    if not ranks.distributed:
        return list(values)
    t = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(t, op=dist.ReduceOp.SUM if op == "sum" else dist.ReduceOp.MAX, group=ranks.group)
    return t.tolist()


class AllReduceBatchNorm(_BatchNorm):
    """BatchNorm with the statistics of the whole global batch, on any backend (gloo on CPUs).

    ``nn.SyncBatchNorm`` raises on CPU tensors; this computes the same thing with two differentiable
    all-reduces per layer (sum and count, then the centred sum of squares — two passes, as single-process BN
    computes its variance, not E[x²]−E[x]²). The running variance is the unbiased one, as ``F.batch_norm``
    keeps. Outside training, or alone, it is plain BatchNorm.
    """

    def __init__(self, *args: Any, group: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group

    def _reduce(self, t: torch.Tensor) -> torch.Tensor:
        # differentiable: the backward sums the gradients over the ranks (torch's functional collectives, which
        # torch.distributed.nn.functional.all_reduce's deprecation points to)
        return funcol.all_reduce(t, "sum", dist.group.WORLD if self.group is None else self.group)

    def _check_input_dim(self, input: torch.Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not (self.training and dist.is_initialized() and dist.get_world_size(self.group) > 1):
            return super().forward(x)
        c = x.shape[1]
        dims = [0, *range(2, x.dim())]
        shape = [1, c] + [1] * (x.dim() - 2)
        xf = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
        count = torch.full((1,), x.numel() // c, dtype=xf.dtype, device=x.device)
        first = self._reduce(torch.cat([xf.sum(dims), count]))
        n = first[c]
        mean = first[:c] / n
        centred = xf - mean.view(shape)
        var = self._reduce((centred * centred).sum(dims)) / n
        y = centred * torch.rsqrt(var + self.eps).view(shape)
        if self.affine:
            y = y * self.weight.view(shape) + self.bias.view(shape)
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                m = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                self.running_mean.mul_(1 - m).add_(mean.detach().to(self.running_mean.dtype), alpha=m)
                unbiased = var.detach() * (n / (n - 1)).detach()
                self.running_var.mul_(1 - m).add_(unbiased.to(self.running_var.dtype), alpha=m)
        return y.to(x.dtype)


def convert_batchnorm(module: nn.Module, ranks: Ranks, device: torch.device) -> nn.Module:
    """Every BatchNorm of ``module`` made to use global-batch statistics (``sync_bn``); weights, buffers and
    state-dict keys unchanged, so checkpoints load either way. GPUs: ``nn.SyncBatchNorm``; otherwise
    :class:`AllReduceBatchNorm`."""
    if not ranks.distributed:
        return module
    if device.type == "cuda":
        return nn.SyncBatchNorm.convert_sync_batchnorm(module, ranks.group)
    return _to_all_reduce(module, ranks.group)


def _to_all_reduce(module: nn.Module, group: Any) -> nn.Module:
    out = module
    if isinstance(module, _BatchNorm) and not isinstance(module, AllReduceBatchNorm):
        out = AllReduceBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                 module.track_running_stats, group=group)
        like = [t for t in (*module.parameters(recurse=False), *module.buffers(recurse=False)) if t.is_floating_point()]
        if like:
            out.to(like[0])  # the device and dtype of the layer it replaces
        with torch.no_grad():
            if module.affine:
                out.weight.copy_(module.weight)
                out.bias.copy_(module.bias)
                out.weight.requires_grad_(module.weight.requires_grad)
                out.bias.requires_grad_(module.bias.requires_grad)
            if module.track_running_stats:
                out.running_mean.copy_(module.running_mean)
                out.running_var.copy_(module.running_var)
                out.num_batches_tracked.copy_(module.num_batches_tracked)
        out.train(module.training)
    for name, child in module.named_children():
        out.add_module(name, _to_all_reduce(child, group))
    return out


def wrap_data_parallel(model: nn.Module, ranks: Ranks, device: torch.device,
                       find_unused_parameters: bool = False) -> nn.Module:
    """``model`` in ``DistributedDataParallel`` (which broadcasts rank 0's weights now and averages gradients
    in every backward); the model itself for one process."""
    if not ranks.distributed:
        return model
    device_ids = [device.index if device.index is not None else torch.cuda.current_device()] \
        if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=device_ids, process_group=ranks.group,
                                               find_unused_parameters=find_unused_parameters)
