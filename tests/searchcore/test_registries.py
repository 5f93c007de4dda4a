"""Tests that follow the registries: every registered space, preset, method part and selection rule runs.

Adding an entry to a registry adds it here without editing this file (timm's test-the-whole-registry
idiom); ``tests/extension/`` shows that an entry registered from outside the package runs end to end.
"""

from __future__ import annotations

import math

import pytest
import torch

from searchcore.methods.activations import ACTIVATIONS
from searchcore.methods.presets import PRESETS
from searchcore.methods.regularizers import REGULARIZERS
from searchcore.methods.resolve import resolve_config
from searchcore.search import LocalReporter, NullReporter, SearchRun
from searchcore.selection.rules import SELECTION_RULES, rule_names
from searchcore.spaces import SPACES
from searchcore.trainables.select import select_trainable

TINY = {
    "epochs": 2, "supernet.channels": 4, "supernet.cells_per_stage": 1, "supernet.layers": 3,
    "data.batch_size": 8, "data.limit_train_images": 32, "data.max_batches": 1, "data.eval_batches": 1,
    # IS-DARTS' shrinking: one step after the first epoch (inert for every other rule)
    "method.shrink.steps": 1, "method.shrink.interval": 1, "method.shrink.samples": 8,
}


def _run(method: str, space: str, **over) -> list[dict]:
    rep = NullReporter()
    SearchRun(resolve_config(method, space, "digits", {**TINY, **over}), rep).run()
    return rep.history


@pytest.mark.parametrize("space", SPACES.names())
@pytest.mark.parametrize("preset", PRESETS.names())
def test_every_preset_on_every_space_runs(preset, space):
    history = _run(preset, space)
    last = history[-1]
    assert len(history) == 2 and math.isfinite(last["train_loss"]) and last["method"] == preset
    family = SPACES.get(space).family
    architecture = family.parse_architecture(last["genotype"])  # the reported text reads back
    assert architecture.to_str() == last["genotype"]
    assert not family.check_architecture(SPACES.get(space), architecture)


@pytest.mark.parametrize("activation", ACTIVATIONS.names())
def test_every_activation_runs_and_trains_alpha_only_if_it_can(activation):
    history = _run("darts", "nb201", **{"method.activation": activation, "epochs": 1})
    assert ("arch_loss" in history[-1]) == ACTIVATIONS.get(activation).trainable


@pytest.mark.parametrize("kind", REGULARIZERS.names())
def test_every_regularizer_runs(kind):
    history = _run("darts", "nb201", **{"method.regularizer.kind": kind, "method.regularizer.lam": 0.5,
                                        "epochs": 1})
    assert ("reg_value" in history[-1]) == (REGULARIZERS.get(kind) is not None)


@pytest.mark.parametrize("space", SPACES.names())
@pytest.mark.parametrize("rule", rule_names("search"))
def test_every_search_rule_derives_an_architecture_of_the_space(rule, space):
    cfg = resolve_config("darts", space, "digits", {**TINY, "method.selection": rule})
    run = SearchRun(cfg)
    architecture = SELECTION_RULES.get(rule).architecture(run.space, run.model)
    assert not run.space.family.check_architecture(run.space, architecture)
    assert run.architecture_metrics(architecture)["genotype"] == architecture.to_str()


@pytest.fixture(scope="module")
def supernet_checkpoint(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("search")
    cfg = resolve_config("darts-fix-alpha", "nb201", "digits", {**TINY, "epochs": 1})
    SearchRun(cfg, LocalReporter(out)).run()
    return str(out)


@pytest.mark.parametrize("rule", rule_names("select"))
def test_every_select_rule_decides_every_edge(rule, supernet_checkpoint):
    rep = NullReporter()
    final = select_trainable({"checkpoint": supernet_checkpoint, "rule": rule, "tune_epochs": 1, "eval_batches": 1,
                              "eval_after_tune": False}, rep)
    decisions = [m for m in rep.history if m["kind"] == "decision"]
    assert len(decisions) == 6 and final["select_rule"] == rule and final["arch"].count("~") == 6


def test_alpha_init_comes_from_the_activation_entry():
    cfg = resolve_config("single-darts", "darts", "digits", {**TINY, "method.alpha_init": "constant"})
    run = SearchRun(cfg)
    weights = run.model.edge_weights()["normal"]
    assert torch.allclose(weights, torch.full_like(weights, 1 / 8))
