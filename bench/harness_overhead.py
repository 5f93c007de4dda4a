"""Seconds the Ray Tune harness adds per trial: the same short searches run directly and as a sweep.

Direct: ``search_trainable(config, NullReporter())`` in this (warm) process, one trial after another.
Harness: the same expanded trial configs through ``harness.tune_runner`` on an embedded local Ray, one
trial at a time (``max_concurrent: 1``, 1 CPU each), with everything ``dartsweep run`` does: Ray start,
trial actors, a checkpoint per epoch persisted by ``tune.report``, the trial-side ``metrics.jsonl``, Parquet.

    python bench/harness_overhead.py [--trials 4] [--epochs 3] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path

import torch

from harness import tune_runner
from harness.layout import STATUS_FILE
from harness.parquet import collect
from harness.provenance import provenance
from harness.saved_sweep import save_sweep
from harness.storage import join
from harness.sweepfile.load import load_sweep
from searchcore.search import NullReporter, search_trainable

HEADING = "## Harness overhead"
SET = {"supernet.channels": 8, "supernet.cells_per_stage": 1, "data.batch_size": 32,
       "data.limit_train_images": 256, "data.max_batches": 4, "data.eval_batches": 2, "threads": 1}


def sweep_yaml(trials: int, epochs: int, storage: str) -> str:
    fixed = ", ".join(f"{k}: {v}" for k, v in SET.items())
    return (f"name: overhead\nspace: nb201\ndataset: digits\nepochs: {epochs}\nset: {{{fixed}}}\n"
            f"grid:\n  seed: {list(range(trials))}\nmax_concurrent: 1\nresources: {{cpu: 1}}\nstorage: {storage}\n")


def run_direct(configs: list[dict]) -> list[float]:
    search_trainable(configs[0], NullReporter())  # warm-up: imports, first-call allocations
    times = []
    for config in configs:
        start = time.perf_counter()
        search_trainable(config, NullReporter())
        times.append(time.perf_counter() - start)
    return times


def run_harness(sweep) -> dict[str, float]:
    exp = join(sweep.spec.storage, sweep.spec.name)
    t0 = time.perf_counter()
    session = tune_runner.connect(None, num_cpus=2)
    t1 = time.perf_counter()
    save_sweep(sweep, exp, provenance())
    tune_runner.fit(sweep, exp, echo=lambda line: None)
    t2 = time.perf_counter()
    collect(exp, sweep)
    t3 = time.perf_counter()
    session.close()
    t4 = time.perf_counter()
    in_trial = [json.loads(Path(exp, t.trial_id, STATUS_FILE).read_text())["wall_seconds"] for t in sweep.trials]
    return {"ray_start": t1 - t0, "fit": t2 - t1, "collect": t3 - t2, "ray_stop": t4 - t3, "total": t4 - t0,
            "in_trial": statistics.mean(in_trial)}


def table(direct: list[float], h: dict[str, float], trials: int, epochs: int) -> str:
    n, d = trials, statistics.mean(direct)
    per_trial_fit = h["fit"] / n
    rows = [
        ("trial run directly (search_trainable + NullReporter)", d, 1.0),
        ("trial inside Ray (trainable's own wall time: + Tune reporter, checkpoints, metrics.jsonl)",
         h["in_trial"], h["in_trial"] / d),
        ("trial through the harness (Tuner.fit / trials: + actor start, scheduling)", per_trial_fit,
         per_trial_fit / d),
        ("whole `dartsweep run` / trials (+ Ray start/stop, Parquet)", h["total"] / n, h["total"] / n / d),
    ]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.node()} ({platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, torch {torch.__version__}, ray {provenance()['versions']['ray']}, CPU only) with "
        f"`python bench/harness_overhead.py --trials {trials} --epochs {epochs}`: {n} NB201 trials of {epochs} "
        f"epochs (C=8, 1 cell/stage, 4 iterations/epoch, batch 32, 1 thread) on the embedded digits data, "
        "one at a time.",
        "",
        "| per trial | seconds | × direct |",
        "|---|---|---|",
        *[f"| {name} | {sec:.2f} | {ratio:.2f} |" for name, sec, ratio in rows],
        "",
        f"Overhead per trial: **{per_trial_fit - d:.2f} s** inside `Tuner.fit`, of which {h['in_trial'] - d:.2f} s "
        "inside the trial (Tune's report handshake and copying each epoch's checkpoint to storage) and the rest "
        f"scheduling plus the trial actor's start ({h['fit'] - n * h['in_trial']:.1f} s for the whole sweep: a "
        "process importing torch and searchcore; actors are reused for later trials with the same resources); "
        f"**{h['total'] / n - d:.2f} s** counting Ray's start ({h['ray_start']:.1f} s) and stop "
        f"({h['ray_stop']:.1f} s) and the Parquet files ({h['collect']:.2f} s) once per sweep. For real "
        "searches (minutes to hours per trial) that is a few seconds per trial plus a fraction of a second "
        "per epoch.",
    ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, body: str) -> None:
    """Replaces only this benchmark's section (others' sections in the file are kept)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    section = f"{HEADING}\n\n{body}"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--trials", type=int, default=4)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--write", type=Path, default=None, help="update the '## Harness overhead' section of this file")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="dartsweep-bench-") as tmp:
        path = Path(tmp, "overhead.yaml")
        path.write_text(sweep_yaml(args.trials, args.epochs, str(Path(tmp, "results"))))
        sweep = load_sweep(path)
        torch.set_num_threads(1)
        direct = run_direct([t.config for t in sweep.trials])
        harness = run_harness(sweep)
    body = table(direct, harness, args.trials, args.epochs)
    print(body)
    if args.write:
        write_section(args.write, body)
        print(f"wrote the '{HEADING}' section of {args.write}")


if __name__ == "__main__":
    main()
