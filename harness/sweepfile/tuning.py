"""``scheduler``, ``search_alg`` and ``callbacks`` of a sweep file, checked before anything starts.

The options themselves are validated by the sweep model (:mod:`harness.tune_options`); here: that the pip
package an entry needs is installed on this machine (the driver builds them), and that a ``search_alg``'s
``param_space`` names config keys the sweep neither fixes nor sweeps. Its trials are *slots* ``t000`` …:
the search algorithm fills in the sampled values when each starts (:mod:`harness.tune_runner`).
"""

from __future__ import annotations

from typing import Any

from harness.sweepfile.axes import Axis
from harness.sweepfile.keys import check_key
from harness.sweepfile.model import SweepFile
from harness.sweepfile.yaml_lines import Locator
from harness.trainables import AXES, TrainableSpec
from harness.tune_options import TuneChoice, extremes


def choices(spec_file: SweepFile) -> list[tuple[tuple, TuneChoice]]:
    """(YAML path, choice) of every scheduler / search algorithm / callback the sweep names."""
    named = [(("scheduler",), spec_file.scheduler), (("search_alg",), spec_file.search_alg),
             *((("callbacks", i), c) for i, c in enumerate(spec_file.callbacks))]
    return [(path, choice) for path, choice in named if choice is not None]


def check_packages(spec_file: SweepFile, loc: Locator) -> None:
    for path, choice in choices(spec_file):
        missing = choice.entry.missing()
        if missing:
            key = ".".join(str(p) for p in path)
            raise loc.error(path, f"{key}: {choice.registry.kind} {choice.name!r} needs the pip package {missing!r}, "
                            f"which is not installed here: `pip install {missing}`, or remove {key}")


def sampled_keys(spec_file: SweepFile, spec: TrainableSpec, loc: Locator, fixed: dict[str, Any],
                 chain_axis: Axis | None) -> list[tuple[str, tuple, list[Any]]]:
    """(config key, YAML path, the values to validate) of each ``search_alg.param_space`` entry; a grid, zip or
    ``after`` beside it is refused (nothing would sweep them)."""
    assert spec_file.search_alg is not None
    for section in ("grid", "zip"):
        if getattr(spec_file, section):
            raise loc.error((section,), f"{section}: a sweep with search_alg samples search_alg.param_space instead; "
                            f"move the keys there (a list becomes {{choice: [...]}}) or to set")
    if chain_axis is not None:
        raise loc.error(("after",), "after: a sweep with search_alg cannot chain after another sweep; drop one")
    out = []
    for raw, dist in spec_file.search_alg.options.param_space.items():
        path = ("search_alg", "param_space", raw)
        key = check_key(raw, spec, path, loc, "search_alg.param_space")
        if key in AXES:
            raise loc.error(path, f"search_alg.param_space.{key}: {key!r} picks a preset, not a value to sample; "
                            f"give one {key} per sweep")
        if key in fixed:
            raise loc.error(path, f"{key!r} is both fixed ({fixed[key][1][0]}) and sampled (search_alg); keep one")
        out.append((key, path, extremes(dist)))
    return out
