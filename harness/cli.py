"""The ``dartsweep`` command line. Each sub-command lives in ``harness/commands/<name>.py`` and exposes
``register(subparsers)``; Ray is imported only inside the commands that need it, so ``search``,
``evaluate``, ``params``, ``spaces`` and ``nb201`` work without starting Ray.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from harness.errors import CliError

COMMAND_MODULES = (
    "spaces", "methods", "search", "params", "nb201", "select", "evaluate", "run", "resume", "collect", "table",
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
    except CliError as err:
        print(f"dartsweep {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `dartsweep spaces | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


__all__ = ["CliError", "build_parser", "main"]

if __name__ == "__main__":
    sys.exit(main())
