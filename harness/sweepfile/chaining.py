"""Chained sweeps (``after:``): one leading axis with a point per chosen trial of an earlier search sweep.

The search sweep is found by name among the sweeps of the same ``dartsweep run``, or saved in storage.
Each point carries the search trial's labels (``source``, ``source.method``, ``source.seed`` ...) so
tables can group chained trials by what varied in the search; the trial's checkpoint itself is looked
up only when the chained trial starts (:mod:`harness.chain`), since the search may not have run yet.
"""

from __future__ import annotations

import os
from typing import Any

from harness.saved_sweep import load_sweep_dir, saved_sweeps
from harness.storage import absolute, join
from harness.sweepfile.axes import Axis
from harness.sweepfile.model import SOURCE_KEY, Sweep, SweepFile, Trial
from harness.sweepfile.yaml_lines import Locator
from harness.trainables import TRAINABLES, TrainableSpec


def source_labels(trial_id: str, axes: dict[str, Any], params: dict[str, Any], seed: Any) -> dict[str, Any]:
    """What a chained trial records of its search trial: id, method/space/dataset, swept keys and seed."""
    labels = {SOURCE_KEY: trial_id}
    labels.update({f"{SOURCE_KEY}.{k}": v for k, v in {**axes, **params}.items()})
    labels.setdefault(f"{SOURCE_KEY}.seed", seed)
    return labels


def source_sweep(spec_file: SweepFile, loc: Locator, known: dict[str, Sweep]) -> tuple[Sweep, str]:
    """The search sweep named by ``after.sweep``, and its directory."""
    name = spec_file.after.sweep
    if name in known:
        source = known[name]
        return source, join(source.spec.storage, source.spec.name)
    path = absolute(name if ("/" in name or os.sep in name) else join(spec_file.storage, name))
    try:
        return load_sweep_dir(path), path
    except FileNotFoundError:
        found = saved_sweeps(spec_file.storage)
        hint = f"sweeps saved there: {', '.join(found)}" if found else "no sweep is saved there yet"
        raise loc.error(("after", "sweep"), f"after.sweep: no sweep {name!r} in {spec_file.storage} ({hint}); "
                        "run the search sweep first, or name its file before this one in the same "
                        "`dartsweep run`") from None


def chosen(source: Sweep, choice: Any, loc: Locator) -> list[Trial]:
    """The search trials ``after.trials`` picks: all, by id (or ``tNNN`` prefix), or by a filter on labels."""
    trials = source.trials
    if choice == "all":
        return trials
    if isinstance(choice, list):
        by_id = {t.trial_id: t for t in trials} | {t.trial_id.split("_", 1)[0]: t for t in trials}
        for i, item in enumerate(choice):
            if item not in by_id:
                raise loc.error(("after", "trials", i), f"after.trials: {source.spec.name} has no trial {item!r}; "
                                f"allowed: {', '.join(t.trial_id for t in trials)}")
        return [by_id[item] for item in choice]
    labels = [{**t.axes, **t.params, "seed": t.config.get("seed")} for t in trials]
    for key in choice:
        if not any(key in lab for lab in labels):
            allowed = sorted({k for lab in labels for k in lab})
            raise loc.error(("after", "trials", key), f"after.trials.{key}: not a swept key of "
                            f"{source.spec.name}; allowed: {', '.join(allowed)}")
    wanted = {k: (v if isinstance(v, list) else [v]) for k, v in choice.items()}
    picked = [t for t, lab in zip(trials, labels) if all(lab.get(k) in vs for k, vs in wanted.items())]
    if not picked:
        raise loc.error(("after", "trials"), f"after.trials: no trial of {source.spec.name} matches {choice}")
    return picked


def source_axis(spec_file: SweepFile, spec: TrainableSpec, loc: Locator,
                known: dict[str, Sweep]) -> tuple[Axis | None, list[str | None]]:
    """The leading axis of a chained sweep: one point per chosen search trial (its labels), and the
    directories of those trials ([None] for a sweep without ``after:``)."""
    if spec_file.after is None:
        return None, [None]
    if spec.chain_key is None:
        chainable = ", ".join(n for n in TRAINABLES.names() if TRAINABLES.get(n).chain_key)
        raise loc.error(("after",), f"after: trainable {spec.name!r} does not start from a search checkpoint; "
                        f"chain a trainable that does ({chainable})")
    source, source_dir = source_sweep(spec_file, loc, known)
    if source.spec.trainable != "search":
        raise loc.error(("after", "sweep"), f"after.sweep: {source.spec.name} is a {source.spec.trainable!r} "
                        "sweep; chain after a 'search' sweep")
    picked = chosen(source, spec_file.after.trials, loc)
    labels = [source_labels(t.trial_id, t.axes, t.params, t.config.get("seed")) for t in picked]
    keys = tuple(labels[0])  # the trials of one sweep share their keys; the source id comes first
    points = [tuple(lab.get(k) for k in keys) for lab in labels]
    paths = [tuple(("after", "sweep") for _ in keys) for _ in points]
    return Axis(keys, points, paths), [join(source_dir, t.trial_id) for t in picked]
