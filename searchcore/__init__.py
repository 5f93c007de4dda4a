"""searchcore: supernets, search spaces, methods and the search loop of dartsweep.

This package never imports Ray: every trainable is a plain function ``fn(config: dict, reporter)``
so that it runs and tests without a cluster (see ``harness`` for the Ray side).
"""

__version__ = "0.1.0"
