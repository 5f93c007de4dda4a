"""ms per evaluation training step (batch 96, 32x32, the 20-cell C=36 CIFAR network of DARTS_V2) of dartsweep's
``train_step`` against a plain reference loop written in this script.

*dartsweep* is what ``EvalRun`` does for the ``darts-cifar`` protocol: the network built by the family
(``build_eval_network``), SGD from ``build_optimizer``, channels-last weights and batches, and
``searchcore.evaluate.steps.train_step`` (cross-entropy + 0.4 x the auxiliary head's, gradient-norm clip 5, SGD
step; bfloat16 autocast on CUDA when ``--amp``). *Reference* is quark0/darts ``cnn/train.py``'s step written out
here: NCHW fp32, ``zero_grad``, forward, the same loss, ``backward``, ``clip_grad_norm_``, ``step``. Same network
class and initial weights, same data, same drop-path probability; the two are timed alternately so a shared,
loaded machine slows both alike. The median and the fastest of the timed steps are reported (on a machine other
work shares, the fastest is the least disturbed).

    python bench/eval_step.py [--steps 5] [--batch 96] [--threads N] [--device cpu|cuda] [--amp]
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import time
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from searchcore.evaluate.loop import build_eval_network, build_optimizer, parse_architecture
from searchcore.evaluate.protocols import resolve_eval_config
from searchcore.evaluate.steps import train_step


def reference_step(model: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
                   auxiliary_weight: float, grad_clip: float) -> None:
    """quark0/darts cnn/train.py ``train()``, one iteration (NCHW, fp32)."""
    optimizer.zero_grad()
    logits, logits_aux = model(x)
    loss = F.cross_entropy(logits, y)
    loss = loss + auxiliary_weight * F.cross_entropy(logits_aux, y)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step()


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn: Callable[[], None], device: torch.device) -> float:
    _sync(device)
    start = time.perf_counter()
    fn()
    _sync(device)
    return 1000 * (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5, help="timed steps of each (after one warm-up step each)")
    parser.add_argument("--batch", type=int, default=96)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--amp", action="store_true", help="bfloat16 autocast in dartsweep's step (CUDA only)")
    parser.add_argument("--drop-path", type=float, default=0.1, help="drop-path probability of both networks "
                        "(DARTS' schedule reaches 0.1 halfway through its 600 epochs)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    cfg = resolve_eval_config("darts-cifar", "darts", "cifar10", {"architecture": "DARTS_V2", "amp": args.amp,
                                                                 "device": args.device})
    torch.manual_seed(0)
    base = build_eval_network(cfg, parse_architecture(cfg), 10)
    ours, ref = base.to(device), copy.deepcopy(base).to(device)
    for net in (ours, ref):
        net.train()
        net.drop_path_prob = args.drop_path
    ours.to(memory_format=torch.channels_last)
    opt_ours, opt_ref = build_optimizer(ours, cfg.optim), build_optimizer(ref, cfg.optim)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(args.batch, 3, 32, 32, generator=gen).to(device)
    y = torch.randint(0, 10, (args.batch,), generator=gen).to(device)
    x_cl = x.contiguous(memory_format=torch.channels_last)
    autocast = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if args.amp and device.type == "cuda" else None
    o = cfg.optim

    def step_ours() -> None:
        train_step(ours, opt_ours, x_cl, y, auxiliary_weight=cfg.network.auxiliary_weight,
                   label_smoothing=o.label_smoothing, grad_clip=o.grad_clip, autocast=autocast() if autocast else None)

    def step_ref() -> None:
        reference_step(ref, opt_ref, x, y, cfg.network.auxiliary_weight, o.grad_clip)

    times: dict[str, list[float]] = {"ours": [], "ref": []}
    for i in range(1 + args.steps):  # alternate, so load on a shared machine falls on both
        t_ours, t_ref = timed(step_ours, device), timed(step_ref, device)
        if i > 0:
            times["ours"].append(t_ours)
            times["ref"].append(t_ref)
    fast, slow = statistics.median(times["ours"]), statistics.median(times["ref"])
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else (platform.processor() or
                                                                             platform.machine())
    print(f"# {where}, torch {torch.__version__}, {torch.get_num_threads()} threads, load average "
          f"{os.getloadavg()[0]:.2f}, batch {args.batch}, 32x32, DARTS_V2 20 cells C=36 + aux head, drop-path "
          f"{args.drop_path}, {args.steps} timed steps each (median; all: ours {[round(t) for t in times['ours']]}, "
          f"reference {[round(t) for t in times['ref']]})")
    amp = ", bf16 autocast" if autocast else ""
    low_fast, low_slow = min(times["ours"]), min(times["ref"])
    print("| step | median ms/step | images/s | fastest ms/step | ratio to reference (median; fastest) |")
    print("|---|---|---|---|---|")
    print(f"| dartsweep `train_step` (channels-last{amp}) | {fast:.0f} | {args.batch * 1000 / fast:.1f} | "
          f"{low_fast:.0f} | {slow / fast:.2f}x; {low_slow / low_fast:.2f}x faster |")
    print(f"| reference loop (NCHW fp32, DA train.py step) | {slow:.0f} | {args.batch * 1000 / slow:.1f} | "
          f"{low_slow:.0f} | 1.00 |")


if __name__ == "__main__":
    main()
