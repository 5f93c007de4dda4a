"""Sweep files: a preset plus overrides plus a grid over dotted config keys, expanded into trials.

A sweep file (YAML, see docs/sweeps.md) names a trainable, a method preset, a space and a data set,
fixed overrides (``set``), a cartesian ``grid`` and ``zip`` groups whose lists move together (the
big_vision sweep idiom: product and zip over dotted keys). :func:`load_sweep` validates everything
before anything starts: the file against typed models, every key against the trainable's config keys,
and every expanded trial config against the trainable's own validation. Every error names the file,
the line (from the YAML node marks), the key and what is allowed.
"""

from __future__ import annotations

import difflib
import itertools
import json
import os
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import CliError
from harness.trainables import AXES, TRAINABLES, TrainableSpec
from searchcore.registry import UnknownNameError

DEFAULT_STORAGE = "./results"
SOURCE_KEY = "source"
"""Chained sweeps: the swept key naming the search trial a trial starts from (``source.<key>``: its labels)."""
ALIASES = {"data.dataset": "dataset"}
"""``data.dataset`` in ``set``/``grid``/``zip`` means the sweep's ``dataset``: presets depend on it."""
SHORTHANDS = {"data_root": "data.root", "epochs": "epochs", "nb201_table": "nb201_table",
              "checkpoint_every": "checkpoint_every"}
"""Sweep-level fields that become config overrides for every trial (when given)."""


class SweepError(CliError):
    """An invalid sweep file: one line with file:line, the key and what is allowed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Resources(_Strict):
    cpu: float = Field(1.0, gt=0)
    """CPUs per trial (fractions allowed); Ray also sets the trial's thread count from it."""
    gpu: float = Field(0.0, ge=0)
    """GPUs per trial; 0.5 packs two trials on one GPU."""


class After(_Strict):
    """Chaining: start each trial from the final checkpoint of a trial of an earlier (search) sweep."""

    sweep: str
    """The search sweep: its name (under this sweep's storage, or given earlier in the same `dartsweep
    run`), or the path / URI of its directory."""
    trials: Literal["all"] | list[str] | dict[str, Any] = "all"
    """Which of its trials: ``all``, a list of trial ids (or their ``tNNN`` prefixes), or a filter on its
    swept keys and method/space/dataset (``{method: em-darts, seed: [0, 1]}``)."""


class SweepFile(_Strict):
    """The top level of a sweep file; every field is documented in docs/sweeps.md."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    trainable: str = "search"
    method: str = "darts"
    space: str = "nb201"
    dataset: str = "digits"
    data_root: str | None = None
    epochs: int | None = Field(None, ge=1)
    nb201_table: str | None = None
    checkpoint_every: int | None = Field(None, ge=1)
    after: After | None = None
    set: dict[str, Any] = {}
    grid: dict[str, Any] = {}
    zip: list[dict[str, Any]] = []
    resources: Resources = Resources()
    max_concurrent: int | None = Field(None, ge=1)
    max_failures: int = Field(0, ge=0)
    keep_checkpoints: int = Field(2, ge=1)
    storage: str = DEFAULT_STORAGE
    storage_shared: bool = False
    """The (non-URI) storage path is on a file system every node mounts at the same path (NFS)."""


@dataclass
class Trial:
    index: int
    trial_id: str
    params: dict[str, Any]
    """The swept keys of this trial (grid and zip), in axis order."""
    axes: dict[str, str]
    """method, space, dataset of this trial."""
    config: dict[str, Any]
    """The resolved, validated trainable config (nested, JSON-ready)."""
    source: str | None = None
    """Chained trials: the directory of the search trial whose final checkpoint this trial starts from."""

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "trial_id": self.trial_id, "params": self.params, "axes": self.axes,
                "config": self.config, "source": self.source}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Trial:
        return cls(d["index"], d["trial_id"], d["params"], d["axes"], d["config"], d.get("source"))


@dataclass
class Sweep:
    spec: SweepFile
    trials: list[Trial]
    source: str
    swept_keys: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        body = self.spec.model_dump(mode="json")
        return f"# resolved from {self.source}\n" + yaml.safe_dump(body, sort_keys=False)


# ---------------------------------------------------------------- YAML with line numbers


class Locator:
    """Maps a path in the YAML tree (``("grid", "seed", 1)``) to ``file:line``."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.lines: dict[tuple, int] = {}
        self.labels: dict[tuple, str] = {}

    def where(self, path: tuple) -> str:
        for n in range(len(path), -1, -1):
            key = tuple(path[:n])
            if key in self.labels:
                return self.labels[key]
            if key in self.lines:
                return f"{self.filename}:{self.lines[key]}"
        return f"{self.filename}:1"

    def error(self, path: tuple, message: str) -> SweepError:
        return SweepError(f"{self.where(path)}: {message}")


