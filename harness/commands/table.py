"""``dartsweep table PATH``: mean ± std (or the best of N) over seeds of the final metrics, grouped by the swept
keys."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow as pa

from analysis.tables import FORMATS, RANK_BY, STATS, default_metrics, format_table, load_trials, summarise
from harness.errors import CliError
from harness.saved_sweep import load_sweep_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("table", help="mean ± std (or best of N) over seeds of a sweep's final metrics",
                       description="Group the finished trials of a sweep by KEYs (default: the sweep's grid and "
                       "zip keys except seeds and source trial ids) and print mean ± std over the rest (the seeds), "
                       "or with --stat best the best trial of each group.")
    p.add_argument("path", help="sweep directory (with trials.parquet) or a trials.parquet file")
    p.add_argument("--by", nargs="+", default=None, metavar="KEY", help="columns to group by")
    p.add_argument("--metrics", nargs="+", default=None, metavar="COL",
                   help="metric columns (default: val_acc, train_acc, n_skip, ... where present)")
    p.add_argument("--format", choices=FORMATS, default="md")
    p.add_argument("--digits", type=int, default=2)
    p.add_argument("--all", action="store_true", help="include trials that did not finish")
    p.add_argument("--stat", choices=STATS, default="mean",
                   help="mean: mean ± sample std per group (the papers' 'avg' rows); best: per group the trial with "
                   "the best --rank-by value and that trial's metrics (the papers' 'best of N runs')")
    p.add_argument("--rank-by", default=None, metavar="COL",
                   help=f"column that picks the best trial for --stat best (default: {RANK_BY} when present, else "
                   "the first metric)")
    p.add_argument("--artifact", default=None, metavar="KEY",
                   help="a paper table, e.g. em_darts/table1: PATH is then the results root, and the table is printed "
                   "beside the paper's numbers (and written as by `dartsweep report`)")
    p.set_defaults(func=run)


def default_by(path: str) -> list[str]:
    directory = Path(path) if Path(path).is_dir() else Path(path).parent
    try:
        sweep = load_sweep_dir(str(directory))
    except FileNotFoundError:
        return ["method"]
    return [k for k in sweep.swept_keys if not is_replicate(k)]


def is_replicate(key: str) -> bool:
    """Keys that tell repeats of one setting apart, so tables aggregate over them: ``seed`` and the seed and
    trial id a chained sweep records of its sources (``source.seed``, ``source``, ``source.source.seed``)."""
    parts = key.split(".")
    return parts[-1] == "seed" or all(p == "source" for p in parts)


def run(args: argparse.Namespace) -> int:
    if args.artifact:
        from harness.commands.report import render_artifact

        written = render_artifact(args.path, args.artifact, None, "table")
        print(next(p for p in written if p.suffix == ".md").read_text(encoding="utf-8"), end="")
        return 0
    try:
        trials = load_trials(args.path)
    except FileNotFoundError as err:
        raise CliError(str(err)) from None
    except (pa.ArrowException, OSError) as err:  # damaged, cut off, or not Parquet at all
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        path = Path(args.path) / "trials.parquet" if Path(args.path).is_dir() else Path(args.path)
        raise CliError(f"{path}: not a readable Parquet file ({first}); `dartsweep collect DIR` rebuilds "
                       "trials.parquet from the trials' own files") from None
    by = args.by if args.by is not None else default_by(args.path)
    metrics = args.metrics or default_metrics(trials)
    if not metrics:
        raise CliError("no metric columns to show (no trial finished?); pass --metrics COL ...")
    try:
        summary = summarise(trials, by, metrics, statuses=None if args.all else ("TERMINATED",), stat=args.stat,
                            rank_by=args.rank_by)
    except KeyError as err:
        raise CliError(str(err.args[0])) from None
    print(format_table(summary, by, metrics, args.format, args.digits), end="")
    if not args.all and "status" in trials:
        for _, row in trials[trials["status"] == "DIVERGED"].iterrows():
            print(f"not counted: {row.get('trial_id', '?')} DIVERGED ({row.get('error')})", file=sys.stderr)
    return 0
