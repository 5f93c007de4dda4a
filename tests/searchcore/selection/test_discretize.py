"""The select trainable's discretisation mode (``discretize_edge`` / ``discretize_op``; 001_… §3.1, Figures 1-2):
one edge committed to the given op before any tuning, its α weight recorded, then ``tune_epochs`` tuning epochs
whose last ``val_acc`` is the op's discretisation accuracy at convergence; bad settings are clear errors."""

from __future__ import annotations

import json

import pytest
import torch
from pydantic import ValidationError

from searchcore.methods.activations import ACTIVATIONS
from searchcore.methods.resolve import resolve_config
from searchcore.search import LocalReporter, NullReporter, SearchRun
from searchcore.selection.select_config import select_config
from searchcore.trainables import select as T

TINY = {"epochs": 1, "supernet.channels": 4, "supernet.cells_per_stage": 1, "supernet.layers": 3,
        "data.batch_size": 16, "data.limit_train_images": 64, "data.max_batches": 1, "data.eval_batches": 1,
        "threads": 1}


@pytest.fixture(scope="module")
def s2_ckpt(tmp_path_factory):
    out = tmp_path_factory.mktemp("s2")
    cfg = resolve_config("darts-pt", "s2", "digits", {**TINY, "method.alpha_init_std": 0.5})
    SearchRun(cfg, LocalReporter(out)).run()
    return str(out / "checkpoint")


def test_discretising_commits_the_op_records_its_alpha_and_tunes(s2_ckpt):
    config = {"checkpoint": s2_ckpt, "tune_epochs": 2, "eval_batches": 1, "discretize_edge": 4,
              "discretize_op": "skip_connect", "discretize_cell": "reduce"}
    run = T.PTRun(select_config(config), NullReporter())
    alpha = run.run.model.alphas["reduce"].detach().clone()
    expected = float(ACTIVATIONS.get("softmax")(alpha)[4, 0])  # S2: (skip_connect, sep_conv_3x3)
    final = run.run_all()
    rows = run.reporter.history
    assert [r["kind"] for r in rows] == ["decision", "tune", "tune"] and run.total == 2
    decision = rows[0]
    assert (decision["cell"], decision["edge"], decision["op"]) == ("reduce", 4, "skip_connect")
    assert json.loads(decision["candidates"]) == {"skip_connect": [pytest.approx(expected)]}
    assert all(r["discretize_alpha"] == pytest.approx(expected) and r["discretize_op"] == "skip_connect"
               for r in rows)
    assert final["val_acc"] == rows[-1]["val_acc"] and 0 <= final["val_acc"] <= 100
    weights = run.run.model.edge_weights()["reduce"][4]
    assert torch.equal(weights, torch.tensor([1.0, 0.0]))  # committed one-hot, every other edge still mixed
    assert not torch.equal(run.run.model.edge_weights()["reduce"][3], torch.tensor([1.0, 0.0]))


def test_bad_discretisation_settings_are_clear_errors(s2_ckpt):
    with pytest.raises(ValidationError, match="go together"):
        select_config({"checkpoint": s2_ckpt, "discretize_edge": 1})
    with pytest.raises(ValidationError, match="needs discretize_edge"):
        select_config({"checkpoint": s2_ckpt, "discretize_cell": "normal"})
    for bad, match in (({"discretize_op": "max_pool_3x3"}, "no candidate"), ({"discretize_edge": 14}, "out of range"),
                       ({"discretize_cell": "middle"}, "no cell type")):
        config = {"checkpoint": s2_ckpt, "discretize_edge": 0, "discretize_op": "skip_connect", **bad}
        with pytest.raises(ValueError, match=match):
            T.PTRun(select_config(config))
