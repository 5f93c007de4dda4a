"""The ``dartsweep`` command line. Each sub-command lives in ``harness/commands/<name>.py`` and exposes
``register(subparsers)``; Ray is imported only inside the commands that need it, so ``search``,
``evaluate``, ``params``, ``spaces`` and ``nb201`` work without starting Ray.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import sys
import traceback

from harness.errors import CliError

COMMAND_MODULES = (
    "spaces", "methods", "search", "params", "nb201", "select", "evaluate", "run", "resume", "collect", "table",
    "stamp", "report", "plot",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dartsweep",
        description="Reproduce and sweep DARTS performance-collapse methods (searchcore + Ray Tune).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"harness.commands.{name}").register(sub)
    return parser


def user_error(err: BaseException) -> str | None:
    """The one-line message of an error in the user's input or environment, or None for anything else (a bug,
    which keeps its traceback). Known: :class:`CliError`; a data root without the data set's files; a batch
    file the restricted unpickler refuses; an operating-system error on a named file (missing, unreadable,
    a directory). Multi-line messages are joined: the error is always one line."""
    from searchcore.data import DataRootError
    from searchcore.data.safe_pickle import UnsafePickleError

    if isinstance(err, (CliError, DataRootError, UnsafePickleError)):
        message = str(err)
    elif isinstance(err, OSError) and err.filename is not None:
        names = f"{err.filename} -> {err.filename2}" if err.filename2 is not None else f"{err.filename}"
        message = f"{names}: {err.strerror or type(err).__name__}"
    else:
        return None
    return re.sub(r"\s*\n\s*", " ", message.strip())


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `dartsweep spaces | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as err:
        message = user_error(err)
        if message is None:
            raise  # a bug: its traceback is what a report needs
        if args.verbose:
            traceback.print_exc()
        print(f"dartsweep {args.command}: error: {message}", file=sys.stderr)
        return 2


__all__ = ["CliError", "build_parser", "main", "user_error"]

if __name__ == "__main__":
    sys.exit(main())
