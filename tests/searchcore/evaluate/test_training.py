"""The evaluation loop does what the papers' train.py does: auxiliary loss at 0.4 in training only, drop-path
ramped per epoch and never on identities, the parameter counts of `dartsweep params`, exact resume; and the
genotypes the selection methods produce (IS-DARTS, DARTS-PT, S1-S5) build and train."""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch.nn import functional as F

from analysis.columns import is_known
from harness.cli import main
from searchcore.architectures.darts import Genotype, derive_darts, genotype_from_masks
from searchcore.evaluate import loop
from searchcore.evaluate.loop import EvalRun, build_eval_network, evaluate_trainable, parse_architecture
from searchcore.evaluate.protocols import resolve_eval_config
from searchcore.evaluate.steps import eval_loss, split_output, train_step
from searchcore.networks import darts as darts_networks
from searchcore.networks.params import count_parameters_m
from searchcore.search import LocalReporter, NullReporter
from searchcore.spaces import get_space
from tests.searchcore.evaluate.tiny import NB201_ARCH, tiny


def test_auxiliary_loss_has_weight_0_4_and_exists_in_training_only():
    run = EvalRun(tiny())
    x, y = next(run.data.train_batches(0, 0))
    logits, aux = split_output(run.model.train()(x))
    assert aux is not None
    total, main = eval_loss(logits, aux, y, 0.4, 0.0)
    assert main.item() == pytest.approx(F.cross_entropy(logits, y).item())
    assert total.item() == pytest.approx((F.cross_entropy(logits, y) + 0.4 * F.cross_entropy(aux, y)).item())
    with torch.no_grad():
        assert split_output(run.model.eval()(x))[1] is None  # tested without the head
    # the head learns only through its loss term: weight 0 leaves its parameters untouched, 0.4 moves them
    head = dict(run.model.auxiliary_head.named_parameters())
    for weight, moves in ((0.0, False), (0.4, True)):
        before = {k: p.detach().clone() for k, p in head.items()}
        train_step(run.model.train(), run.optimizer, x, y, auxiliary_weight=weight, label_smoothing=0.0, grad_clip=5.0)
        assert any(not torch.equal(before[k], p) for k, p in head.items()) is moves


def test_drop_path_ramps_linearly_per_epoch_and_never_touches_an_identity(monkeypatch):
    cfg = tiny(epochs=4, network__drop_path=0.3, data__max_batches=1,
               architecture=Genotype([("skip_connect", 0), ("sep_conv_3x3", 1)] * 4, [2, 3, 4, 5],
                                     [("max_pool_3x3", 0), ("skip_connect", 1)] * 4, [2, 3, 4, 5]).to_str())
    dropped: list[float] = []
    real = darts_networks.drop_path

    def spy(x, p):
        dropped.append(p)
        return real(x, p)

    monkeypatch.setattr(darts_networks, "drop_path", spy)
    reporter = NullReporter()
    run = EvalRun(cfg, reporter)
    run.run()
    probs = [r["drop_prob"] for r in reporter.history]
    assert probs == pytest.approx([0.3 * e / 4 for e in range(4)])  # DA train.py: drop_path·epoch/epochs
    assert set(dropped) == set(probs[1:])  # epoch 0 drops nothing (p = 0)
    # per training forward: 3 cells x 8 ops; the normal cells' 4 identities are never passed to drop_path
    ops_per_forward = 8 * 3
    identities_per_forward = 4 * 1  # one normal cell (layers 3: cells 1 and 2 reduce)
    train_forwards = 3  # epochs 1..3, one batch each
    assert len(dropped) == train_forwards * (ops_per_forward - identities_per_forward)
    assert run.model.drop_path_prob == probs[-1]


def test_lr_and_metrics_per_epoch_and_every_column_is_documented():
    reporter = NullReporter()
    final = evaluate_trainable(tiny(epochs=3).model_dump(mode="json"), reporter)
    rows = reporter.history
    assert [r["epoch"] for r in rows] == [1, 2, 3] and final == rows[-1]
    assert [r["lr"] for r in rows] == pytest.approx([0.025 * (1 + math.cos(e * math.pi / 3)) / 2 for e in range(3)])
    for key in ("train_loss", "train_acc", "test_loss", "test_acc", "test_acc_top5", "epoch_seconds",
                "peak_memory_mb", "params_m", "genotype", "n_skip"):
        assert rows[-1][key] is not None, key
    assert rows[-1]["peak_memory_mb"] > 0 and rows[-1]["genotype"].startswith("Genotype(normal=[('sep_conv_3x3', 0)")
    assert sorted(k for k in rows[-1] if not is_known(k)) == []


@pytest.mark.parametrize(("protocol", "space", "arch", "dataset"), [
    ("darts-cifar", "darts", "DARTS_V2", "cifar10"),      # 3.349 M, the DARTS paper
    ("reduced-small", "s3", "ALL_SEP3", "cifar100"),      # 8 cells, C=16, 100 classes
    ("nb201", "nb201", NB201_ARCH, "cifar100"),
])
def test_parameter_counts_match_dartsweep_params(protocol, space, arch, dataset, capsys):
    cfg = resolve_eval_config(protocol, space, dataset, {"architecture": arch})
    classes = {"cifar10": 10, "cifar100": 100}[dataset]
    params_m = count_parameters_m(build_eval_network(cfg, parse_architecture(cfg), classes))
    assert main(["params", "--space", space, "--arch", arch, "--dataset", dataset, "--layers",
                 str(cfg.network.layers), "--channels", str(cfg.network.channels), "--json"]) == 0
    assert params_m == json.loads(capsys.readouterr().out)["params_m"]
    if protocol == "darts-cifar":
        assert params_m == pytest.approx(3.3493, abs=5e-5)


