"""Expansion: the product of a sweep's axes, each point resolved into a validated trainable config.

Fixed overrides (``set`` and the sweep-level shorthands) apply to every trial; a chained sweep's source
axis comes first, so it varies slowest. Every trial config goes through the trainable's own validation
here, so an invalid value fails before anything starts, at the line of the value that caused it.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from harness.chain import CHAIN_INPUTS
from harness.storage import absolute
from harness.sweepfile.axes import Axis, swept_axes
from harness.sweepfile.chaining import source_axis
from harness.sweepfile.keys import check_key, got, yaml_leaves
from harness.sweepfile.model import SOURCE_KEY, Sweep, SweepFile, Trial
from harness.sweepfile.naming import trial_namer
from harness.sweepfile.tuning import check_packages, sampled_keys
from harness.sweepfile.yaml_lines import Locator
from harness.trainables import AXES, TRAINABLES, TrainableSpec
from searchcore.registry import UnknownNameError

SHORTHANDS = {"data_root": "data.root", "epochs": "epochs", "nb201_table": "nb201_table",
              "checkpoint_every": "checkpoint_every"}
"""Sweep-level fields that become config overrides for every trial (when given)."""

Point = dict[str, tuple[Any, tuple]]
"""One trial's swept values: key -> (value, yaml path of the value)."""


def fixed_overrides(spec_file: SweepFile, spec: TrainableSpec, loc: Locator, swept: set[str]) -> Point:
    """Overrides shared by every trial (shorthands, then ``set``); a key may not be both fixed and swept."""
    fixed: Point = {}
    for field_name, key in SHORTHANDS.items():
        value = getattr(spec_file, field_name)
        if value is not None:
            fixed[key] = (value, (field_name,))
    for raw, value, path in yaml_leaves(spec_file.set, ("set",)):
        key = check_key(raw, spec, path, loc, "set")
        fixed[key] = (value, path)
    for key, (_, path) in fixed.items():
        if key in swept:
            raise loc.error(path, f"{key!r} is both fixed ({path[0]}) and swept (grid/zip); keep one")
    return fixed


def check_axes_taken(spec_file: SweepFile, spec: TrainableSpec, loc: Locator) -> None:
    """A top-level ``method``/``space``/``dataset``/``protocol`` the trainable has no axis for would be ignored
    (a select sweep's come from its supernet): refused, so a sweep never silently runs something else."""
    for axis in AXES:
        if axis in spec_file.model_fields_set and axis not in spec.axes:
            takes = f"its axes: {', '.join(spec.axes)}" if spec.axes else "it has none"
            raise loc.error((axis,), f"{axis}: trainable {spec.name!r} takes no {axis!r} ({takes}; "
                            f"docs/sweeps.md, Keys); remove it")


def resolve_trial(spec: TrainableSpec, spec_file: SweepFile, point: Point, fixed: Point,
                  loc: Locator) -> tuple[dict[str, str], dict[str, Any]]:
    """(method/space/dataset, validated config) of one trial; errors point at the offending value."""
    sources = {**fixed, **point}
    axes = {a: sources.get(a, (getattr(spec_file, a), (a,)))[0] for a in spec.axes}
    overrides = {k: v for k, (v, _) in sources.items() if k not in AXES}
    for key in spec.path_keys:
        if key in overrides:
            overrides[key] = absolute(overrides[key])
    for a in spec.axes:
        if not isinstance(axes[a], str):
            raise loc.error(sources.get(a, (None, (a,)))[1], f"{a}: expected a name, got {axes[a]!r}")
    try:
        config = spec.resolve(axes, overrides)
    except UnknownNameError as err:
        axis = next((a for a in spec.axes if repr(axes[a]) in str(err)), spec.axes[0] if spec.axes else "")
        raise loc.error(sources.get(axis, (None, (axis,)))[1], f"{axis}: {err}") from None
    except ValidationError as err:
        e = err.errors()[0]
        key = ".".join(str(p) for p in e["loc"])
        path = _source_path(key, sources, spec.axes)
        allowed = spec.allowed(key)
        raise loc.error(path, f"{key}: {e['msg']}{got(e)}" + (f"; allowed: {allowed}" if allowed else "")) from None
    except ValueError as err:
        raise loc.error(("set",), str(err)) from None
    return axes, config


def _source_path(key: str, sources: Point, axes: tuple[str, ...]) -> tuple:
    for k, (_, path) in sources.items():
        if k == key or key.startswith(k + ".") or k.startswith(key + "."):
            return path
    return sources.get("method", (None, ("method",)))[1] if "method" in axes else ("trainable",)


