"""EM-DARTS' weight step at p = 1 against p = 0 on the NB201 supernet (C=16, N=5, batch 64, 32x32).

EM-DARTS claims the mutation costs nothing: a mutated edge is one-hot, and the mixed op then computes
only the chosen op (reference-notes §9). In dartsweep a one-hot edge really computes one op, so p = 1
should be *cheaper* than p = 0 (one parametric op per edge instead of four candidates).

    python bench/em_mutation_cost.py [--iters 5] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from searchcore.methods.mutation import EdgeMutator
from searchcore.methods.resolve import resolve_config
from searchcore.search.loop import build_weight_optimizer
from searchcore.search.steps import weight_step
from searchcore.supernets import build_supernet


def time_weight_steps(p: float, iters: int, warmup: int = 1) -> list[float]:
    cfg = resolve_config("em-darts", "nb201", "digits")
    torch.manual_seed(0)
    model = build_supernet(cfg, 10)
    model.init_alphas("normal", 1e-3, None, torch.Generator().manual_seed(0))
    model.to(memory_format=torch.channels_last)
    opt = build_weight_optimizer(model, cfg)
    x = torch.randn(64, 3, 32, 32).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (64,))
    mutator = EdgeMutator(p, torch.Generator().manual_seed(0))
    times = []
    for i in range(warmup + iters):
        start = time.perf_counter()
        weight_step(model, opt, x, y, cfg.optim, mutator)
        if i >= warmup:
            times.append(1000 * (time.perf_counter() - start))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    p0 = statistics.median(time_weight_steps(0.0, args.iters))
    p1 = statistics.median(time_weight_steps(1.0, args.iters))
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads, {args.iters} timed weight steps (median)")
    print("| weight step, NB201 supernet | ms | ratio to p = 0 |")
    print("|---|---|---|")
    print(f"| p = 0 (mixed, every candidate) | {p0:.0f} | 1.00 |")
    print(f"| p = 1 (every edge mutated, one op each) | {p1:.0f} | {p1 / p0:.2f} |")


if __name__ == "__main__":
    main()