def test_a_paper_scale_network_reports_its_paper_parameter_count():
    cfg = tiny(network__layers=20, network__channels=36, data__batch_size=2, data__max_batches=1, epochs=1)
    final = evaluate_trainable(cfg.model_dump(mode="json"), NullReporter())
    assert final["params_m"] == pytest.approx(3.349, abs=1e-3) and final["network"] == "NetworkCIFAR"


class _Interrupt(Exception):
    pass


class _DiesAfter(LocalReporter):
    """Persists reports like LocalReporter, then dies after ``n`` of them (a killed trial)."""

    def __init__(self, out, n):
        super().__init__(out)
        self.n = n

    def report(self, metrics, checkpoint_dir=None):
        super().report(metrics, checkpoint_dir)
        if len(self.history) == self.n:
            raise _Interrupt


def test_resume_reproduces_the_uninterrupted_run_exactly(tmp_path):
    cfg = tiny(epochs=3, network__drop_path=0.3)  # drop-path and cutout draw random numbers every epoch
    whole = EvalRun(cfg, LocalReporter(tmp_path / "whole"))
    whole.run()
    with pytest.raises(_Interrupt):
        EvalRun(cfg, _DiesAfter(tmp_path / "cut", 2)).run()
    resumed = EvalRun(cfg, LocalReporter(tmp_path / "cut", resume=True))
    resumed.run()
    rows = {name: [json.loads(line) for line in (tmp_path / name / "metrics.jsonl").read_text().splitlines()]
            for name in ("whole", "cut")}
    for key in ("train_loss", "test_loss", "lr", "drop_prob", "train_acc"):
        assert [r[key] for r in rows["cut"]] == [r[key] for r in rows["whole"]], key
    for (name, a), b in zip(whole.model.state_dict().items(), resumed.model.state_dict().values()):
        assert torch.equal(a, b), name


def _selection_genotypes() -> list[tuple[str, str]]:
    out = []
    generator = torch.Generator().manual_seed(0)
    for space_name in ("s1", "s2", "s3", "s4", "s5"):  # DARTS' argmax rule on each space's own per-edge op sets
        space = get_space(space_name)
        weights = {c.name: torch.rand(c.num_edges, c.num_ops, generator=generator) for c in space.cells}
        out.append((space_name, derive_darts(space, weights).to_str()))
    space = get_space("darts")  # IS-DARTS' shrink keeps two (input, op) pairs per node, possibly on one edge
    masks = {c.name: torch.zeros(c.num_edges, c.num_ops) for c in space.cells}
    for cell in masks.values():  # node 2: both ops on edge 0 -> 2; nodes 3-5: two edges each
        for e, k in ((0, 4), (0, 7), (2, 3), (4, 5), (5, 6), (8, 1), (9, 2), (13, 4)):
            cell[e, k] = 1
    out.append(("darts", genotype_from_masks(space, masks).to_str()))
    # DARTS-PT after its topology step: two inputs per node, the ops it kept (darts7: no 'none')
    out.append(("darts7", Genotype([("sep_conv_3x3", 0), ("dil_conv_5x5", 1), ("skip_connect", 0),
                                    ("sep_conv_5x5", 2), ("sep_conv_3x3", 1), ("max_pool_3x3", 3),
                                    ("dil_conv_3x3", 4), ("avg_pool_3x3", 0)], [2, 3, 4, 5],
                                   [("max_pool_3x3", 0), ("avg_pool_3x3", 1)] * 4, [2, 3, 4, 5]).to_str()))
    return out


@pytest.mark.parametrize(("space", "genotype"), _selection_genotypes(), ids=lambda v: v if len(v) < 8 else "")
def test_genotypes_of_the_selection_methods_build_and_train(space, genotype):
    cfg = tiny(space=space, architecture=genotype, epochs=1, data__max_batches=1)
    final = EvalRun(cfg).run()
    assert final["genotype"] == parse_architecture(cfg).to_str() and final["train_loss"] > 0


def test_an_is_darts_node_may_take_two_ops_from_one_edge():
    genotype = next(g for s, g in _selection_genotypes() if s == "darts")
    normal = parse_architecture(tiny(architecture=genotype)).normal
    assert normal[0][1] == normal[1][1] == 0  # node 2: both ops on edge 0 -> 2


def test_a_network_that_cannot_be_built_is_a_one_line_error():
    cfg = tiny(architecture=Genotype([("sep_conv_3x3", 0)] * 3, [2, 3], [("max_pool_3x3", 0)] * 2, [2]).to_str())
    with pytest.raises(ValueError, match="cannot build the network of Genotype"):
        EvalRun(cfg)
    with pytest.raises(ValueError, match="no architecture to evaluate"):
        EvalRun(resolve_eval_config("cpu-demo", "darts", "digits"))


def test_nb201_networks_train_without_auxiliary_head_or_drop_path():
    final = EvalRun(tiny("nb201", "nb201", NB201_ARCH, network__layers=1, epochs=2)).run()
    assert final["network"] == "NB201Network" and final["drop_prob"] == 0.0 and final["arch"] == NB201_ARCH


def test_loop_module_is_importable_without_the_harness():
    assert loop.STATE_KIND == "evaluate"
