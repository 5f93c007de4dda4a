"""User-facing errors of the command line (kept apart from ``cli`` so ``python -m harness.cli`` works)."""


class CliError(Exception):
    """A user-facing error: printed as one line without a traceback, exit status 2."""
