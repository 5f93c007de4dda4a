"""``dartsweep collect PATH``: rebuild ``epochs.parquet`` and ``trials.parquet`` from the trials' outputs.

Reads only what dartsweep wrote (``trials.json`` and each trial's ``metrics.jsonl`` / ``status.json``),
not Ray's internals; idempotent, one row per (trial, epoch) — the latest when a resumed trial repeated one.
"""

from __future__ import annotations

import argparse

from harness.commands.run import print_summary
from harness.errors import CliError
from harness.parquet import collect
from harness.storage import check_uri


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("collect", help="rebuild a sweep's Parquet files from its trials' outputs")
    p.add_argument("path", help="the sweep directory, e.g. results/quickstart")
    p.add_argument("--quiet", action="store_true", help="print only the file paths")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        epochs_path, trials_path, trials = collect(check_uri(args.path))
    except FileNotFoundError as err:
        raise CliError(str(err)) from None
    if not args.quiet:
        print_summary(trials)
    print(f"{trials_path} ({len(trials)} trials)\n{epochs_path}")
    return 0
