"""``resources.workers``: a trial on several data-parallel workers (Ray Train, ``harness.train_runner``).

Checked before anything starts, at the line of ``resources`` / ``--set resources.workers=...``: only a trainable
that can train data-parallel (``TrainableSpec.workers_problem``) takes more than one worker, and every trial's
config must split over them (``evaluate``: the global ``data.batch_size`` into equal shards of at least two).
``gpu`` with several workers is 0 or 1 (:class:`harness.sweepfile.model.Resources`).
"""

from __future__ import annotations

from harness.sweepfile.model import SweepFile, Trial
from harness.sweepfile.yaml_lines import Locator
from harness.trainables import TRAINABLES, TrainableSpec


def check_workers(spec_file: SweepFile, spec: TrainableSpec, trials: list[Trial], loc: Locator) -> None:
    workers = spec_file.resources.workers
    if workers == 1:
        return
    where = ("resources", "workers")
    if spec.workers_problem is None:
        able = ", ".join(name for name, other in TRAINABLES.items() if other.workers_problem is not None)
        raise loc.error(where, f"resources.workers: {workers}, but trainable {spec.name!r} trains in one process "
                        f"(data-parallel: {able}); drop workers")
    for trial in trials:
        problem = spec.workers_problem(trial.config, workers)
        if problem:
            raise loc.error(where, f"resources.workers: {workers}: {problem} (trial {trial.trial_id})")
