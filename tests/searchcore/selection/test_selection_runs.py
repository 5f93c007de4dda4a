"""End-to-end on the embedded digits data: search -> DARTS-PT selection (incl. a killed and resumed run),
IS-DARTS searches with a shortened schedule, and the CLI."""

import json

import pytest
import torch

from harness.cli import main
from searchcore.architectures.nb201 import parse_nb201_arch
from searchcore.methods.resolve import resolve_config
from searchcore.search import LocalReporter, NullReporter, SearchRun
from searchcore.selection.select_config import select_config
from searchcore.trainables import select as T
from searchcore.trainables.select import select_trainable

TINY = {
    "epochs": 2, "supernet.channels": 4, "supernet.cells_per_stage": 1, "supernet.layers": 3,
    "data.batch_size": 16, "data.limit_train_images": 96, "data.max_batches": 2, "data.eval_batches": 1,
    "threads": 1,
}
QUICK = {"tune_epochs": 1, "eval_batches": 1}


def _search(tmp_path_factory, name, method="darts", space="nb201", **over):
    out = tmp_path_factory.mktemp(name)
    SearchRun(resolve_config(method, space, "digits", {**TINY, **over}), LocalReporter(out)).run()
    return str(out / "checkpoint")


@pytest.fixture(scope="module")
def nb201_ckpt(tmp_path_factory):
    return _search(tmp_path_factory, "nb201")


def _stable(rows):
    return [{k: v for k, v in r.items() if k not in ("epoch_seconds", "peak_memory_mb")} for r in rows]


def test_pt_select_from_a_search_checkpoint_nb201(nb201_ckpt, nb201_table_path):
    rep = NullReporter()
    final = select_trainable({"checkpoint": nb201_ckpt, **QUICK, "nb201_table": nb201_table_path}, rep)
    decisions = [r for r in rep.history if r["kind"] == "decision"]
    tunes = [r for r in rep.history if r["kind"] == "tune"]
    assert [r["decision"] for r in decisions] == list(range(1, 7)) and len(tunes) == 6
    assert sorted(r["edge"] for r in decisions) == list(range(6))
    assert all(r["phase"] == "operation" and 0 <= r["decision_acc"] <= 100 for r in decisions)
    assert all(len(json.loads(r["candidates"])) == 5 for r in decisions)  # all 5 ops scored
    ops = parse_nb201_arch(final["arch"])
    assert all(ops[r["edge"]] == r["op"] for r in decisions)
    assert final["arch"] == decisions[-1]["arch"] == final["genotype"]
    assert len(json.loads(final["trajectory"])) == 6
    assert all(r["lr"] == 0.0025 for r in tunes)  # NB201: constant lr, no scheduler
    if nb201_table_path:
        assert 0 < final["nb201_cifar10_test"] < 100


def test_pt_fix_alpha_never_updates_alpha(tmp_path_factory):
    ckpt = _search(tmp_path_factory, "fixalpha", method="darts-fix-alpha")
    run = T.PTRun(select_config({"checkpoint": ckpt, "rule": "pt-fix-alpha", **QUICK}))
    before = run.run.model.alphas["cell"].detach().clone()
    final = run.run_all()
    assert torch.equal(before, run.run.model.alphas["cell"].detach())
    assert final["supernet_fixed_alpha"] and not final["update_alpha"]


def test_tuning_skips_alpha_steps_once_alpha_cannot_reach_the_output(nb201_ckpt):
    run = T.PTRun(select_config({"checkpoint": nb201_ckpt, **QUICK}))
    assert run.alpha_reaches_output()
    for e in range(6):  # every edge decided 'none' (what ties on tiny evaluations give): no path from α
        run.run.model.fix_edge("cell", e, 0)
    assert not run.alpha_reaches_output()
    row = run.tune(0)
    assert "arch_loss" not in row and row["train_loss"] > 0 and run.run.trains_alpha


def test_pt_on_a_darts_space_keeps_two_inputs_per_node(tmp_path_factory):
    ckpt = _search(tmp_path_factory, "s2", space="s2")  # skip_connect, sep_conv_3x3
    rep = NullReporter()
    final = select_trainable({"checkpoint": ckpt, **QUICK, "data.max_batches": 1, "data.batch_size": 8}, rep)
    rows = [r for r in rep.history if r["kind"] == "decision"]
    ops = [(r["cell"], r["edge"]) for r in rows if r["phase"] == "operation"]
    assert sorted(ops) == sorted((c, e) for c in ("normal", "reduce") for e in range(14))
    topo = [(r["cell"], r["node"], len(json.loads(r["removed_edges"]))) for r in rows if r["phase"] == "topology"]
    assert sorted(topo) == [(c, n, n - 2) for c in ("normal", "reduce") for n in (3, 4, 5)]
    weights = json.loads(final["edge_weights"])
    for cell in ("normal", "reduce"):
        alive = [e for e, row in enumerate(weights[cell]) if any(row)]
        per_node = [sum(1 for e in alive if e in range(lo, hi)) for lo, hi in ((0, 2), (2, 5), (5, 9), (9, 14))]
        assert per_node == [2, 2, 2, 2]
    assert final["genotype"].count("(") == 1 + 16
    lrs = [r["lr"] for r in rep.history if r["kind"] == "tune"]
    assert lrs[0] == 0.0025 and lrs == sorted(lrs, reverse=True) and len(lrs) == 17  # cosine over 1·16+1 epochs


