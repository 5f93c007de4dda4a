"""Evaluation configs and protocols: every protocol validates, cites a source for every value and runs a step at
micro scale; the config rejects unknown keys and architectures outside the space, and round-trips to YAML;
the lr schedules follow the scripts they cite."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from searchcore.evaluate.config import EVAL_KEYS, EvalConfig, eval_from_yaml, eval_to_yaml
from searchcore.evaluate.loop import EvalRun
from searchcore.evaluate.protocols import PROTOCOLS, resolve_eval_config
from searchcore.evaluate.schedules import LR_SCHEDULES, learning_rate
from searchcore.registry import UnknownNameError
from tests.searchcore.evaluate.tiny import NB201_ARCH, tiny


def _space_and_arch(protocol: str) -> tuple[str, str]:
    families = PROTOCOLS.get(protocol).families
    if families == ("mobilenet",):
        return "mobilenet", "ProxylessNAS-GPU"
    return ("nb201", NB201_ARCH) if families == ("nb201",) else ("darts", "DARTS_V2")


@pytest.mark.parametrize("name", PROTOCOLS.names())
def test_every_protocol_validates_cites_its_values_and_trains_one_step(name):
    protocol = PROTOCOLS.get(name)
    space, arch = _space_and_arch(name)
    full = resolve_eval_config(name, space, "cifar10", {"architecture": arch})  # the paper-scale config
    assert full.protocol == name and set(protocol.overrides) <= set(EVAL_KEYS)
    for key in protocol.overrides:  # every value has a source: its own, its group's (network.*) or '*'
        assert key in protocol.sources or f"{key.split('.')[0]}.*" in protocol.sources or "*" in protocol.sources
    run = EvalRun(tiny(name, space, arch))
    metrics = run.run_epoch()  # the protocol's own epoch 0 (its lr, warm-up, drop-path) at micro scale
    assert metrics["epoch"] == 1 and math.isfinite(metrics["train_loss"]) and metrics["protocol"] == name
    assert metrics["lr"] == pytest.approx(run.lr_at(0)) and metrics["epochs"] == full.epochs


def test_the_papers_numbers():
    darts = resolve_eval_config("darts-cifar", "darts", "cifar10", {"architecture": "DARTS_V2"})
    assert (darts.network.layers, darts.network.channels, darts.epochs, darts.data.batch_size) == (20, 36, 600, 96)
    assert (darts.optim.lr, darts.optim.lr_min, darts.optim.weight_decay, darts.optim.grad_clip) == (0.025, 0, 3e-4, 5)
    assert (darts.network.drop_path, darts.data.cutout, darts.network.auxiliary_weight) == (0.2, 16, 0.4)
    # the defaults are DARTS' protocol; the sizes default to the family's (20 / 36 for DARTS on CIFAR)
    sizes = {"layers": 20, "channels": 36}
    assert EvalConfig(architecture="DARTS_V2", data={"dataset": "cifar10"}, network=sizes) == darts
    assert resolve_eval_config("em-darts-cifar", "darts", "cifar10").data.batch_size == 128
    small = resolve_eval_config("reduced-small", "s2", "cifar100")
    assert (small.network.layers, small.network.channels) == (8, 16)
    imagenet = resolve_eval_config("darts-imagenet", "darts", "cifar10")
    o = imagenet.optim
    assert (imagenet.network.layers, imagenet.network.channels, imagenet.epochs, imagenet.data.batch_size) == (
        14, 48, 250, 1024)
    assert (o.lr, o.weight_decay, o.label_smoothing, o.warmup_epochs, o.schedule) == (
        0.5, 3e-5, 0.1, 5, "linear-pc-darts")
    nb = resolve_eval_config("nb201", "nb201", "cifar10")
    assert (nb.epochs, nb.optim.lr, nb.optim.nesterov, nb.optim.weight_decay, nb.data.batch_size) == (
        200, 0.1, True, 5e-4, 256)
    assert not nb.network.auxiliary and nb.network.drop_path == 0 and nb.data.cutout == 0
    is_darts = resolve_eval_config("is-darts-cifar", "darts", "cifar10")
    assert is_darts.optim.nesterov and (is_darts.optim.warmup_epochs, is_darts.optim.warmup) == (5, "prepend")


def test_schedules_follow_the_scripts():
    assert learning_rate("cosine", 0.025, 0.0, 0, 600) == 0.025
    assert learning_rate("cosine", 0.025, 0.0, 300, 600) == pytest.approx(0.0125)
    assert learning_rate("linear", 0.5, 0.0, 125, 250) == pytest.approx(0.25)
    # PC-DARTS adjust_lr: 0.5·(245 - e)/245 until 5 epochs are left, then 0.5·(250 - e)/(245·5)
    assert learning_rate("linear-pc-darts", 0.5, 0.0, 100, 250) == pytest.approx(0.5 * 145 / 245)
    assert learning_rate("linear-pc-darts", 0.5, 0.0, 249, 250) == pytest.approx(0.5 / 1225)
    # warm-up 'scale' (PC-DARTS): epoch e < 5 multiplies the schedule by (e + 1)/5
    assert learning_rate("linear-pc-darts", 0.5, 0.0, 0, 250, 5, "scale") == pytest.approx(0.5 * 245 / 245 / 5)
    assert learning_rate("linear-pc-darts", 0.5, 0.0, 5, 250, 5, "scale") == pytest.approx(0.5 * 240 / 245)
    # warm-up 'prepend' (AutoDL / IS-DARTS): 5 ramp epochs, then the cosine over the other 595 from its start
    assert [learning_rate("cosine", 0.025, 0.0, e, 600, 5, "prepend") for e in range(6)] == pytest.approx(
        [0.005, 0.01, 0.015, 0.02, 0.025, 0.025])
    assert learning_rate("cosine", 0.025, 0.0, 5 + 595 // 2, 600, 5, "prepend") == pytest.approx(
        0.0125, abs=1e-4)
    assert set(LR_SCHEDULES.names()) >= {"cosine", "linear", "linear-pc-darts", "constant"}


def test_config_round_trips_and_rejects_mistakes():
    cfg = tiny("cpu-demo", "nb201", NB201_ARCH)
    assert eval_from_yaml(eval_to_yaml(cfg)) == cfg
    with pytest.raises(ValidationError, match="extra"):
        EvalConfig.model_validate({"network": {"drop_pth": 0.1}})
    with pytest.raises(ValidationError, match=r"does not fit space s2: normal pair 7 \('dil_conv_3x3', 2\): s2 allows "
                                              "skip_connect, sep_conv_3x3"):
        EvalConfig(space="s2", architecture="DARTS_V2")
    with pytest.raises(ValidationError, match="not a genotype"):
        EvalConfig(space="darts", architecture="DARTS_V9")
    with pytest.raises(ValidationError, match="unknown lr schedule 'cosin'; allowed: cosine"):
        EvalConfig(optim={"schedule": "cosin"})
    with pytest.raises(ValidationError, match=r"warmup_epochs \(5\) must be below epochs \(3\)"):
        resolve_eval_config("darts-imagenet", "darts", "digits", {"epochs": 3})
    with pytest.raises(UnknownNameError, match="protocol 'darts-cifar' trains darts-family networks, but space "
                                               "'nb201' is nb201-family; protocols for it: nb201, cpu-demo"):
        resolve_eval_config("darts-cifar", "nb201", "digits")
    with pytest.raises(UnknownNameError, match="unknown evaluation protocol 'darts'"):
        resolve_eval_config("darts", "darts", "digits")


def test_the_transfer_protocols_follow_their_scripts():
    da = resolve_eval_config("darts-imagenet-da", "darts", "imagenet")  # DA train_imagenet.py, DARTS-PT Table 5
    assert (da.network.layers, da.network.channels, da.epochs, da.data.batch_size, da.optim.lr) == (14, 48, 250, 128,
                                                                                                    0.1)
    assert learning_rate("exponential-0.97", 0.1, 0.0, 10, 250) == pytest.approx(0.1 * 0.97 ** 10)
    isd = resolve_eval_config("is-darts-imagenet", "darts", "imagenet")  # AutoDL NAS-IMAGENET.config
    assert (isd.optim.nesterov, isd.optim.warmup_epochs, isd.optim.warmup, isd.optim.grad_clip) == (
        True, 5, "prepend", None)
    assert resolve_eval_config("is-darts-cifar", "darts", "cifar10").optim.grad_clip is None  # basic_main: no clip
    single = resolve_eval_config("single-darts-cifar", "darts", "cifar10")  # 003 §5.1.2: 14 cells, 128, 0.3
    assert (single.network.layers, single.network.channels, single.data.batch_size, single.network.drop_path) == (
        14, 36, 128, 0.3)
    single_in = resolve_eval_config("single-darts-imagenet", "darts", "imagenet")  # 1024/0.5 scaled by 0.75
    assert (single_in.data.batch_size, single_in.optim.lr, single_in.optim.warmup_epochs) == (768, 0.375, 5)
