"""``dartsweep plot``: one sweep's curves (a metric per epoch, or a final metric against a swept value), or one
paper figure (``--artifact``), as PNG or PDF with 95% confidence bands over seeds (analysis/plots.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pyarrow as pa

from analysis.plots import ablation, curves
from harness.commands.report import render_artifact
from harness.commands.table import default_by
from harness.errors import CliError

DEFAULT_METRICS = ("nb201_cifar10_test", "test_acc", "val_acc")
"""What a plot shows unless --metric says: the derived cell's NB201 accuracy, else test, else validation accuracy."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="plot a sweep's metric per epoch or against a swept value, or one paper figure",
                       description="Without --x: METRIC per epoch (epochs.parquet), one line per group of --by "
                       "(default: the sweep's swept keys except seeds), a band of the 95%% confidence interval over "
                       "seeds: the collapse curves. With --x KEY: the final METRIC (trials.parquet) against the swept "
                       "KEY, with 95%% CI error bars. With --artifact KEY: PATH is a results root and the paper figure "
                       "KEY (docs/reproduce.md) is rendered as by `dartsweep report`.")
    p.add_argument("path", help="sweep directory (with trials.parquet / epochs.parquet); with --artifact, the results "
                   "root")
    p.add_argument("--metric", default=None, metavar="COL",
                   help=f"column to plot (default: the first of {', '.join(DEFAULT_METRICS)} present)")
    p.add_argument("--x", default=None, metavar="KEY", help="plot the final metric against this swept key")
    p.add_argument("--by", nargs="*", default=None, metavar="KEY",
                   help="one line per group of these columns (given without KEYs: one line over all trials)")
    p.add_argument("--all", action="store_true", help="include trials that did not finish")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="image file, .png or .pdf (default: PATH/plots/<metric>_per_<x>.png); with --artifact, the "
                   "output folder (default: PATH/report)")
    p.add_argument("--artifact", default=None, metavar="KEY", help="a paper figure, e.g. em_darts/figure3a")
    p.set_defaults(func=run)


def _read(path: Path, what: str) -> pd.DataFrame:
    file = path / what
    if not file.exists():
        raise CliError(f"{file} not found; `dartsweep collect {path}` rebuilds it from the trials' outputs")
    try:
        return pd.read_parquet(file)
    except (pa.ArrowException, OSError) as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise CliError(f"{file}: not a readable Parquet file ({first})") from None


def run(args: argparse.Namespace) -> int:
    if args.artifact:
        for path in render_artifact(args.path, args.artifact, Path(args.out) if args.out else None, "figure"):
            print(path)
        return 0
    path = Path(args.path)
    if not path.is_dir():
        raise CliError(f"{path}: not a sweep directory (the <storage>/<name> of `dartsweep run`)")
    if args.out and Path(args.out).suffix not in (".png", ".pdf"):
        raise CliError(f"--out {args.out}: expected a .png or .pdf file")
    trials = _read(path, "trials.parquet")
    if not args.all and "status" in trials:
        trials = trials[trials["status"] == "TERMINATED"]
    frame = trials if args.x else _read(path, "epochs.parquet")
    if not args.x and "trial_id" in trials and "trial_id" in frame:
        frame = frame[frame["trial_id"].isin(trials["trial_id"])]
        keys = [k for k in trials.columns if k not in frame.columns or k == "trial_id"]
        frame = frame.merge(trials[keys], on="trial_id", how="left")  # the swept keys, to group by
    metric = args.metric or next((m for m in DEFAULT_METRICS if m in frame and frame[m].notna().any()), None)
    if metric is None:
        raise CliError(f"none of {', '.join(DEFAULT_METRICS)} in the results; pass --metric COL")
    by = args.by if args.by is not None else [k for k in default_by(str(path)) if k != args.x and k in frame]
    try:
        fig = ablation(frame, args.x, metric, by) if args.x else curves(frame, metric, by)
    except KeyError as err:
        raise CliError(str(err.args[0])) from None
    out = Path(args.out) if args.out else path / "plots" / f"{metric}_per_{args.x or 'epoch'}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    print(out)
    return 0
