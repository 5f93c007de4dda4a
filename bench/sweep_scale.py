"""Sweeps of many tiny trials (issue 13.11): driver memory, scheduling overhead and files written per trial.

1. Validation: ``dartsweep run SWEEP --dry-run`` of a 1-trial and a 10,000-trial grid, each in its own process;
   peak resident memory (``ru_maxrss``) and wall time. The difference is what the trials cost.
2. A sweep of ``--trials`` tiny trials on the embedded local Ray, driven from a child process (so its
   ``ru_maxrss`` is the driver's alone): each trial is the ``noop`` trainable below (``--epochs`` reports, a
   one-file checkpoint each, no torch), configs validated as ``search`` configs. Reported: driver peak memory,
   ``Tuner.fit`` seconds per trial beyond the trials' own time, and the files (and directories) written under the
   sweep's storage directory and under Ray's session directory, per trial, with Tune's loggers as configured by the
   sweep's ``tune_loggers`` (``--loggers``).

    python -m bench.sweep_scale [--trials 1000] [--epochs 2] [--loggers csv,json,tensorboard] \
        [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEADING = "## Sweep scale"


def noop_trainable(config: dict, reporter) -> dict:
    """``epochs`` reports, each with a one-file checkpoint: what Tune persists per epoch, without training."""
    for epoch in range(1, config["epochs"] + 1):
        with tempfile.TemporaryDirectory() as ckpt:
            Path(ckpt, "state.json").write_text(json.dumps({"epoch": epoch}))
            reporter.report({"epoch": epoch, "epochs": config["epochs"], "val_acc": float(epoch)}, ckpt)
    return {"epoch": config["epochs"]}


def register_noop() -> None:
    from harness.trainables import TRAINABLES, TrainableSpec

    if "noop" not in TRAINABLES:
        search = TRAINABLES.get("search")
        TRAINABLES.register("noop", TrainableSpec("noop", "bench.sweep_scale:noop_trainable", search.resolve,
                                                  search.keys, search.model, path_keys=search.path_keys))


def grid_yaml(name: str, seeds: int, lrs: int, storage: str, trainable: str = "search", epochs: int = 2,
              extra: str = "") -> str:
    lr = [round(0.001 * (i + 1), 4) for i in range(lrs)]
    return (f"name: {name}\ntrainable: {trainable}\nspace: nb201\ndataset: digits\nepochs: {epochs}\n"
            f"grid:\n  optim.lr: {lr}\n  seed: {list(range(seeds))}\nstorage: {storage}\n{extra}")


# ---------------------------------------------------------------- 1. validation memory


def dry_run(path: Path) -> dict[str, float]:
    """``dartsweep run PATH --dry-run`` in a child process: its peak RSS (MB) and wall seconds."""
    code = ("import resource, sys, time, io, contextlib\nfrom harness.cli import main\nt = time.time()\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    rc = main(['run', sys.argv[1], '--dry-run'])\n"
            "print(rc, time.time() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == "0", out
    return {"seconds": float(out[1]), "rss_mb": float(out[2])}


def validation(tmp: Path) -> dict[str, dict[str, float]]:
    one, many = tmp / "one.yaml", tmp / "many.yaml"
    one.write_text(grid_yaml("one", 1, 1, str(tmp / "results")))
    many.write_text(grid_yaml("many", 100, 100, str(tmp / "results")))
    return {"1": dry_run(one), "10000": dry_run(many)}


# ---------------------------------------------------------------- 2. a sweep of tiny trials (child process)


def count(root: Path) -> tuple[int, int]:
    """(files, directories) under ``root``."""
    files = dirs = 0
    for _, dirnames, filenames in os.walk(root):
        files += len(filenames)
        dirs += len(dirnames)
    return files, dirs


def child(trials: int, epochs: int, loggers: str, storage: str) -> dict:
    import ray

    from harness import tune_runner
    from harness.layout import STATUS_FILE
    from harness.parquet import collect
    from harness.provenance import provenance
    from harness.saved_sweep import save_sweep
    from harness.sweepfile.load import load_sweep

    register_noop()
    seeds = max(1, trials // 10)
    path = Path(storage, "scale.yaml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(grid_yaml("scale", seeds, trials // seeds, storage, "noop", epochs,
                              f"tune_loggers: [{'' if loggers == 'none' else loggers}]\n" if loggers else ""))
    t0 = time.perf_counter()
    sweep = load_sweep(path)
    t1 = time.perf_counter()
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    session = tune_runner.connect(None, num_cpus=2)
    session_dir = Path(ray._private.worker._global_node.get_session_dir_path())
    session_before = count(session_dir)
    exp = Path(storage, sweep.spec.name)
    save_sweep(sweep, str(exp), provenance())
    t2 = time.perf_counter()
    statuses = tune_runner.fit(sweep, str(exp), echo=lambda line: None)
    t3 = time.perf_counter()
    collect(str(exp), sweep)
    t4 = time.perf_counter()
    session_after = count(session_dir)
    in_trial = sum(json.loads(Path(exp, t.trial_id, STATUS_FILE).read_text())["wall_seconds"] for t in sweep.trials)
    session.close()
    storage_files = count(exp)
    return {"trials": len(sweep.trials), "terminated": sum(s == "TERMINATED" for s in statuses.values()),
            "validate_s": t1 - t0, "fit_s": t3 - t2, "collect_s": t4 - t3, "in_trial_s": in_trial,
            "rss_loaded_mb": rss_loaded, "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "storage_files": storage_files, "session_files": [a - b for a, b in zip(session_after, session_before)],
            "trial_dir": sorted(p.name for p in next(p for p in exp.iterdir() if p.name.startswith("t0")).iterdir())}


def run_child(trials: int, epochs: int, loggers: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="dartsweep-scale-") as tmp:
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
        env.pop("RAY_ADDRESS", None)
        out = subprocess.run([sys.executable, "-m", "bench.sweep_scale", "--child", "--trials", str(trials),
                              "--epochs", str(epochs), "--loggers", loggers, "--storage", tmp], cwd=REPO, env=env,
                             capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(out.stderr[-3000:])
        return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- report


def table(val: dict, runs: dict[str, dict], epochs: int) -> str:
    one, many = val["1"], val["10000"]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs) "
        "with `python -m bench.sweep_scale`.",
        "",
        "**Validation** (`dartsweep run SWEEP --dry-run`, own process, peak RSS):",
        "",
        "| grid | peak RSS (MB) | seconds |",
        "|---|---|---|",
        f"| 1 trial | {one['rss_mb']:.0f} | {one['seconds']:.1f} |",
        f"| 10,000 trials (100 lr × 100 seeds) | {many['rss_mb']:.0f} | {many['seconds']:.1f} |",
        "",
        f"**Sweeps of tiny trials** on the embedded local Ray (2 CPUs, 2 trials at once, {epochs} reports each "
        "with a one-file checkpoint, `keep_checkpoints: 2`):",
        "",
        "| Tune loggers | trials | driver peak RSS (MB) | fit s / trial | of which scheduling s / trial | "
        "files (dirs) / trial in storage | files (dirs) / trial in Ray's session dir |",
        "|---|---|---|---|---|---|---|",
    ]
    for loggers, r in runs.items():
        n = r["trials"]
        sched = (r["fit_s"] - r["in_trial_s"] / 2) / n  # two trials at once
        (sf, sd), (rf, rd) = r["storage_files"], r["session_files"]
        lines.append(f"| {loggers or 'default'} | {n} | {r['rss_peak_mb']:.0f} | {r['fit_s'] / n:.3f} | {sched:.3f} | "
                     f"{sf / n:.1f} ({sd / n:.1f}) | {rf / n:.2f} ({rd / n:.2f}) |")
    lines += ["", "A trial directory: " + ", ".join(f"`{f}`" for f in next(iter(runs.values()))["trial_dir"]) + "."]
    return "\n".join(lines) + "\n"


def write_section(path: Path, body: str) -> None:
    """Replaces only this benchmark's section (others' sections in the file are kept)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    section = f"{HEADING}\n\n{body}"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: section + "\n", text, count=1) if pattern.search(text) else \
        text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--trials", type=int, default=1000)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--loggers", action="append", default=None,
                   help="tune_loggers of the sweep, comma-separated (repeat to compare; '' = the default, "
                   "'none' = [])")
    p.add_argument("--skip-validation", action="store_true")
    p.add_argument("--write", type=Path, default=None)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--storage", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.trials, args.epochs, (args.loggers or [""])[0], args.storage)))
        return
    with tempfile.TemporaryDirectory(prefix="dartsweep-scale-") as tmp:
        val = {"1": {"rss_mb": 0, "seconds": 0}, "10000": {"rss_mb": 0, "seconds": 0}} if args.skip_validation \
            else validation(Path(tmp))
    print("validation", json.dumps(val))
    runs = {}
    for loggers in args.loggers or [""]:
        runs[loggers] = run_child(args.trials, args.epochs, loggers)
        print(loggers or "default", json.dumps(runs[loggers]), flush=True)
    body = table(val, runs, args.epochs)
    print(body)
    if args.write:
        write_section(args.write, body)


if __name__ == "__main__":
    main()
