"""The search loop, its checkpoints and reporters."""

from searchcore.search.loop import SearchRun, search_trainable
from searchcore.search.reporter import LocalReporter, NullReporter, Reporter

__all__ = ["SearchRun", "search_trainable", "Reporter", "LocalReporter", "NullReporter"]