class Killed(Exception):
    pass


class KillAfter(LocalReporter):
    def __init__(self, out, n):
        super().__init__(out)
        self.n = n

    def report(self, metrics, checkpoint_dir=None):
        super().report(metrics, checkpoint_dir)
        if len(self.history) == self.n:
            raise Killed


def test_a_killed_pt_run_resumes_without_redoing_finished_decisions(nb201_ckpt, tmp_path, monkeypatch):
    config = {"checkpoint": nb201_ckpt, **QUICK, "criterion": "loss"}  # loss: no ties on 16 images
    full = NullReporter()
    select_trainable(config, full)
    with pytest.raises(Killed):  # killed right after the checkpoint of decision 3 (before its tuning epoch)
        select_trainable(config, KillAfter(tmp_path, 5))
    calls = []
    real = T.decide_operation
    monkeypatch.setattr(T, "decide_operation", lambda *a, **k: (calls.append(a[2]), real(*a, **k))[1])
    resumed = LocalReporter(tmp_path, resume=True)
    final = select_trainable(config, resumed)
    done = [r["edge"] for r in full.history[:5] if r["kind"] == "decision"]
    assert len(calls) == 3 and not set(calls) & set(done)
    assert _stable(resumed.history) == _stable(full.history[5:])
    assert final["arch"] == full.history[-1]["arch"]
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(x)["decision"] for x in lines] == [r["decision"] for r in full.history]


SHORT_IS = {"epochs": 4, "method.shrink.steps": 2, "method.shrink.interval": 1, "method.shrink.samples": 16}


@pytest.mark.parametrize("space", ["nb201", "darts"])
def test_is_darts_search_ends_with_the_kept_candidates(space):
    rep = NullReporter()
    run = SearchRun(resolve_config("is-darts", space, "digits", {**TINY, **SHORT_IS}), rep)
    run.run()
    assert [m["shrink_step"] for m in rep.history] == [None, 1, 2, None]
    assert [m.get("decision") for m in rep.history] == [None, 1, 2, None]
    assert all(0 <= m["decision_acc"] <= 100 for m in rep.history[1:3])
    assert all(m["activation"] == "uniform" for m in rep.history) and not run.trains_alpha
    last = rep.history[-1]
    if space == "nb201":
        mask = run.model.op_mask("cell")
        assert torch.equal(mask.sum(1), torch.ones(6)) and last["shrink_remaining_cell"] == 6
        kept = [run.space.cells[0].edge_ops[e][int(mask[e].argmax())] for e in range(6)]
        assert parse_nb201_arch(last["arch"]) == kept
        assert [m["shrink_remaining_cell"] for m in rep.history] == [30, 18, 6, 6]
    else:
        assert last["shrink_final"] and last["genotype"].count("(") == 1 + 16
        for cell in ("normal", "reduce"):
            mask = run.model.op_mask(cell)
            assert [int(mask[lo:hi].sum()) for lo, hi in ((0, 2), (2, 5), (5, 9), (9, 14))] == [2, 2, 2, 2]


def test_cli_select_search_is_darts_and_methods(nb201_ckpt, tmp_path, capsys):
    rc = main(["select", "--checkpoint", nb201_ckpt, "--rule", "pt-mag", "--tune-epochs", "1", "--eval-batches",
               "1", "--out", str(tmp_path / "sel"), "--set", "data.max_batches=1", "--set", "eval_after_tune=false"])
    out = capsys.readouterr().out
    assert rc == 0 and "decision 6/6" in out and "selected" in out
    assert json.loads((tmp_path / "sel" / "select.json").read_text())["arch"].count("~") == 6
    assert len((tmp_path / "sel" / "metrics.jsonl").read_text().splitlines()) == 12
    assert main(["select", "--checkpoint", str(tmp_path), "--rule", "pt"]) == 2
    assert main(["select", "--checkpoint", nb201_ckpt, "--set", "tune_epoch=3"]) == 2
    sets = [x for k, v in {**TINY, **SHORT_IS, "epochs": 3, "method.shrink.steps": 1}.items()
            for x in ("--set", f"{k}={v}")]
    assert main(["search", "--method", "is-darts", "--out", str(tmp_path / "is"), *sets]) == 0
    capsys.readouterr()
    assert main(["methods"]) == 0 and "is-darts:" in capsys.readouterr().out
