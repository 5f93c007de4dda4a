"""ms per search iteration (α step + weight step, batch 64, 32x32) of the NB201 and DARTS supernets.

Compares dartsweep's supernet against a *naive* mixed op computed in this script: every candidate
(``none`` included) evaluated, stacked and weighted-summed, NCHW memory format, no shared ReLU, and
full backward passes in both steps (weight gradients in the α step, α gradients in the weight step),
as the reference implementations do. Same network, same data, same optimisers.

    python bench/search_step.py [--space nb201|darts|both] [--iters 5] [--threads N] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import statistics
import time
from collections.abc import Iterator

import torch
from torch import nn

from searchcore.methods.resolve import resolve_config
from searchcore.search.loop import build_arch_optimizer, build_weight_optimizer
from searchcore.search.steps import arch_step, weight_step
from searchcore.supernets import build_supernet
from searchcore.supernets.mixed import MixedOp


def naive_mixed_forward(self, x, weights, active, x_relu):  # noqa: ARG001 - same signature as MixedOp
    return torch.stack([op(x) for op in self.ops]).mul(weights.view(-1, 1, 1, 1, 1)).sum(0)


@contextlib.contextmanager
def naive_mode() -> Iterator[None]:
    fast = MixedOp.forward
    MixedOp.forward = naive_mixed_forward
    try:
        yield
    finally:
        MixedOp.forward = fast


def naive_iteration(model, w_opt, a_opt, x, y, xv, yv, clip):
    a_opt.zero_grad()
    nn.functional.cross_entropy(model(xv), yv).backward()
    a_opt.step()
    w_opt.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    nn.utils.clip_grad_norm_(list(model.weight_parameters()), clip)
    w_opt.step()


def time_iterations(space: str, naive: bool, iters: int, warmup: int = 1) -> list[float]:
    cfg = resolve_config("darts", space, "digits", {"supernet.channels_last": not naive})
    torch.manual_seed(0)
    model = build_supernet(cfg, 10)
    model.init_alphas("normal", 1e-3, None, torch.Generator().manual_seed(0))
    fmt = torch.channels_last if not naive else torch.contiguous_format
    model.to(memory_format=fmt)
    w_opt, a_opt = build_weight_optimizer(model, cfg), build_arch_optimizer(model, cfg)
    x, xv = (torch.randn(64, 3, 32, 32).contiguous(memory_format=fmt) for _ in range(2))
    y, yv = (torch.randint(0, 10, (64,)) for _ in range(2))
    times = []
    ctx = naive_mode() if naive else contextlib.nullcontext()
    with ctx:
        for i in range(warmup + iters):
            start = time.perf_counter()
            if naive:
                naive_iteration(model, w_opt, a_opt, x, y, xv, yv, cfg.optim.grad_clip)
            else:
                arch_step(model, a_opt, xv, yv, cfg.method, 0)
                weight_step(model, w_opt, x, y, cfg.optim, None)
            if i >= warmup:
                times.append(1000 * (time.perf_counter() - start))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--space", choices=["nb201", "darts", "both"], default="both")
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    spaces = ["nb201", "darts"] if args.space == "both" else [args.space]
    print(f"# {platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, batch 64, 32x32, {args.iters} timed iterations (median)")
    print("| supernet | dartsweep ms/iter | naive ms/iter | speed-up |")
    print("|---|---|---|---|")
    for space in spaces:
        fast = statistics.median(time_iterations(space, naive=False, iters=args.iters))
        slow = statistics.median(time_iterations(space, naive=True, iters=args.iters))
        label = "NB201 (C=16, N=5)" if space == "nb201" else "DARTS (C=16, 8 cells)"
        print(f"| {label} | {fast:.0f} | {slow:.0f} | {slow / fast:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
