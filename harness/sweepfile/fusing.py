"""``seeds_per_trial: K``: which trials of a sweep run together as one fused trial, and whether they may.

Trials that differ only in their ``seed`` are grouped in expansion order and cut into groups of K (the last may
be smaller). A group is one Ray Tune trial (its directory holds the group's checkpoints); each member keeps its
own trial id, directory, ``metrics.jsonl`` and status, so tables and chained sweeps see per-seed trials exactly
as without fusing, plus a ``fused_trial`` column naming the group.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from harness.sweepfile.model import SweepFile, Trial
from harness.sweepfile.yaml_lines import Locator
from harness.trainables import TRAINABLES, TrainableSpec

FUSED_KEY = "seed"
"""The axis that ``seeds_per_trial`` folds."""


@dataclass(frozen=True)
class FusedGroup:
    trial_id: str
    """The group's Tune trial id and directory name: its first member's id and the group size."""
    members: tuple[Trial, ...]


def fused_groups(trials: list[Trial], size: int) -> list[FusedGroup]:
    """The trials in groups of at most ``size`` that differ in their seed alone, in expansion order."""
    by_rest: dict[str, list[Trial]] = {}
    for t in trials:
        rest = {k: v for k, v in t.params.items() if k != FUSED_KEY}
        key = json.dumps([t.axes, rest, t.source], sort_keys=True, default=str)
        by_rest.setdefault(key, []).append(t)
    groups = []
    for members in by_rest.values():
        for start in range(0, len(members), size):
            chunk = tuple(members[start:start + size])
            groups.append(FusedGroup(f"{chunk[0].trial_id}-fused{len(chunk)}", chunk))
    return groups


def check_fusing(spec_file: SweepFile, trials: list[Trial], swept: list[str], loc: Locator) -> None:
    """Refuses ``seeds_per_trial`` > 1 where it cannot hold, at its line, before anything starts."""
    size = spec_file.seeds_per_trial
    if size == 1:
        return
    where = ("seeds_per_trial",)
    spec: TrainableSpec = TRAINABLES.get(spec_file.trainable)
    if spec.fused_target is None or spec.fusion_problem is None:
        can = [name for name in TRAINABLES.names() if TRAINABLES.get(name).fused_target]
        raise loc.error(where, f"seeds_per_trial: trainable {spec.name!r} runs one seed per trial; fused seeds "
                        f"are for: {', '.join(can)}")
    if FUSED_KEY not in swept:
        raise loc.error(where, "seeds_per_trial folds the seed axis, which this sweep does not sweep: add "
                        "grid: {seed: [0, 1, ...]}")
    for field, why in (("search_alg", "a search algorithm proposes one config per trial"),
                       ("scheduler", "a scheduler stops trials one by one, and a fused trial holds several seeds")):
        if getattr(spec_file, field) is not None:
            raise loc.error(where, f"seeds_per_trial {size} with {field}: {why}; use seeds_per_trial: 1")
    if spec_file.resources.workers > 1:
        raise loc.error(where, "seeds_per_trial with resources.workers > 1: a fused trial runs in one process")
    for group in fused_groups(trials, size):
        problem = spec.fusion_problem([t.config for t in group.members])
        if problem:
            raise loc.error(where, f"seeds_per_trial: trials {group.members[0].trial_id}…: {problem}")
