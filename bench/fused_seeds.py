"""Seed-iterations per second of K seeds fused into one model vs K separate processes sharing the same cores.

A search iteration is first-order DARTS' α step + weight step on NB201 (``darts`` preset, digits data). For each
width and K in (1, 2, 4, 8):

* fused: one process, ``FusedSearchRun`` over seeds 0..K-1, all cores (``--threads``);
* separate: K processes started together, each one ``SearchRun`` with cores // K threads (at least 1); each builds
  its run, then all start timing at once (a barrier file), and the slowest one's time counts.

Each run times ``--iters`` iterations after one warm-up iteration and reports its peak RSS (the memory a fused
replica adds on CPU; on a GPU the same number is what limits K, docs/benchmarks.md).

    python bench/fused_seeds.py [--iters 4] [--threads 2] [--widths reduced,full] [--ks 1,2,4,8]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WIDTHS = {
    "reduced": {"supernet.channels": 8, "supernet.cells_per_stage": 1, "data.batch_size": 32},
    "full": {"supernet.channels": 16, "supernet.cells_per_stage": 5, "data.batch_size": 64},
}
"""reduced: the quick start's supernet (sweeps/quickstart.yaml); full: NAS-Bench-201's search supernet at its batch
size (AutoDL DARTS-V1 config)."""


def _config(width: str, seed: int, iters: int, threads: int):
    from searchcore.methods.resolve import resolve_config

    images = 2 * (iters + 1) * WIDTHS[width]["data.batch_size"]
    over = {**WIDTHS[width], "epochs": 1, "data.limit_train_images": images, "data.max_batches": iters + 1,
            "data.eval_batches": 1, "threads": threads, "seed": seed}
    return resolve_config("darts", "nb201", "digits", over)


def _wait(barrier: Path | None) -> None:
    if barrier is None:
        return
    (barrier.parent / f"ready-{os.getpid()}").touch()
    while not barrier.exists():
        time.sleep(0.01)


def worker(args: argparse.Namespace) -> None:
    """One measured process: a fused run of ``--k`` seeds, or one seed alone (``--seed``)."""
    import torch

    from searchcore.fused import FusedSearchRun
    from searchcore.fused.steps import fused_arch_step, fused_weight_step
    from searchcore.search import SearchRun

    barrier = Path(args.barrier) if args.barrier else None
    if args.k:
        run = FusedSearchRun([_config(args.width, s, args.iters, args.threads) for s in range(args.k)])
        batches = [r.iteration_batches(0)[0] for r in run.runs]
        seeds = args.k

        def step(items):
            xs = torch.stack([x for x, _, _ in items])
            ys = torch.stack([y for _, y, _ in items])
            xv = torch.stack([v[0] for _, _, v in items])
            yv = torch.stack([v[1] for _, _, v in items])
            fused_arch_step(run.stack, run.net, [r.a_opt for r in run.runs], xv, yv, run.cfg.method, 0)
            fused_weight_step(run.stack, run.net, [r.w_opt for r in run.runs], xs, ys, run.cfg.optim,
                              [None] * args.k)

        stream = zip(*batches)
    else:
        alone = SearchRun(_config(args.width, args.seed, args.iters, args.threads))
        seeds = 1
        a_stats, w_stats = [], []

        def step(item):
            x, y, val = item
            alone._iteration(x, y, val, 0, None, alone.a_opt, w_stats, a_stats)

        stream = alone.iteration_batches(0)[0]
    step(next(stream))  # warm-up
    _wait(barrier)
    start = time.perf_counter()
    for _ in range(args.iters):
        step(next(stream))
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "iterations": args.iters, "seeds": seeds, "peak_rss_mb": peak_mb}))


def _launch(width: str, iters: int, threads: int, k: int = 0, seed: int = 0, barrier: str = "") -> subprocess.Popen:
    cmd = [sys.executable, __file__, "--worker", "--width", width, "--iters", str(iters), "--threads", str(threads)]
    cmd += ["--k", str(k)] if k else ["--seed", str(seed)]
    if barrier:
        cmd += ["--barrier", barrier]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})


def _result(proc: subprocess.Popen) -> dict:
    out, _ = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"worker failed ({proc.args})")
    return json.loads(out.strip().splitlines()[-1])


def separate(width: str, k: int, iters: int, cores: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        barrier = Path(tmp) / "go"
        procs = [_launch(width, iters, max(1, cores // k), seed=s, barrier=str(barrier)) for s in range(k)]
        while len(list(Path(tmp).glob("ready-*"))) < k:
            if any(p.poll() not in (None, 0) for p in procs):
                raise SystemExit("a separate worker failed")
            time.sleep(0.05)
        barrier.touch()
        results = [_result(p) for p in procs]
    return {"seconds": max(r["seconds"] for r in results), "peak_rss_mb": sum(r["peak_rss_mb"] for r in results)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--iters", type=int, default=4)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="cores the fused run uses and the "
                   "separate processes share")
    p.add_argument("--widths", default="reduced,full")
    p.add_argument("--ks", default="1,2,4,8")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--width", default="reduced", help=argparse.SUPPRESS)
    p.add_argument("--k", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--barrier", default="", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args)
        return
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
          f"{args.iters} timed iterations, {args.threads} threads")
    print("| width | K | fused seed-it/s | separate seed-it/s | fused / separate | fused peak RSS MB | "
          "separate peak RSS MB (sum) |")
    print("|---|---|---|---|---|---|---|")
    for width in args.widths.split(","):
        for k in (int(v) for v in args.ks.split(",")):
            fused = _result(_launch(width, args.iters, args.threads, k=k))
            alone = separate(width, k, args.iters, args.threads)
            f_rate = k * args.iters / fused["seconds"]
            s_rate = k * args.iters / alone["seconds"]
            print(f"| {width} | {k} | {f_rate:.2f} | {s_rate:.2f} | {f_rate / s_rate:.2f} | "
                  f"{fused['peak_rss_mb']:.0f} | {alone['peak_rss_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
