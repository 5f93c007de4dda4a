"""End-to-end searches on the embedded digits data at reduced width (a few seconds each)."""

import json
import math

import pytest
import torch

from searchcore.methods.resolve import resolve_config
from searchcore.search import LocalReporter, NullReporter, SearchRun

REQUIRED = {
    "epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "lr_alpha", "alphas", "genotype",
    "n_skip", "n_parametric", "alpha_entropy", "alpha_entropy_parametric", "alpha_entropy_free",
    "epoch_seconds", "images_per_second", "p", "mutation_rate", "reg_lambda", "activation", "peak_memory_mb",
}

TINY = {
    "epochs": 2, "supernet.channels": 4, "supernet.cells_per_stage": 1, "supernet.layers": 3,
    "data.batch_size": 16, "data.limit_train_images": 96, "data.max_batches": 2, "data.eval_batches": 1,
    "threads": 1,
}


def _cfg(space="nb201", method="darts", **over):
    return resolve_config(method, space, "digits", {**TINY, **over})


def _strip_time(history):
    return [{k: v for k, v in m.items() if k not in ("epoch_seconds", "images_per_second", "peak_memory_mb")}
            for m in history]


@pytest.mark.parametrize("space", ["nb201", "darts"])
def test_two_epoch_search_reports_every_metric(space, nb201_table_path):
    over = {"nb201_table": nb201_table_path} if space == "nb201" and nb201_table_path else {}
    rep = NullReporter()
    SearchRun(_cfg(space, **over), rep).run()
    assert [m["epoch"] for m in rep.history] == [1, 2]
    for m in rep.history:
        assert REQUIRED <= set(m), REQUIRED - set(m)
        assert all(math.isfinite(m[k]) for k in ("train_loss", "val_loss", "alpha_entropy"))
        assert m["peak_memory_mb"] > 10 and m["epoch_seconds"] > 0
        assert json.loads(m["alphas"])
    last = rep.history[-1]
    if space == "nb201":
        assert last["arch"].count("~") == 6
        if nb201_table_path:
            assert 0 < last["nb201_cifar10_test"] < 100
    else:
        assert last["genotype"].startswith("Genotype(normal=")
        assert "n_skip_reduce" in last


def test_same_seed_gives_identical_metrics():
    a, b = NullReporter(), NullReporter()
    SearchRun(_cfg(seed=3), a).run()
    SearchRun(_cfg(seed=3), b).run()
    assert _strip_time(a.history) == _strip_time(b.history)
    c = NullReporter()
    SearchRun(_cfg(seed=4), c).run()
    assert _strip_time(a.history) != _strip_time(c.history)


@pytest.mark.parametrize(("space", "method"), [("nb201", "darts"), ("darts", "em-darts")])
def test_resume_from_epoch_one_reproduces_epoch_two(tmp_path, space, method):
    full = NullReporter()
    SearchRun(_cfg(space, method), full).run()

    run = SearchRun(_cfg(space, method))
    metrics = run.run_epoch()
    run.save(str(tmp_path / "ckpt"))
    assert _strip_time([metrics]) == _strip_time(full.history[:1])

    torch.manual_seed(12345)  # the restored RNG state must win over whatever happened since
    resumed = LocalReporter(tmp_path / "resumed")
    run2 = SearchRun(_cfg(space, method), resumed)
    run2.restore(str(tmp_path / "ckpt"))
    run2.run()
    assert _strip_time(resumed.history) == _strip_time(full.history[1:])


def test_local_reporter_resume_continues_where_it_stopped(tmp_path):
    rep = LocalReporter(tmp_path)
    SearchRun(_cfg(epochs=1), rep).run()
    assert (tmp_path / "checkpoint" / "state.pt").exists()
    rep2 = LocalReporter(tmp_path, resume=True)
    SearchRun(_cfg(epochs=2), rep2).run()
    assert [m["epoch"] for m in rep2.history] == [2]
    lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(x)["epoch"] for x in lines] == [1, 2]
    # restored at its last epoch (a trial restarted after its final checkpoint): nothing reruns, and the
    # final metrics are the checkpointed ones
    rep3 = LocalReporter(tmp_path, resume=True)
    final = SearchRun(_cfg(epochs=2), rep3).run()
    assert rep3.history == [] and final["epoch"] == 2 and final["arch"] == rep2.history[-1]["arch"]


def test_a_reporter_that_keeps_no_checkpoints_is_given_none(monkeypatch, tmp_path):
    import searchcore.search.loop as loop

    saved = []
    monkeypatch.setattr(loop.SearchRun, "save", lambda self, d: saved.append(d))
    SearchRun(_cfg(epochs=1), NullReporter()).run()
    assert saved == []
    SearchRun(_cfg(epochs=1), LocalReporter(tmp_path)).run()
    assert len(saved) == 1


