"""User-facing errors of the command line (kept apart from ``cli`` so ``python -m harness.cli`` works, and
so every harness module can raise them without importing the CLI)."""


class CliError(Exception):
    """A user-facing error: printed as one line without a traceback, exit status 2."""


class SweepError(CliError):
    """An invalid sweep file: one line with file:line, the key and what is allowed."""
