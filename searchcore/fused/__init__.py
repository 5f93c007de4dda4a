"""Several seeds of one search as one fused model (``seeds_per_trial``): stacked replicas trained by ``vmap``."""

from searchcore.fused.run import FusedSearchRun, NullFusedReporter, fused_search_trainable, fusion_problem

__all__ = ["FusedSearchRun", "NullFusedReporter", "fused_search_trainable", "fusion_problem"]
