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


def test_paper_defaults_of_the_presets():
    """Each value is one a paper states (the preset sources cite where); each failed before issue 10."""
    single = resolve_config("single-darts", "nb201", "cifar10")
    assert single.optim.lr == 0.005  # 003_… §5.1.1
    assert single.method.single_update == "combined"  # Eq. 16
    assert single.method.alpha_init_value == pytest.approx(-math.log(7))  # §5.1.2
    assert single.method.arch_optim.weight_decay == 0.0  # §5.1.2
    assert single.method.selection == "argmax-no-none"
    imagenet = PRESETS.get("single-darts")("darts", "imagenet").overrides  # ImageNet search: not in memory
    assert imagenet["data.batch_size"] == 360 and "optim.lr" not in imagenet  # §5.1.2: 360, lr 0.025
    assert resolve_config("single-darts", "darts", "cifar10").optim.lr == 0.025
    assert resolve_config("r-darts", "nb201", "cifar10").method.regularizer.lam == 0.5  # 004_… Table 1
    assert resolve_config("r-darts", "darts", "cifar10").method.regularizer.lam == 1.0  # Tables 2, 4
    em = resolve_config("em-darts", "nb201", "cifar10")  # 000_… A.5.1
    assert (em.optim.weight_decay, em.method.arch_optim.lr, em.method.arch_optim.weight_decay) == (5e-4, 1e-4, 1e-3)
    assert em.method.arch_optim.betas == (0.5, 0.999)
    assert resolve_config("em-darts", "darts", "cifar10").optim.weight_decay == 3e-4  # A.5.2
    pt = resolve_config("darts-pt", "nb201", "cifar10")  # darts-201.sh, nasbench201/search_model.py
    assert (pt.epochs, pt.supernet.track_running_stats, pt.optim.nesterov, pt.data.split) == (100, True, False,
                                                                                            "ordered")
    assert resolve_config("darts-pt", "darts", "cifar10").epochs == 50  # darts-sota.sh
    is_darts = resolve_config("is-darts", "darts", "cifar10")
    assert (is_darts.supernet.pool_bn, is_darts.supernet.final_bn_relu) == (False, True)
    for method in ("darts", "em-darts", "beta-darts", "r-darts", "darts-pt"):
        assert resolve_config(method, "nb201", "cifar10").data.split == "ordered", method


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
