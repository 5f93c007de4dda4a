"""The seams are real: a toy family, space, regulariser and selection rule registered from *outside* the
package (``toy_family.py``, loaded as a plugin) run search -> DARTS-PT selection -> parameter count -> a
sweep through the harness on local Ray, with no edit to any core module."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main
from searchcore import plugins
from searchcore.methods.resolve import resolve_config
from searchcore.search import LocalReporter, NullReporter, SearchRun
from searchcore.spaces import SPACES
from searchcore.trainables.select import select_trainable

PLUGIN = "tests.extension.toy_family"
REPO = Path(__file__).resolve().parents[2]
TINY = {"epochs": 2, "supernet.channels": 4, "supernet.cells_per_stage": 1, "data.batch_size": 16,
        "data.limit_train_images": 64, "data.max_batches": 2, "data.eval_batches": 1}


@pytest.fixture(scope="module")
def toy():
    """The plugin as a user would load it: ``DARTSWEEP_PLUGINS`` (inherited by Ray's workers) + PYTHONPATH."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(plugins.ENV, PLUGIN)
        mp.setenv("PYTHONPATH", str(REPO))
        assert "toy2" in SPACES  # the first lookup imports the plugin
        module = sys.modules[PLUGIN]
        yield module
        module.unregister()
        plugins._loaded.discard(PLUGIN)
        del sys.modules[PLUGIN]
    assert "toy2" not in SPACES


def test_search_then_selection_then_params_on_the_toy_family(toy, tmp_path, capsys):
    over = {**TINY, "method.regularizer.kind": "toy-l2", "method.regularizer.lam": 0.1,
            "method.selection": "toy-parametric"}
    cfg = resolve_config("darts", "toy2", "digits", over)
    rep = LocalReporter(tmp_path / "search")
    last = SearchRun(cfg, rep).run()
    assert last["genotype"] == "toy:nor_conv_3x3,nor_conv_3x3,nor_conv_3x3"  # the toy rule's choice
    assert last["reg_value"] > 0 and last["n_parametric"] == 3 and last["arch"] is None

    sel = NullReporter()
    final = select_trainable({"checkpoint": str(tmp_path / "search"), "rule": "pt", "tune_epochs": 1,
                              "eval_batches": 1, "eval_after_tune": False}, sel)
    decisions = [m for m in sel.history if m["kind"] == "decision"]
    assert sorted(d["edge"] for d in decisions) == [0, 1, 2]  # the default schedule: every edge, no topology
    chosen = toy.ToyFamily().parse_architecture(final["genotype"])
    assert [d["op"] for d in sorted(decisions, key=lambda d: d["edge"])] == list(chosen.ops)

    assert main(["params", "--space", "toy2", "--arch", final["genotype"], "--dataset", "cifar100", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["network"] == "ToyNetwork" and info["family"] == "toy" and info["num_classes"] == 100
    assert main(["params", "--space", "toy2", "--arch", "toy:nope"]) == 2


def test_a_sweep_over_the_toy_space_runs_through_the_harness(toy, tmp_path):
    fixed = {**TINY, "threads": 1, "method.mutation.p_max": 0.5, "method.mutation.growth": "fixed",
             "method.regularizer.lam": 1.0}
    sweep = tmp_path / "toy.yaml"
    sweep.write_text(textwrap.dedent(f"""\
        name: toy
        method: em-darts
        space: toy2
        dataset: digits
        set: {json.dumps(fixed)}
        grid:
          method.regularizer.kind: [none, toy-l2]
          method.selection: [argmax, toy-parametric]
        max_concurrent: 2
        """))
    storage = tmp_path / "results"
    assert main(["run", str(sweep), "--storage", str(storage), "--num-cpus", "2"]) == 0
    trials = pd.read_parquet(storage / "toy" / "trials.parquet")
    assert (trials["status"] == "TERMINATED").all() and len(trials) == 4
    assert trials["genotype"].str.startswith("toy:").all()
    by_rule = trials.groupby("method.selection")["genotype"].apply(set)
    assert by_rule["toy-parametric"] == {"toy:nor_conv_3x3,nor_conv_3x3,nor_conv_3x3"}
    assert trials.loc[trials["method.regularizer.kind"] == "toy-l2", "reg_value"].gt(0).all()
    assert (trials["mutation_rate"] > 0).all()  # EM-DARTS mutates the toy cell's parametric op
