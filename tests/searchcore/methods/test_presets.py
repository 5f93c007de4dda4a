import math

import pytest
import torch
from pydantic import ValidationError

from searchcore.methods.presets import PRESETS
from searchcore.methods.resolve import resolve_config
from searchcore.registry import UnknownNameError
from searchcore.supernets import build_supernet


def test_em_darts_p_max_per_space_and_dataset():
    get = lambda s, d: resolve_config("em-darts", s, d).method.mutation.p_max  # noqa: E731
    assert get("nb201", "cifar10") == 0.2
    assert get("darts", "cifar10") == 0.125 and get("s5", "cifar10") == 0.125
    assert (get("s1", "cifar10"), get("s2", "cifar10"), get("s3", "cifar10"), get("s4", "cifar10")) == (
        0.2, 0.25, 0.2, 0.2)
    assert (get("s1", "cifar100"), get("s2", "cifar100"), get("s4", "cifar100")) == (0.4, 0.2, 0.4)
    assert (get("s1", "svhn"), get("s2", "svhn"), get("s3", "svhn")) == (0.4, 0.4, 0.2)
    assert resolve_config("em-darts", "nb201", "cifar10").method.arch_optim.lr == 1e-4


def test_every_preset_cites_its_sources():
    for name, fn in PRESETS.items():
        preset = fn("nb201", "cifar10")
        assert preset.summary and preset.sources, name


def test_composition_is_one_override():
    cfg = resolve_config("em-darts", "nb201", "digits", {"method.regularizer.kind": "entropy",
                                                         "method.regularizer.lam": 0.1,
                                                         "method.level": "single"})
    assert cfg.method.forward == "edge_mutation" and cfg.method.regularizer.kind == "entropy"
    assert cfg.method.level == "single"


def test_sigmoid_init_gives_one_over_num_ops_on_darts():
    cfg = resolve_config("single-darts", "darts", "digits", {"supernet.layers": 3, "supernet.channels": 4})
    net = build_supernet(cfg, 10)
    net.init_alphas(cfg.method.alpha_init, cfg.method.alpha_init_std, cfg.method.alpha_init_value,
                    torch.Generator())
    w = net.edge_weights()["normal"]
    assert torch.allclose(w, torch.full_like(w, 1 / 8))
    assert net.alphas["normal"][0, 0].item() == pytest.approx(-math.log(7))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"method.mutation.p_max": 1.5}, "less than or equal to 1"),
        ({"method.regularizer.lam": -1}, "greater than or equal to 0"),
        ({"epochs": 0}, "greater than or equal to 1"),
        ({"method.growth": "linear"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_values_are_rejected(overrides, message):
    with pytest.raises(ValidationError, match=message):
        resolve_config("em-darts", "nb201", "digits", overrides)


def test_unknown_preset_and_space():
    with pytest.raises(UnknownNameError, match="allowed: beta-darts, darts"):
        resolve_config("em-dart", "nb201", "digits")
    with pytest.raises(UnknownNameError, match="search space"):
        resolve_config("darts", "nb202", "digits")
