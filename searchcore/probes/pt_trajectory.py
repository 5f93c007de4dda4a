"""``pt_trajectory``: DARTS-PT's selection run on snapshots of the supernet during the search.

DARTS-PT (001_… §5.2, Figure 4; App. A.6, Figure 8) plots, against the search epoch, the NB201 test accuracy of
the cell α selects and of the cell perturbation-based selection (PT) extracts from the snapshot of the same
supernet at that epoch. The first is every search's ``nb201_*`` columns; this probe adds the second. At
:data:`SNAPSHOTS` evenly spaced epochs (and the last), it writes the supernet as it stands to a temporary
checkpoint and runs the whole selection on a copy (``searchcore.trainables.select.PTRun``, the defaults of
``SelectConfig``: the paper's 5 tuning epochs between decisions; candidates scored on the α split as the search
evaluates it, ``data.eval_batches``: all of it by default, as the paper), ``pt`` on a
supernet whose α trains, ``pt-fix-alpha`` on one with α fixed (Figure 8); the search itself is left untouched
(its RNG state is restored afterwards). Columns: ``pt_arch`` and ``pt_<metric>`` for the selected cell's
architecture metrics (``pt_nb201_cifar10_test`` ... with an NB201 table); the epochs in between report
``pt_arch`` None and NaN.

Cost: one selection per snapshot (001_… NB201: 25 tuning epochs and 30 scorings of the α split each), so the
figure's searches take several times a plain search (docs/reproduce.md).
"""

from __future__ import annotations

import math
import tempfile
from typing import Any

from searchcore.probes import ProbeSpec, register_probe

SNAPSHOTS = 10
"""Snapshots per search: every ``epochs // 10`` epochs (10, 20, ..., 100 for DARTS-PT's 100-epoch NB201 search,
exp_scripts/darts-201.sh). The paper prints no list of its snapshot epochs; the figure draws a trajectory."""
RULES = {True: "pt", False: "pt-fix-alpha"}
"""The selection rule by whether the supernet trains α: DARTS+PT (Figure 4) or DARTS+PT (fix α) (Figure 8)."""
PREFIX = "pt_"


class PTTrajectory:
    def __init__(self, run, cfg) -> None:
        self.run = run
        self.every = max(1, run.cfg.epochs // SNAPSHOTS)
        self.keys: list[str] = []

    def snapshot_due(self, epoch: int) -> bool:
        """Whether the epoch just finished (1-based) is a snapshot."""
        return epoch % self.every == 0 or epoch == self.run.cfg.epochs

    def select(self) -> dict[str, Any]:
        """PT on the supernet as it stands now: the final row of a selection run (its architecture metrics)."""
        # imported late: the search loop imports the probes, and the selection trainable rebuilds a search run
        from searchcore.config import to_yaml
        from searchcore.search.checkpoint import rng_state, save_checkpoint, set_rng_state
        from searchcore.selection.select_config import SelectConfig
        from searchcore.trainables.select import PTRun

        run = self.run
        saved = rng_state()
        try:
            with tempfile.TemporaryDirectory(prefix="dartsweep-pt-snapshot-") as tmp:
                state = run.state()
                state["epoch"] = run.epoch + 1  # the snapshot a checkpoint of this epoch would hold
                save_checkpoint(tmp, state, to_yaml(run.cfg))
                scfg = SelectConfig(checkpoint=tmp, rule=RULES[run.trains_alpha], eval_after_tune=False,
                                    eval_batches=run.cfg.data.eval_batches, search={"probes.names": []})
                return PTRun(scfg, data=run.data).run_all()
        finally:
            set_rng_state(saved)

    def epoch_metrics(self) -> dict[str, Any]:
        if not self.snapshot_due(self.run.epoch + 1):
            return {f"{PREFIX}arch": None, **{k: math.nan for k in self.keys}}
        final = self.select()
        metrics = {f"{PREFIX}{k}": v for k, v in final.items() if k.startswith("nb201_")}
        self.keys = sorted(metrics)
        return {f"{PREFIX}arch": final.get("arch"), **metrics}


register_probe(ProbeSpec("pt_trajectory", PTTrajectory,
                         "DARTS-PT's selection (pt, or pt-fix-alpha when α is fixed) on 10 snapshots of the supernet: "
                         "pt_arch and pt_nb201_* (DARTS-PT 001_… Figures 4 and 8)"))