def _record(node: yaml.Node, path: tuple, loc: Locator) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                dotted = ".".join(map(str, path + (key,)))
                raise SweepError(f"{loc.filename}:{line}: duplicate key {dotted!r} (first at line {seen[key]})")
            seen[key] = line
            loc.lines[path + (key,)] = line
            _record(value_node, path + (key,), loc)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            loc.lines[path + (i,)] = item.start_mark.line + 1
            _record(item, path + (i,), loc)


def parse_yaml(text: str, filename: str) -> tuple[dict[str, Any], Locator]:
    loc = Locator(filename)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark, context = getattr(err, "problem_mark", None), getattr(err, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        started = f" ({err.context} started at line {context.line + 1})" if context and err.context else ""
        raise SweepError(f"{filename}:{line}: not valid YAML: {problem}{started}") from None
    if not isinstance(data, dict):
        raise SweepError(f"{filename}:1: a sweep file is a YAML mapping (name:, method:, grid: ...)")
    _record(node, (), loc)
    return data, loc


# ---------------------------------------------------------------- validation helpers


def _pydantic_error(err: ValidationError, loc: Locator) -> SweepError:
    e = err.errors()[0]
    path = tuple(e["loc"])
    key = ".".join(str(p) for p in path) or "(top level)"
    if e["type"] == "extra_forbidden":
        parent = _model_at(SweepFile, path[:-1])
        hint = f"; allowed: {', '.join(parent.model_fields)}" if parent else ""
        return loc.error(path, f"unknown key {key!r}{hint}")
    return loc.error(path, f"{key}: {e['msg']}{_got(e)}")


def _got(e: dict[str, Any]) -> str:
    return f" (got {e['input']!r})" if "input" in e and not isinstance(e["input"], dict) else ""


def _model_at(model: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    for part in path:
        f = model.model_fields.get(str(part))
        options = typing.get_args(f.annotation) or (f.annotation,) if f else ()
        ann = next((a for a in options if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if ann is None:
            return None
        model = ann
    return model


def _flatten(tree: dict[str, Any], path: tuple) -> list[tuple[str, Any, tuple]]:
    """(dotted key, value, yaml path) for every leaf of a nested override mapping."""
    out = []
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            out.extend((f"{key}.{k}", v, p) for k, v, p in _flatten(value, path + (key,)))
        else:
            out.append((str(key), value, path + (key,)))
    return out


def _check_key(key: str, spec: TrainableSpec, path: tuple, loc: Locator, section: str) -> str:
    key = ALIASES.get(key, key)
    if key in AXES:
        if section == "set":
            raise loc.error(path, f"set.{key}: give {key!r} at the top level of the sweep (or sweep it in grid)")
        if key not in spec.axes:
            raise loc.error(path, f"{section}.{key}: trainable {spec.name!r} takes no {key!r}")
        return key
    known = spec.keys()
    if key not in known:
        raise loc.error(path, f"{section} key {key!r} is not a config key of trainable {spec.name!r}"
                        f"{_suggest(key, known)}")
    return key


def _suggest(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    section = key.rsplit(".", 1)[0] if "." in key else ""
    siblings = [k for k in known if section and k.startswith(section + ".")]
    if siblings:
        return f"{hint} allowed under {section}: {', '.join(k[len(section) + 1:] for k in siblings)}"
    tops = sorted({k.split(".")[0] + ("." if "." in k else "") for k in known})
    return f"{hint} allowed: {', '.join(tops)} (see `dartsweep search --print-config`)"


@dataclass
class _Axis:
    keys: tuple[str, ...]
    points: list[tuple]
    paths: list[tuple[tuple, ...]]  # per point, per key: the yaml path of the value


def _axes(spec_file: SweepFile, spec: TrainableSpec, loc: Locator) -> list[_Axis]:
    """One axis per grid key and per zip group, in file order (the first varies slowest)."""
    seen: dict[str, tuple] = {}

    def swept(section: str, raw: str, values: Any, path: tuple) -> str:
        key = _check_key(raw, spec, path, loc, section)
        if not isinstance(values, list) or not values:
            raise loc.error(path, f"{section}.{raw}: expected a non-empty list of values, got {values!r}")
        if key in seen:
            raise loc.error(path, f"{key!r} is swept twice (also at {loc.where(seen[key])})")
        seen[key] = path
        return key

    grid_axes = [_Axis((swept("grid", raw, values, path),), [(v,) for v in values],
                       [(path + (i,),) for i in range(len(values))])
                 for raw, values, path in _flatten(spec_file.grid, ("grid",))]
    zip_axes = []
    for g, group in enumerate(spec_file.zip):
        items = _flatten(group, ("zip", g))
        if not items:
            raise loc.error(("zip", g), "zip group is empty")
        keys = tuple(swept("zip", raw, values, path) for raw, values, path in items)
        if len({len(v) for _, v, _ in items}) > 1:
            sizes = ", ".join(f"{k}: {len(v)}" for k, (_, v, _) in zip(keys, items))
            raise loc.error(("zip", g), f"zip group {g}: lists must have equal lengths, got {sizes}")
        n = len(items[0][1])
        zip_axes.append(_Axis(keys, [tuple(v[i] for _, v, _ in items) for i in range(n)],
                              [tuple(p + (i,) for _, _, p in items) for i in range(n)]))
    zip_first = loc.lines.get(("zip",), 10**9) < loc.lines.get(("grid",), 10**9)
    return zip_axes + grid_axes if zip_first else grid_axes + zip_axes


def _fixed_overrides(spec_file: SweepFile, spec: TrainableSpec, loc: Locator,
                     swept: set[str]) -> dict[str, tuple[Any, tuple]]:
    fixed: dict[str, tuple[Any, tuple]] = {}
    for field_name, key in SHORTHANDS.items():
        value = getattr(spec_file, field_name)
        if value is not None:
            fixed[key] = (value, (field_name,))
    for raw, value, path in _flatten(spec_file.set, ("set",)):
        key = _check_key(raw, spec, path, loc, "set")
        fixed[key] = (value, path)
    for key, (_, path) in fixed.items():
        if key in swept:
            raise loc.error(path, f"{key!r} is both fixed ({path[0]}) and swept (grid/zip); keep one")
    return fixed


# ---------------------------------------------------------------- trial names


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (list, tuple)):
        text = "-".join(_fmt(v) for v in value)
    else:
        text = str(value)
    return re.sub(r"[^A-Za-z0-9._+-]", "_", text)


def trial_names(params: list[dict[str, Any]], hide: tuple[str, ...] = ()) -> list[str]:
    """``t000_seed=0,p_max=0.2``: index plus the swept values; short key names unless ambiguous. The index
    alone makes names unique, so ``hide`` (file paths, zipped beside their data set) can be left out."""
    keys = [k for k in (params[0] if params else {}) if k not in hide and not k.startswith(SOURCE_KEY + ".")]
    short = {k: k.rsplit(".", 1)[-1] for k in keys}
    if len(set(short.values())) < len(short):
        short = {k: k for k in keys}
    short[SOURCE_KEY] = "src"  # a chained trial's search trial, by its index: src=t003
    width = max(3, len(str(len(params) - 1)))
    names = []
    for i, p in enumerate(params):
        body = ",".join(f"{short[k]}={_label(k, p[k])}" for k in keys)
        name = f"t{i:0{width}d}" + (f"_{body}" if body else "")
        names.append(name[:120])
    return names


def _label(key: str, value: Any) -> str:
    return str(value).split("_", 1)[0] if key == SOURCE_KEY else _fmt(value)


# ---------------------------------------------------------------- expansion


def _absolute(value: Any) -> Any:
    if isinstance(value, str) and value and "://" not in value:
        return os.path.abspath(os.path.expanduser(value))
    return value


def _resolve_trial(spec: TrainableSpec, spec_file: SweepFile, point: dict[str, tuple[Any, tuple]],
                   fixed: dict[str, tuple[Any, tuple]], loc: Locator) -> tuple[dict[str, str], dict[str, Any]]:
    sources = {**fixed, **point}
    axes = {a: sources.get(a, (getattr(spec_file, a), (a,)))[0] for a in spec.axes}
    overrides = {k: v for k, (v, _) in sources.items() if k not in AXES}
    for key in spec.path_keys:
        if key in overrides:
            overrides[key] = _absolute(overrides[key])
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
        raise loc.error(path, f"{key}: {e['msg']}{_got(e)}" + (f"; allowed: {allowed}" if allowed else "")) from None
    except ValueError as err:
        raise loc.error(("set",), str(err)) from None
    return axes, config


def _source_path(key: str, sources: dict[str, tuple[Any, tuple]], axes: tuple[str, ...]) -> tuple:
    for k, (_, path) in sources.items():
        if k == key or key.startswith(k + ".") or k.startswith(key + "."):
            return path
    return sources.get("method", (None, ("method",)))[1] if "method" in axes else ("trainable",)


def source_labels(trial_id: str, axes: dict[str, Any], params: dict[str, Any], seed: Any) -> dict[str, Any]:
    """What a chained trial records of its search trial: id, method/space/dataset, swept keys and seed."""
    labels = {SOURCE_KEY: trial_id}
    labels.update({f"{SOURCE_KEY}.{k}": v for k, v in {**axes, **params}.items()})
    labels.setdefault(f"{SOURCE_KEY}.seed", seed)
    return labels


def _source_sweep(spec_file: SweepFile, loc: Locator, known: dict[str, Sweep]) -> tuple[Sweep, str]:
    """The search sweep named by ``after.sweep``, and its directory."""
    from harness.results import join, load_sweep_dir, saved_sweeps

    name = spec_file.after.sweep
    if name in known:
        source = known[name]
        return source, join(source.spec.storage, source.spec.name)
    path = name if ("/" in name or os.sep in name) else join(spec_file.storage, name)
    path = _absolute(path)
    try:
        return load_sweep_dir(path), path
    except FileNotFoundError:
        found = saved_sweeps(spec_file.storage)
        hint = f"sweeps saved there: {', '.join(found)}" if found else "no sweep is saved there yet"
        raise loc.error(("after", "sweep"), f"after.sweep: no sweep {name!r} in {spec_file.storage} ({hint}); "
                        "run the search sweep first, or name its file before this one in the same "
                        "`dartsweep run`") from None


def _chosen(source: Sweep, choice: Any, loc: Locator) -> list[Trial]:
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


def _source_axis(spec_file: SweepFile, spec: TrainableSpec, loc: Locator,
                 known: dict[str, Sweep]) -> tuple[_Axis | None, list[str | None]]:
    """The leading axis of a chained sweep: one point per chosen search trial (its labels and checkpoint)."""
    if spec_file.after is None:
        return None, [None]
    if spec.chain_key is None:
        chainable = ", ".join(n for n in TRAINABLES.names() if TRAINABLES.get(n).chain_key)
        raise loc.error(("after",), f"after: trainable {spec.name!r} does not start from a search checkpoint; "
                        f"chain a trainable that does ({chainable})")
    source, source_dir = _source_sweep(spec_file, loc, known)
    if source.spec.trainable != "search":
        raise loc.error(("after", "sweep"), f"after.sweep: {source.spec.name} is a {source.spec.trainable!r} "
                        "sweep; chain after a 'search' sweep")
    from harness.results import join

    chosen = _chosen(source, spec_file.after.trials, loc)
    labels = [source_labels(t.trial_id, t.axes, t.params, t.config.get("seed")) for t in chosen]
    keys = tuple(labels[0])  # the trials of one sweep share their keys; the source id comes first
    points = [tuple(lab.get(k) for k in keys) for lab in labels]
    paths = [tuple(("after", "sweep") for _ in keys) for _ in points]
    return _Axis(keys, points, paths), [join(source_dir, t.trial_id) for t in chosen]


def expand(spec_file: SweepFile, loc: Locator, known: dict[str, Sweep] | None = None) -> tuple[list[Trial], list[str]]:
    try:
        spec = TRAINABLES.get(spec_file.trainable)
    except UnknownNameError as err:
        raise loc.error(("trainable",), f"trainable: {err}") from None
    source_axis, source_dirs = _source_axis(spec_file, spec, loc, known or {})
    axes = _axes(spec_file, spec, loc)
    swept = [k for axis in axes for k in axis.keys]
    fixed = _fixed_overrides(spec_file, spec, loc, set(swept))
    if source_axis is not None:
        key = spec.chain_key
        if key in fixed or key in swept:
            where = fixed[key][1] if key in fixed else ("grid", key)
            raise loc.error(where, f"{key!r} comes from after: (the search trial's final checkpoint); drop it")
        axes = [source_axis, *axes]
    points: list[dict[str, tuple[Any, tuple]]] = []
    for combo in itertools.product(*[range(len(axis.points)) for axis in axes]):
        point: dict[str, tuple[Any, tuple]] = {}
        for axis, i in zip(axes, combo):
            for key, value, path in zip(axis.keys, axis.points[i], axis.paths[i]):
                point[key] = (value, path)
        points.append(point)
    params = [{k: v for k, (v, _) in p.items()} for p in points]
    seen: dict[str, int] = {}
    for i, p in enumerate(params):
        sig = json.dumps(p, sort_keys=True, default=str)
        if sig in seen:
            first_path = next(iter(points[i].values()))[1] if points[i] else ("grid",)
            raise loc.error(first_path, f"trials {seen[sig]} and {i} are identical ({p}); remove the repeated value")
        seen[sig] = i
    per_source = len(points) // len(source_dirs)  # the source axis comes first: it varies slowest
    trials = []
    for i, (name, point) in enumerate(zip(trial_names(params, spec.path_keys), points)):
        source = source_dirs[i // per_source]
        if source is not None:
            point = {k: v for k, v in point.items() if k != SOURCE_KEY and not k.startswith(SOURCE_KEY + ".")}
            point[spec.chain_key] = (source, ("after", "sweep"))
        axes_used, config = _resolve_trial(spec, spec_file, point, fixed, loc)
        trials.append(Trial(i, name, params[i], axes_used, config, source))
    if source_axis is not None:  # tables group chained trials by what varied in their search sweep
        varied = [k for k in source_axis.keys if len({json.dumps(p[k], default=str) for p in params}) > 1]
        swept = [k for k in varied if k not in (SOURCE_KEY, f"{SOURCE_KEY}.seed")] + swept
    return trials, swept


# ---------------------------------------------------------------- entry points


def apply_cli_overrides(data: dict[str, Any], loc: Locator, overrides: dict[str, Any]) -> None:
    """``--set key=value``: sweep fields (``epochs``, ``storage``, ``resources.cpu``) or config keys."""
    for key, value in overrides.items():
        label = f"--set {key}={value}"
        head, _, rest = key.partition(".")
        if (key in SweepFile.model_fields and key not in ("set", "grid", "zip", "resources")) or head == "resources":
            if rest:
                data.setdefault(head, {})[rest] = value
            else:
                data[head] = value
            loc.labels[tuple(key.split("."))] = label
        else:
            data.setdefault("set", {})
            if not isinstance(data["set"], dict):
                raise loc.error(("set",), "set: expected a mapping of dotted keys to values")
            data["set"][key] = value
            loc.labels[("set", key)] = label


def load_sweep(path: str | os.PathLike, overrides: dict[str, Any] | None = None,
               storage: str | None = None, known: dict[str, Sweep] | None = None) -> Sweep:
    """Read, validate and expand a sweep file; raises :class:`SweepError` (nothing is written). ``known``:
    sweeps given before this one in the same command, by name (what ``after.sweep`` may name)."""
    filename = str(path)
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise SweepError(f"{filename}: cannot read sweep file: {err.strerror}") from None
    data, loc = parse_yaml(text, filename)
    apply_cli_overrides(data, loc, overrides or {})
    if storage is not None:
        data["storage"] = storage
        loc.labels[("storage",)] = f"--storage {storage}"
    return build_sweep(data, loc, known)


def build_sweep(data: dict[str, Any], loc: Locator, known: dict[str, Sweep] | None = None) -> Sweep:
    try:
        spec_file = SweepFile.model_validate(data)
    except ValidationError as err:
        raise _pydantic_error(err, loc) from None
    spec_file.storage = _absolute(spec_file.storage)
    trials, swept = expand(spec_file, loc, known)
    return Sweep(spec_file, trials, loc.filename, swept)
