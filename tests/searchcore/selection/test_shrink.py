"""IS-DARTS shrinking: schedule, per-step prune counts, masks -> genotype, and the epoch hook."""

import math
from contextlib import nullcontext
from types import SimpleNamespace

import pytest
import torch

from searchcore.methods.resolve import resolve_config
from searchcore.search.metrics import architecture_metrics
from searchcore.selection.rules import SELECTION_RULES
from searchcore.selection.shrink import ShrinkHook, is_final, prune_count, prune_step, shrink_epochs
from searchcore.spaces import get_space
from searchcore.supernets import build_supernet


def comparison_sets(space):
    return space.family.shrink_groups(space)


def test_schedules_of_the_released_scripts():
    assert shrink_epochs(30, 4, 2) == [22, 24, 26, 28]  # NB201: prune after these one-indexed epochs
    assert shrink_epochs(50, 7, 3) == [29, 32, 35, 38, 41, 44, 47]  # DARTS space
    assert shrink_epochs(4, 2, 1) == [2, 3]
    with pytest.raises(ValueError, match="before any training"):
        shrink_epochs(8, 4, 2)


EXPECTED_DARTS = {
    2: [16, 14, 12, 10, 8, 6, 4, 2],
    3: [24, 20, 17, 14, 11, 8, 5, 2],
    4: [32, 27, 22, 18, 14, 10, 6, 2],
    5: [40, 34, 28, 22, 17, 12, 7, 2],
}


def test_darts_prune_counts_per_step():
    space = get_space("darts")
    groups, keep = comparison_sets(space)
    assert keep == 2 and [len(g) for g in groups] == [2, 3, 4, 5]
    mask = torch.ones(14, 8)
    torch.manual_seed(0)
    counts = {n: [len(g) * 8] for n, g in zip(range(2, 6), groups)}
    for step in range(1, 8):
        prune_step(mask, torch.rand(14, 8), groups, keep, steps_left=7 - step + 1)
        for n, g in zip(range(2, 6), groups):
            counts[n].append(int(mask[g].sum()))
    assert counts == EXPECTED_DARTS
    assert prune_count(24, 2, 7) == 4 and prune_count(2, 2, 1) == 0


def test_nb201_prunes_one_op_per_edge_per_step_none_first_and_keeps_the_lowest():
    space = get_space("nb201")
    groups, keep = comparison_sets(space)
    mask = torch.ones(6, 5)
    scores = torch.tensor([[math.inf, 4.0, 3.0, 1.0, 2.0]] * 6)  # lowest IIM: nor_conv_3x3
    first = prune_step(mask, scores, groups, keep, steps_left=4)
    assert first == [(e, 0) for e in range(6)]
    for steps_left in (3, 2, 1):
        assert len(prune_step(mask, scores, groups, keep, steps_left)) == 6
    assert torch.equal(mask, torch.tensor([[0.0, 0.0, 0.0, 1.0, 0.0]] * 6))


def _tiny(method_space, **over):
    cfg = resolve_config("is-darts", method_space, "digits", {
        "supernet.channels": 4, "supernet.cells_per_stage": 1, "supernet.layers": 3, **over})
    torch.manual_seed(0)
    return cfg, build_supernet(cfg, 10)


def test_two_survivors_on_one_input_edge_are_both_listed():
    space = get_space("darts")
    _, model = _tiny("darts")
    groups, keep = comparison_sets(space)
    for cell in space.cells:
        scores = torch.rand(14, 8) + 1.0
        scores[0, 4] = scores[0, 6] = 0.0  # node 2: sep_conv_3x3 and dil_conv_3x3, both from input 0
        scores[2, 5] = scores[4, 1] = 0.0  # node 3: two different inputs
        with torch.no_grad():
            prune_step(model.op_mask(cell.name), scores, groups, keep, steps_left=1)
    assert is_final(space, model)
    g = SELECTION_RULES.get("shrink").architecture(space, model)  # final: the masks are the genotype
    assert g.normal[:4] == [("sep_conv_3x3", 0), ("dil_conv_3x3", 0), ("sep_conv_5x5", 0), ("max_pool_3x3", 2)]
    assert len(g.normal) == len(g.reduce) == 8


def _stub_batches(which, epoch, augment=True, shuffle=True, limit=None):
    assert which == "full" and augment  # train+val, train augmentation (as ISDARTS.py)
    gen = torch.Generator().manual_seed(epoch)
    for _ in range(4):
        yield torch.randn(8, 3, 8, 8, generator=gen), torch.zeros(8, dtype=torch.long)


def test_hook_prunes_after_22_24_26_28_and_ends_with_one_op_per_edge():
    cfg, model = _tiny("nb201", **{"method.shrink.samples": 16})
    assert (cfg.epochs, cfg.method.shrink.steps, cfg.method.shrink.interval) == (30, 4, 2)
    space, rule = get_space("nb201"), SELECTION_RULES.get(cfg.method.selection)
    run = SimpleNamespace(  # the SearchRunAPI surface the hook uses, nothing more
        cfg=cfg, model=model, space=space, epoch=0, batches=_stub_batches, weight_split=lambda: "full",
        autocast=nullcontext, prepare_batch=lambda x: x, evaluate=lambda e: {"val_acc": 50.0, "val_loss": 1.0},
        architecture_metrics=lambda: architecture_metrics(space, rule.architecture(space, model)))
    hook = ShrinkHook(cfg)
    fired = []
    for epoch in range(1, 31):
        run.epoch = epoch
        metrics = {}
        hook(run, metrics)
        if metrics["shrink_step"] is not None:
            fired.append(epoch)
            last_step = metrics
            assert metrics["shrink_pruned"].count(";") == 5  # 6 pruned: one per edge
            assert metrics["shrink_remaining_cell"] == 6 * (5 - metrics["shrink_step"])
            assert metrics["decision"] == metrics["shrink_step"] and metrics["decision_acc"] == 50.0
    assert fired == [22, 24, 26, 28]
    mask = model.op_mask("cell")
    assert torch.equal(mask.sum(1), torch.ones(6)) and mask[:, 0].sum() == 0
    assert metrics["shrink_final"] and last_step["shrink_final"] and last_step["arch"].count("~") == 6
    kept = [space_ops[int(mask[e].argmax())] for e, space_ops in enumerate(run.space.cells[0].edge_ops)]
    assert all(f"{op}~" in last_step["arch"] for op in kept) and "none" not in last_step["arch"]
