"""``dartsweep table PATH``: mean ± std over seeds of the final metrics, grouped by the swept keys."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.tables import FORMATS, default_metrics, format_table, load_trials, summarise
from harness.errors import CliError
from harness.saved_sweep import load_sweep_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("table", help="mean ± std over seeds of a sweep's final metrics",
                       description="Group the finished trials of a sweep by KEYs (default: the sweep's grid and "
                       "zip keys except seed) and print mean ± std over the rest (the seeds).")
    p.add_argument("path", help="sweep directory (with trials.parquet) or a trials.parquet file")
    p.add_argument("--by", nargs="+", default=None, metavar="KEY", help="columns to group by")
    p.add_argument("--metrics", nargs="+", default=None, metavar="COL",
                   help="metric columns (default: val_acc, train_acc, n_skip, ... where present)")
    p.add_argument("--format", choices=FORMATS, default="md")
    p.add_argument("--digits", type=int, default=2)
    p.add_argument("--all", action="store_true", help="include trials that did not finish")
    p.set_defaults(func=run)


def default_by(path: str) -> list[str]:
    directory = Path(path) if Path(path).is_dir() else Path(path).parent
    try:
        sweep = load_sweep_dir(str(directory))
    except FileNotFoundError:
        return ["method"]
    return [k for k in sweep.swept_keys if k != "seed"]


def run(args: argparse.Namespace) -> int:
    try:
        trials = load_trials(args.path)
    except FileNotFoundError as err:
        raise CliError(str(err)) from None
    by = args.by if args.by is not None else default_by(args.path)
    metrics = args.metrics or default_metrics(trials)
    if not metrics:
        raise CliError("no metric columns to show (no trial finished?); pass --metrics COL ...")
    try:
        summary = summarise(trials, by, metrics, statuses=None if args.all else ("TERMINATED",))
    except KeyError as err:
        raise CliError(str(err.args[0])) from None
    print(format_table(summary, by, metrics, args.format, args.digits), end="")
    return 0
