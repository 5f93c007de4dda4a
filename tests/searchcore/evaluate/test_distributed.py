"""Data-parallel evaluation (searchcore.evaluate.distributed) without Ray: two CPU ranks over gloo, started with
torch.multiprocessing, train the tiny network to the weights one process reaches on the same global batches
(sync_bn), resume exactly on every rank, and differ with per-rank BatchNorm, as documented."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

from searchcore.data.augment import augment_batch
from searchcore.evaluate import loop
from searchcore.evaluate.config import EvalConfig
from searchcore.evaluate.data import build_eval_data
from searchcore.evaluate.distributed import Ranks, batch_problem
from searchcore.evaluate.loop import EvalRun
from searchcore.search import NullReporter
from tests.searchcore.evaluate.tiny import tiny

TOLERANCE = 1e-10
"""Largest absolute difference allowed between a weight (or BatchNorm statistic) of the 2-rank run and of the
single-process run, both in float64 (measured: 1.8e-14 after 2 epochs)."""


def config(**overrides: Any) -> EvalConfig:
    # 40 images in batches of 16: two full batches and a last one of 8 (4 per rank); cutout on, so the shards'
    # augmentation must be the whole batch's; drop-path off: its masks are drawn per rank (documented)
    return tiny(epochs=2, data__limit_train_images=40, data__max_batches=None, data__eval_batches=2,
                network__drop_path=0.0, sync_bn=True, channels_last=False, **overrides)


def test_the_ranks_shards_of_a_global_batch_are_the_single_process_batch():
    data = build_eval_data(config().data, 0, torch.device("cpu"))
    whole = list(data.train_batches(0, 1))
    shards = [list(data.train_batches(0, 1, rank=r, world_size=2)) for r in range(2)]
    assert len(whole) == len(shards[0]) == len(shards[1]) == 3
    for b, (x, y) in enumerate(whole):
        assert torch.equal(torch.cat([shards[0][b][0], shards[1][b][0]]), x)
        assert torch.equal(torch.cat([shards[0][b][1], shards[1][b][1]]), y)
    assert data.num_batches("train", 3) == 2  # a last batch of 8 does not split into 3 equal shards: dropped


def test_augmenting_a_share_draws_for_the_whole_batch():
    images = torch.randint(0, 256, (6, 3, 8, 8), dtype=torch.uint8)

    def aug(x: torch.Tensor, share: tuple[int, int] | None = None) -> torch.Tensor:
        return augment_batch(x, torch.Generator().manual_seed(3), (0.5,) * 3, (0.2,) * 3, crop_padding=2,
                             cutout=4, share=share)

    assert torch.equal(torch.cat([aug(images[:2], (0, 6)), aug(images[2:], (2, 6))]), aug(images))


def test_the_global_batch_must_split_into_equal_shards_of_two():
    assert batch_problem(16, 2) == batch_problem(15, 1) == ""
    for batch in (15, 2):
        assert f"data.batch_size {batch} is the global batch" in batch_problem(batch, 2)
        assert batch_problem(batch, 2).endswith("use a multiple of 2 that is at least 4")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Offer(NullReporter):
    """A rank's reporter that offers a checkpoint directory to resume from (every rank restores)."""

    def __init__(self, directory: str) -> None:
        super().__init__()
        self.directory = directory

    def restore_dir(self) -> str | None:
        return self.directory


class Float64Run(EvalRun):
    """The run in float64 (network and batches). In float32 the comparison says little: the tiny network on
    digits is so sensitive that perturbing one process's initial weights by 1e-7 moves its weights by ~1e-2
    after six steps (max-pool ties and ReLU kinks on the flat digit images switch), and the two runs differ from
    the first step by the order of their float32 reductions. In float64 the same amplification leaves both
    runs within TOLERANCE, so what remains is whether they compute the same thing."""

    def prepare_batch(self, x: torch.Tensor) -> torch.Tensor:
        return super().prepare_batch(x.double())


def _float64(build: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
    return lambda *args, **kwargs: build(*args, **kwargs).double()


def _rank(rank: int, port: int, cfg: dict[str, Any], out: str) -> None:
    torch.set_num_threads(1)
    loop.build_eval_network = _float64(loop.build_eval_network)  # in this forked rank only
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    try:
        ranks = Ranks.from_process_group()
        base = EvalConfig.model_validate(cfg)
        results: dict[str, Any] = {}
        run = Float64Run(base, ranks=ranks)
        results["metrics"] = run.run()
        results["sync"] = run.model.state_dict()
        # interrupted after epoch 1 (rank 0 writes the checkpoint), then resumed on both ranks
        first = Float64Run(base, ranks=ranks)
        first.run_epoch()
        if rank == 0:
            first.save(str(Path(out) / "checkpoint"))
        dist.barrier()
        resumed = Float64Run(base, _Offer(str(Path(out) / "checkpoint")), ranks=ranks)
        resumed.run()
        results["resumed"] = resumed.model.state_dict()
        plain = Float64Run(base.model_copy(update={"sync_bn": False}), ranks=ranks)
        plain.run()
        results["plain"] = plain.model.state_dict()
        torch.save(results, Path(out) / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def _max_diff(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k].double() - b[k].double()).abs().max()) for k in a if a[k].is_floating_point())


def test_two_gloo_ranks_train_the_single_process_weights_and_resume_exactly(tmp_path, monkeypatch):
    cfg = config()
    # fork: the ranks inherit the imported modules (spawn re-imports torch and torchvision: ~9 s on two cores)
    mp.start_processes(_rank, args=(_free_port(), cfg.model_dump(mode="json"), str(tmp_path)), nprocs=2,
                       start_method="fork")
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in range(2)]
    monkeypatch.setattr(loop, "build_eval_network", _float64(loop.build_eval_network))
    single = Float64Run(cfg)
    single_metrics = single.run()
    reference = single.model.state_dict()

    assert _max_diff(ranks[0]["sync"], ranks[1]["sync"]) == 0.0  # DDP keeps the ranks identical
    assert _max_diff(ranks[0]["sync"], reference) < TOLERANCE
    for key in ("train_loss", "test_loss", "train_acc", "test_acc"):
        assert ranks[0]["metrics"][key] == pytest.approx(single_metrics[key], rel=1e-9)
    assert _max_diff(ranks[0]["resumed"], ranks[0]["sync"]) == 0.0  # resume on every rank is exact
    # per-rank BatchNorm (sync_bn: false) normalises each shard by itself: another network than one process's
    assert _max_diff(ranks[0]["plain"], reference) > 1e-3
