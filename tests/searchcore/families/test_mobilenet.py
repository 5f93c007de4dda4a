"""The mobilenet family (docs/spaces.md): the space is ProxylessNAS' GPU-setting chain, ProxylessNAS-GPU has its
published size, the text form reads back, the supernet's relaxation and mutation are what the docs say, DARTS-PT
decides every layer once, and search -> DARTS-PT selection -> evaluation runs at micro scale on the embedded data.
(The registry-wide tests run every preset and search rule on the space; these are what is specific to it.)"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from harness.cli import main
from harness.sweepfile.load import load_sweep
from searchcore.config import SupernetConfig
from searchcore.evaluate.loop import evaluate_trainable
from searchcore.evaluate.protocols import resolve_eval_config
from searchcore.families.mobilenet import MobileNetFamily
from searchcore.mbconv import MBCONV_OPS
from searchcore.methods.mutation import EdgeMutator
from searchcore.methods.resolve import resolve_config
from searchcore.networks import build_network
from searchcore.search import LocalReporter, NullReporter, SearchRun
from searchcore.spaces import SPACES
from searchcore.supernets.base import Supernet
from searchcore.trainables.select import select_trainable

REPO = Path(__file__).resolve().parents[3]
SPACE = SPACES.get("mobilenet")
FAMILY = SPACE.family
assert isinstance(FAMILY, MobileNetFamily)
STAGE_FIRST = (0, 4, 8, 12, 16, 20)
TINY = {"epochs": 1, "supernet.channels": 4, "data.batch_size": 8, "data.limit_train_images": 32,
        "data.max_batches": 1, "data.eval_batches": 1, "threads": 1}


def test_the_space_is_proxylessnas_gpu_setting():
    layers = FAMILY.chain.layers()
    assert len(layers) == len(SPACE.cells) == 21
    assert [layer.c_out for layer in layers] == [24] * 4 + [40] * 4 + [80] * 4 + [96] * 4 + [192] * 4 + [320]
    assert [layers[i].stride for i in STAGE_FIRST] == [2, 2, 2, 1, 2, 1]
    assert (FAMILY.chain.stem, FAMILY.chain.first, FAMILY.chain.head) == (32, 16, 1280)
    for i, cell in enumerate(SPACE.cells):
        ops = cell.edge_ops[0]
        assert ops[:6] == MBCONV_OPS and len(MBCONV_OPS) == 6
        assert ops[6:] == (() if i in STAGE_FIRST else ("skip_connect",))  # skip only on shape-keeping layers
        assert cell.parametric_mask() == [[True] * 6 + [False] * (len(ops) - 6)]
    assert FAMILY.topology_nodes(SPACE) == []


def test_proxylessnas_gpu_has_its_published_size(capsys):
    """7.12 M parameters and 465.3 M FLOPs: mit-han-lab/proxylessnas logs/imagenet_gpu_log.txt (7.1 M in r-DARTS
    004_… Table 4)."""
    argv = ["params", "--space", "mobilenet", "--arch", "ProxylessNAS-GPU", "--dataset", "imagenet"]
    assert main([*argv, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert round(info["params_m"], 2) == 7.12 and round(info["flops_m"], 1) == 465.3
    assert info["network"] == "MobileNetChain" and info["num_classes"] == 1000 and info["layers"] == 21
    assert main(argv) == 0
    assert "465.3 M FLOPs" in capsys.readouterr().out
    assert main(["params", "--space", "nb201", "--arch", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["flops_m"] is None  # the other families report none


def test_text_form_reads_back_and_out_of_space_chains_are_named():
    gpu = FAMILY.parse_architecture("ProxylessNAS-GPU")
    assert gpu.width == 1.35 and FAMILY.parse_architecture(gpu.to_str()) == gpu
    assert FAMILY.op_counts(gpu) == {"n_skip": 8, "n_parametric": 13}
    assert FAMILY.check_architecture(SPACE, gpu) == []
    ops = list(gpu.layers)
    ops[4] = "skip_connect"  # the first layer of stage 2 (stride 2) cannot be skipped
    bad = gpu.from_layers(ops, FAMILY.chain.depths)
    assert "layer05" in FAMILY.check_architecture(SPACE, bad)[0]
    short = FAMILY.parse_architecture("mobilenet:" + ",".join(ops[:20]))
    assert "stages of (20,)" in FAMILY.check_architecture(SPACE, short)[0]
    for text, match in [("toy:a,b", "not a mobilenet architecture"), ("mobilenet@x:mbconv_k3_e3", "width"),
                        ("mobilenet:mbconv_k3_e3,,mbconv_k3_e3", "empty op")]:
        with pytest.raises(ValueError, match=match):
            FAMILY.parse_architecture(text)
    # the chain's depth is its architecture's: a generic `layers` (micro-scale evaluation settings) is ignored
    net = build_network("mobilenet", gpu, "digits", layers=3, channels=4)
    assert len(net.blocks) == 21 and net.first.body[3].out_channels == 8  # width 1.35 · 4/16


def test_a_softmax_layer_is_proxylessnas_residual_block_around_a_zero_candidate():
    """Σ_k w_k·candidate_k(x) with shortcut-carrying MBConvs and the identity = x + Σ_MBConv w_k·MBConv_k(x)."""
    torch.manual_seed(0)
    model = FAMILY.build_supernet(SPACE, SupernetConfig(channels=4), "softmax", 10).eval()
    layer = model.layers[1]  # layer02: shape-keeping, 7 candidates
    x = torch.randn(2, 8, 8, 8)
    w = torch.softmax(torch.randn(7), 0)
    mixed = layer(x, w[None], [list(range(7))])
    residual = x + sum(w[k] * layer.mixed[0].ops[k].body(x) for k in range(6))
    assert torch.allclose(mixed, residual, atol=1e-5)
    assert model(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_edge_mutation_turns_layers_into_random_mbconvs_only():
    mutator = EdgeMutator(1.0, torch.Generator().manual_seed(0))
    chosen = set()
    for cell in SPACE.cells:
        w = torch.full((1, cell.num_ops), 1.0 / cell.num_ops)
        w_i, active = Supernet.mutate(w, [list(range(cell.num_ops))], cell, mutator)
        (k,) = active[0]
        assert w_i[0, k] == 1 and w_i.sum() == 1 and k < 6
        chosen.add(k)
    assert len(chosen) > 1 and mutator.realised_rate == 1.0


def test_darts_pt_decides_every_layer_once_one_per_slot():
    slots, total = FAMILY.pt_schedule(SPACE, tune_epochs=3, seed=0)
    assert [s.epoch for s in slots] == [3 * k for k in range(21)] and total == 3 * 20 + 1
    assert sorted(s.cell for s in slots) == list(SPACE.cell_types)
    assert {(s.phase, s.edge) for s in slots} == {("operation", 0)}
    assert FAMILY.pt_schedule(SPACE, 3, 0) == (slots, total) and FAMILY.pt_schedule(SPACE, 3, 1)[0] != slots


def test_search_select_evaluate_at_micro_scale(tmp_path):
    last = SearchRun(resolve_config("darts-pt", "mobilenet", "digits", TINY), LocalReporter(tmp_path)).run()
    searched = FAMILY.parse_architecture(last["genotype"])
    assert last["n_skip"] + last["n_parametric"] == 21 and last["arch"] is None
    assert FAMILY.check_architecture(SPACE, searched) == []

    rep = NullReporter()
    final = select_trainable({"checkpoint": str(tmp_path), "rule": "pt", "tune_epochs": 1, "eval_batches": 1,
                              "eval_after_tune": False}, rep)
    decisions = [m for m in rep.history if m["kind"] == "decision"]
    assert len(decisions) == 21 and {d["phase"] for d in decisions} == {"operation"}
    chosen = FAMILY.parse_architecture(final["genotype"])
    by_layer = {d["cell"]: d["op"] for d in decisions}
    assert [by_layer[c] for c in SPACE.cell_types] == list(chosen.layers)

    cfg = resolve_eval_config("proxylessnas-imagenet", "mobilenet", "digits", {
        "architecture": final["genotype"], "epochs": 6, "data.batch_size": 16, "data.limit_train_images": 32,
        "data.max_batches": 1, "data.eval_batches": 1, "network.channels": 4, "threads": 1})
    assert (cfg.optim.lr, cfg.optim.label_smoothing, cfg.optim.warmup_epochs) == (0.1, 0.1, 5)
    metrics = evaluate_trainable(cfg.model_dump())
    assert metrics["epoch"] == 6 and math.isfinite(metrics["train_loss"]) and metrics["network"] == "MobileNetChain"
    assert metrics["genotype"] == final["genotype"] and metrics["n_skip"] == chosen.layers.count("skip_connect")


def test_the_table4_sweep_validates(capsys):
    path = REPO / "sweeps" / "ber" / "table4_search_mobilenet.yaml"
    assert main(["run", str(path), "--dry-run"]) == 0
    assert "6 trials" in capsys.readouterr().out
    sweep = load_sweep(path)
    lam = {t.axes["method"]: t.config["method"]["regularizer"]["lam"] for t in sweep.trials}
    assert lam["r-darts"] == 1.0  # r-DARTS 004_… Table 4, from the family's paper values
    assert {t.axes["space"] for t in sweep.trials} == {"mobilenet"}
