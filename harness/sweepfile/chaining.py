"""Chained sweeps (``after:``): one leading axis with a point per chosen trial of an earlier sweep.

The earlier (source) sweep is found by name among the sweeps of the same ``dartsweep run``, or saved in
storage; its trainable must give what the chained trainable takes (``TrainableSpec.chain_gives`` /
``chain_takes``: a search checkpoint for ``select``, a final architecture for ``evaluate``). Each point carries
the source trial's labels (``source``, ``source.method``, ``source.seed`` ...) so tables can group chained
trials by what varied upstream, and the axes the chained trainable inherits (``chain_inherits``: an
evaluation's space and data set). What the trial takes itself (checkpoint, genotype) is looked up only when
the chained trial starts (:mod:`harness.chain`), since the source may not have run yet.
"""

from __future__ import annotations

import os
from typing import Any

from harness.chain import CHAIN_INPUTS
from harness.saved_sweep import load_sweep_dir, saved_sweeps
from harness.storage import absolute, join
from harness.sweepfile.axes import Axis
from harness.sweepfile.model import SOURCE_KEY, Sweep, SweepFile, Trial
from harness.sweepfile.yaml_lines import Locator
from harness.trainables import TRAINABLES, TrainableSpec


def source_labels(trial_id: str, axes: dict[str, Any], params: dict[str, Any], seed: Any) -> dict[str, Any]:
    """What a chained trial records of its source trial: id, method/space/dataset, swept keys and seed (a source
    that was itself chained passes its own ``source.*`` labels on as ``source.source.*``)."""
    labels = {SOURCE_KEY: trial_id}
    labels.update({f"{SOURCE_KEY}.{k}": v for k, v in {**axes, **params}.items()})
    labels.setdefault(f"{SOURCE_KEY}.seed", seed)
    return labels


def inherited_axis(trial: Trial, key: str) -> Any:
    """Axis ``key`` of a source trial: its own (a search's space), else its config's, else the label of its
    own source (a selection trial's space is its search trial's); None when nothing says."""
    if key in trial.axes:
        return trial.axes[key]
    if not isinstance(trial.config.get(key, {}), dict):
        return trial.config[key]
    return trial.params.get(f"{SOURCE_KEY}.{key}")


def source_sweep(spec_file: SweepFile, loc: Locator, known: dict[str, Sweep]) -> tuple[Sweep, str]:
    """The source sweep named by ``after.sweep``, and its directory."""
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
                        "run the source sweep first, or name its file before this one in the same "
                        "`dartsweep run`") from None


def chosen(source: Sweep, choice: Any, loc: Locator) -> list[Trial]:
    """The source trials ``after.trials`` picks: all, by id (or ``tNNN`` prefix), or by a filter on labels."""
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
                known: dict[str, Sweep]) -> tuple[Axis | None, list[str | None], list[dict[str, Any]]]:
    """The leading axis of a chained sweep: one point per chosen source trial (its labels); the directories of
    those trials ([None] for a sweep without ``after:``); and per trial the axes the chained trainable
    inherits from it (``chain_inherits``)."""
    if spec_file.after is None:
        return None, [None], [{}]
    if spec.chain_key is None:
        chainable = ", ".join(n for n in TRAINABLES.names() if TRAINABLES.get(n).chain_key)
        raise loc.error(("after",), f"after: trainable {spec.name!r} does not start from another sweep's trials; "
                        f"chain a trainable that does ({chainable})")
    source, source_dir = source_sweep(spec_file, loc, known)
    gives = TRAINABLES.get(source.spec.trainable).chain_gives if source.spec.trainable in TRAINABLES else ()
    if spec.chain_takes not in gives:
        able = [n for n in TRAINABLES.names() if spec.chain_takes in TRAINABLES.get(n).chain_gives]
        raise loc.error(("after", "sweep"), f"after.sweep: {source.spec.name} is a {source.spec.trainable!r} sweep, "
                        f"which leaves no {spec.chain_takes} ({CHAIN_INPUTS.get(spec.chain_takes).description}) "
                        f"for {spec.name!r}; chain after a sweep of: {', '.join(able)}")
    picked = chosen(source, spec_file.after.trials, loc)
    labels = [source_labels(t.trial_id, t.axes, t.params, t.config.get("seed")) for t in picked]
    keys = tuple(labels[0])  # the trials of one sweep share their keys; the source id comes first
    points = [tuple(lab.get(k) for k in keys) for lab in labels]
    paths = [tuple(("after", "sweep") for _ in keys) for _ in points]
    inherited = [{a: inherited_axis(t, a) for a in spec.chain_inherits} for t in picked]
    return Axis(keys, points, paths), [join(source_dir, t.trial_id) for t in picked], inherited