def _product(axes: list[Axis], loc: Locator) -> Iterator[Point]:
    """Every combination of the axes' points (the first axis varies slowest), one at a time; identical trials are
    an error (only a short signature per trial is kept to find them)."""
    seen: dict[str, int] = {}
    for i, combo in enumerate(itertools.product(*[range(len(axis.points)) for axis in axes])):
        point: Point = {}
        for axis, j in zip(axes, combo):
            for key, value, path in zip(axis.keys, axis.points[j], axis.paths[j]):
                point[key] = (value, path)
        params = {k: v for k, (v, _) in point.items()}
        sig = json.dumps(params, sort_keys=True, default=str)
        if sig in seen:
            first_path = next(iter(point.values()))[1] if point else ("grid",)
            raise loc.error(first_path, f"trials {seen[sig]} and {i} are identical ({params}); "
                            "remove the repeated value")
        seen[sig] = i
        yield point


def sampled_trials(spec_file: SweepFile, spec: TrainableSpec, loc: Locator, fixed: Point,
                   chain_axis: Axis | None) -> tuple[list[Trial], list[str]]:
    """A ``search_alg`` sweep: ``num_samples`` slots sharing one config; every value a sampled key can take at the
    ends of its range (each ``choice``) is validated as a trial config first, at the line of its distribution."""
    assert spec_file.search_alg is not None
    sampled = sampled_keys(spec_file, spec, loc, fixed, chain_axis)
    for key, path, values in sampled:
        for value in values:
            resolve_trial(spec, spec_file, {key: (value, path)}, fixed, loc)
    axes_used, base = resolve_trial(spec, spec_file, {}, fixed, loc)
    n = spec_file.search_alg.options.num_samples
    name_of = trial_namer([], n)
    return [Trial(i, name_of(i, {}), {}, axes_used, None, base=base) for i in range(n)], [k for k, _, _ in sampled]


def expand(spec_file: SweepFile, loc: Locator, known: dict[str, Sweep] | None = None) -> tuple[list[Trial], list[str]]:
    """The trials of a validated sweep file, and its swept keys (what tables group by).

    Streams: each trial config is resolved and validated, then kept only as its changes from the first trial's
    (:meth:`Trial.compact`), so a sweep of 10,000 trials never holds 10,000 configs (docs/benchmarks.md)."""
    try:
        spec = TRAINABLES.get(spec_file.trainable)
    except UnknownNameError as err:
        raise loc.error(("trainable",), f"trainable: {err}") from None
    check_axes_taken(spec_file, spec, loc)
    check_packages(spec_file, loc)
    chain_axis, source_dirs, inherited = source_axis(spec_file, spec, loc, known or {})
    axes = swept_axes(spec_file, spec, loc)
    swept = [k for axis in axes for k in axis.keys]
    fixed = fixed_overrides(spec_file, spec, loc, set(swept))
    if spec_file.search_alg is not None:
        return sampled_trials(spec_file, spec, loc, fixed, chain_axis)
    chain = CHAIN_INPUTS.get(spec.chain_takes) if chain_axis is not None else None
    if chain is not None:
        key = spec.chain_key
        if key in fixed or key in swept:
            where = fixed[key][1] if key in fixed else ("grid", key)
            raise loc.error(where, f"{key!r} comes from after: ({chain.description} of the source trial); drop it")
        axes = [chain_axis, *axes]
    given = set(swept) | set(fixed) | (spec_file.model_fields_set & set(AXES))  # axes the sweep sets itself
    total = math.prod(len(axis.points) for axis in axes)
    name_of = trial_namer([k for axis in axes for k in axis.keys], total, spec.path_keys)
    per_source = total // len(source_dirs)  # the source axis comes first: it varies slowest
    chain_values: dict[str, set[str]] = {k: set() for k in (chain_axis.keys if chain_axis is not None else ())}
    trials: list[Trial] = []
    base: dict[str, Any] | None = None
    for i, point in enumerate(_product(axes, loc)):
        params = {k: v for k, (v, _) in point.items()}
        for k, values in chain_values.items():
            values.add(json.dumps(params[k], default=str))
        source = source_dirs[i // per_source]
        if chain is not None and source is not None:
            point = {k: v for k, v in point.items() if k != SOURCE_KEY and not k.startswith(SOURCE_KEY + ".")}
            if chain.known_at_expansion:  # else the chain key stays unset until the trial starts
                point[spec.chain_key] = (source, ("after", "sweep"))
            for axis, value in inherited[i // per_source].items():
                if axis not in given and value is not None:
                    point[axis] = (value, ("after", "sweep"))
        axes_used, config = resolve_trial(spec, spec_file, point, fixed, loc)
        if source is None and spec.chain_key is not None and config.get(spec.chain_key) is None:
            raise loc.error(("trainable",), f"{spec.chain_key}: trainable {spec.name!r} needs one: set it (set or "
                            f"grid: {{{spec.chain_key}: [...]}}) or chain the sweep after another (after:)")
        base = config if base is None else base
        trials.append(Trial(i, name_of(i, params), params, axes_used, config, source).compact(base))
    if chain_axis is not None:  # tables group chained trials by what varied in their search sweep
        varied = [k for k in chain_axis.keys if len(chain_values[k]) > 1]
        swept = [k for k in varied if k not in (SOURCE_KEY, f"{SOURCE_KEY}.seed")] + swept
    return trials, swept