def test_fix_alpha_never_changes_alpha_and_single_level_uses_one_batch(monkeypatch):
    run = SearchRun(_cfg(method="darts-fix-alpha", epochs=1))
    before = run.model.alphas["cell"].detach().clone()
    run.run()
    assert torch.equal(before, run.model.alphas["cell"].detach())

    import searchcore.search.loop as loop

    seen = []
    _record_steps(monkeypatch, loop, seen)
    SearchRun(_cfg(method="single-darts", epochs=1, **{"method.single_update": "two_optimizers"})).run()
    assert [k for k, _ in seen] == ["a", "w"] * 2
    for (_, xa), (_, xw) in zip(seen[::2], seen[1::2]):
        assert xa is xw


def test_single_darts_takes_one_combined_step_per_batch(monkeypatch):
    """Eq. 16 of 003_…: one gradient of L_train w.r.t. (α, w) per batch; no separate α or weight step."""
    import searchcore.search.loop as loop

    seen = []
    _record_steps(monkeypatch, loop, seen)
    combined = []
    real = loop.combined_step
    monkeypatch.setattr(loop, "combined_step", lambda *a: combined.append(a[3]) or real(*a))
    run = SearchRun(_cfg(method="single-darts", epochs=1))
    before = run.model.alphas["cell"].detach().clone()
    run.run()
    assert seen == [] and len(combined) == 2
    assert not torch.equal(before, run.model.alphas["cell"].detach())


def test_same_subset_level_draws_alpha_batches_from_the_weight_split(monkeypatch):
    """Single-DARTS Table 4, middle row: α and w on different batches of the same subset."""
    import searchcore.search.loop as loop

    seen = []
    _record_steps(monkeypatch, loop, seen)
    run = SearchRun(_cfg(epochs=1, **{"method.level": "same_subset"}))
    calls = []
    real = run.data.batches
    run.data.batches = lambda which, *a, **k: calls.append((which, k.get("stream"))) or real(which, *a, **k)
    run.run()
    assert calls[:2] == [("train", None), ("train", "alpha")]  # then the evaluation pass on 'val'
    assert [k for k, _ in seen] == ["a", "w"] * 2
    assert all(not torch.equal(a[1], w[1]) for a, w in zip(seen[::2], seen[1::2]))


def test_single_darts_never_derives_a_dead_cell():
    """Under sigmoid weights 'none' gets no gradient: with α weight decay its α drifts up while the others
    sink, and plain argmax derives 'none' on every edge (a dead cell, NB201 accuracy 10%). The preset's
    argmax-no-none never does, with or without α weight decay."""
    drift = {"method.arch_optim.weight_decay": 1e-3, "data.max_batches": 6, "epochs": 3}
    for over in ({}, drift):
        rep = NullReporter()
        SearchRun(_cfg(method="single-darts", **over), rep).run()
        assert all("none" not in m["arch"] for m in rep.history), over
    rep = NullReporter()
    SearchRun(_cfg(method="single-darts", **drift, **{"method.selection": "argmax"}), rep).run()
    assert rep.history[-1]["arch"].count("none") == 6  # what the preset used to derive


def _record_steps(monkeypatch, loop, seen: list) -> None:
    """Wrap the loop's α and weight steps so each call records (kind, input batch)."""
    for kind, name in (("a", "arch_step"), ("w", "weight_step")):
        real = getattr(loop, name)

        def spy(m, o, x, y, *a, real=real, kind=kind):
            seen.append((kind, x))
            return real(m, o, x, y, *a)

        monkeypatch.setattr(loop, name, spy)


def test_bilevel_uses_different_batches_in_configured_order(monkeypatch):
    import searchcore.search.loop as loop

    seen = []
    _record_steps(monkeypatch, loop, seen)
    SearchRun(_cfg(method="darts-autodl", epochs=1)).run()
    assert [k for k, _ in seen] == ["w", "a"] * 2
    assert all(not torch.equal(w[1], a[1]) for w, a in zip(seen[::2], seen[1::2]))


def test_edge_mutation_metrics_follow_the_schedule():
    rep = NullReporter()
    SearchRun(_cfg(method="em-darts", **{"method.mutation.p_max": 0.5, "method.mutation.growth": "fixed"}), rep).run()
    assert [m["p"] for m in rep.history] == [0.5, 0.5]
    assert all(0.2 < m["mutation_rate"] < 0.8 for m in rep.history)


def test_entropy_regulariser_reports_its_value():
    rep = NullReporter()
    SearchRun(_cfg(method="r-darts"), rep).run()
    assert rep.history[-1]["reg_value"] > 0 and rep.history[-1]["reg_lambda"] == 0.5  # NB201: 004_… Table 1


def test_a_diverging_search_fails_naming_the_epoch_and_reports_no_nan_row():
    from searchcore.search.divergence import DivergedError

    rep = NullReporter()
    with pytest.raises(DivergedError, match=r"^diverged at epoch 1 \(.*(_loss=(nan|inf)|non-finite)"):
        SearchRun(_cfg(**{"optim.lr": 1.0e6, "optim.grad_clip": None}), rep).run()
    assert rep.history == []
