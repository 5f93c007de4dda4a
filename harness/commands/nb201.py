"""``dartsweep nb201``: build the NAS-Bench-201 ground-truth table and query it (docs/nb201.md).

* ``dartsweep nb201 import OFFICIAL_FILE --out TABLE.parquet``: official NB201 ``.pth`` / NATS-Bench tss
  to the compact table (hp='200', mean over seeds); run once, offline.
* ``dartsweep nb201 query ARCH_OR_INDEX [--table PATH]``: one JSON object on stdout. PATH is our Parquet
  table or the shared CSV; it defaults to ``$DARTSWEEP_NB201_TABLE``.
"""

from __future__ import annotations

import argparse
import json
import math

from harness.errors import CliError

TABLE_ENV = "DARTSWEEP_NB201_TABLE"  # = searchcore.nb201.table.TABLE_ENV; pandas is imported only when run


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("nb201", help="NAS-Bench-201 ground truth: import the official file, query the table")
    nb = p.add_subparsers(dest="nb201_command", required=True, metavar="ACTION")

    imp = nb.add_parser("import", help="convert an official NB201 .pth or NATS-Bench tss file into a table")
    imp.add_argument("official_file", help="NAS-Bench-201-v1_[01]-*.pth, or a NATS-tss file or directory")
    imp.add_argument("--out", required=True, help="where to write the table (.parquet)")
    imp.add_argument("--kind", choices=("auto", "nb201", "nats-tss"), default="auto",
                     help="benchmark format (default: from the file name)")
    imp.add_argument("--trust-pickle", action="store_true",
                     help="allow a full unpickle of the file (only for files from the official source)")
    imp.set_defaults(func=run_import)

    q = nb.add_parser("query", help="print one architecture's row as JSON")
    q.add_argument("arch_or_index", help="official arch string |op~0|+|op~0|op~1|+|...| or an index 0..15624")
    q.add_argument("--table", default=None,
                   help=f"our .parquet table or the shared nb201_200ep.csv (default: ${TABLE_ENV})")
    q.set_defaults(func=run_query)


def run_import(args: argparse.Namespace) -> int:
    from searchcore.nb201 import import_official
    from searchcore.nb201.official import OfficialFileError

    if not str(args.out).endswith(".parquet"):
        raise CliError(f"--out must end in .parquet, got {args.out!r}")
    try:
        table = import_official(args.official_file, args.out, kind=args.kind, trust_pickle=args.trust_pickle)
    except (FileNotFoundError, OfficialFileError) as err:
        raise CliError(str(err)) from None
    print(f"wrote {len(table)} architectures to {args.out}")
    return 0


def run_query(args: argparse.Namespace) -> int:
    from searchcore.nb201 import NB201Table, default_table_path

    path = args.table or default_table_path()
    if path is None:
        raise CliError(f"no NB201 table: pass --table PATH (.parquet or the shared CSV) or set ${TABLE_ENV}")
    try:
        table = NB201Table.load(path)
    except (FileNotFoundError, ValueError) as err:
        raise CliError(str(err)) from None
    try:
        record = table.query(args.arch_or_index)
    except (KeyError, ValueError) as err:
        raise CliError(str(err.args[0]) if err.args else str(err)) from None
    clean = {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in record.items()}
    print(json.dumps(clean, allow_nan=False))
    return 0
