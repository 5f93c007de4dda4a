"""DARTS evaluation networks: the papers' parameter counts (reference-notes §3.3) and forward shapes."""

from __future__ import annotations

import pytest
import torch

from searchcore.architectures.darts import GENOTYPES, Genotype
from searchcore.networks import NetworkCIFAR, NetworkImageNet, count_parameters_m, drop_path
from searchcore.networks.darts import EvalCell
from searchcore.ops import Identity

# (genotype, classes, layers, C, params M): counts of DA's counting rule, reference-notes §3.3.
PAPER_COUNTS = [
    ("DARTS_V2", 10, 20, 36, 3.3493),
    ("DARTS_V1", 10, 20, 36, 3.1694),
    ("ALL_SKIP", 10, 20, 36, 1.5810),
    ("ALL_SEP3", 10, 20, 36, 4.7017),
    ("ALL_SEP3", 100, 20, 36, 4.7536),
    ("DARTS_V2", 10, 8, 16, 0.2461),
]

# IS-DARTS-like: a node whose two ops read the same state (reference-notes §6).
SAME_INPUT = Genotype(
    normal=[("sep_conv_3x3", 1), ("dil_conv_5x5", 1), ("skip_connect", 0), ("sep_conv_3x3", 2),
            ("max_pool_3x3", 3), ("avg_pool_3x3", 3), ("sep_conv_5x5", 0), ("none", 4)],
    normal_concat=[2, 3, 4, 5],
    reduce=[("dil_conv_5x5", 0), ("sep_conv_5x5", 0), ("skip_connect", 1), ("skip_connect", 1),
            ("dil_conv_3x3", 2), ("max_pool_3x3", 2), ("avg_pool_3x3", 3), ("skip_connect", 4)],
    reduce_concat=[2, 3, 4, 5],
)


@pytest.mark.parametrize(("name", "classes", "layers", "channels", "expected"), PAPER_COUNTS)
def test_paper_parameter_counts(name: str, classes: int, layers: int, channels: int, expected: float) -> None:
    model = NetworkCIFAR(channels, classes, layers, auxiliary=True, genotype=GENOTYPES.get(name))
    assert count_parameters_m(model) == pytest.approx(expected, abs=5e-4)


def test_darts_v2_cifar10_is_3_349() -> None:
    model = NetworkCIFAR(36, 10, 20, auxiliary=True, genotype=GENOTYPES.get("DARTS_V2"))
    assert count_parameters_m(model) == pytest.approx(3.349, abs=1e-3)


def test_count_excludes_only_the_auxiliary_head() -> None:
    g = GENOTYPES.get("DARTS_V2")
    with_aux = NetworkCIFAR(8, 10, 5, auxiliary=True, genotype=g)
    without = NetworkCIFAR(8, 10, 5, auxiliary=False, genotype=g)
    assert count_parameters_m(with_aux) == count_parameters_m(without)
    total = sum(p.numel() for p in with_aux.parameters()) / 1e6
    assert total > count_parameters_m(with_aux)


def _small(genotype: Genotype | None = None, auxiliary: bool = True) -> NetworkCIFAR:
    torch.manual_seed(0)
    return NetworkCIFAR(8, 10, 5, auxiliary=auxiliary, genotype=genotype or GENOTYPES.get("DARTS_V2"))


def test_cifar_forward_train_and_eval_with_auxiliary() -> None:
    model = _small()
    model.drop_path_prob = 0.2
    x = torch.randn(2, 3, 32, 32)
    logits, aux = model.train()(x)
    assert logits.shape == (2, 10) and aux is not None and aux.shape == (2, 10)
    (logits.sum() + 0.4 * aux.sum()).backward()
    with torch.no_grad():
        logits, aux = model.eval()(x)
    assert logits.shape == (2, 10) and aux is None


def test_cifar_forward_without_auxiliary() -> None:
    logits, aux = _small(auxiliary=False).train()(torch.randn(2, 3, 32, 32))
    assert logits.shape == (2, 10) and aux is None


def test_same_input_twice_builds_and_runs() -> None:
    model = _small(SAME_INPUT)
    model.drop_path_prob = 0.1
    logits, aux = model.train()(torch.randn(2, 3, 32, 32))
    assert logits.shape == (2, 10) and aux.shape == (2, 10)
    assert model.cells[0].indices[:2] == [1, 1]


def test_imagenet_forward_at_64px() -> None:
    torch.manual_seed(0)
    model = NetworkImageNet(8, 20, 5, auxiliary=False, genotype=GENOTYPES.get("DARTS_V2"))
    x = torch.randn(2, 3, 64, 64)
    logits, aux = model.train()(x)
    assert logits.shape == (2, 20) and aux is None
    with torch.no_grad():
        logits, aux = model.eval()(x)
    assert logits.shape == (2, 20) and aux is None


def test_imagenet_auxiliary_head_at_224px() -> None:
    """DA's ImageNet head expects the 224 px geometry (7x7 after the second reduction)."""
    torch.manual_seed(0)
    model = NetworkImageNet(8, 20, 3, auxiliary=True, genotype=GENOTYPES.get("DARTS_V2"))
    logits, aux = model.train()(torch.randn(2, 3, 224, 224))
    assert logits.shape == (2, 20) and aux.shape == (2, 20)


def test_imagenet_darts_v2_mobile_count() -> None:
    # DARTS paper Table 3: 4.7 M for DARTS_V2 in the ImageNet mobile setting (C = 48, 14 cells).
    model = NetworkImageNet(48, 1000, 14, auxiliary=True, genotype=GENOTYPES.get("DARTS_V2"))
    assert count_parameters_m(model) == pytest.approx(4.7188, abs=5e-4)


def test_reduction_cells_and_strides() -> None:
    model = _small()
    assert [c.reduction for c in model.cells] == [False, True, False, True, False]
    red = model.cells[1]
    strides = [getattr(op, "stride", None) for op in red.ops]
    assert strides[0] == 2 and strides[1] == 2  # max pools from inputs 0 and 1


def test_drop_path_zeroes_whole_samples_and_rescales() -> None:
    torch.manual_seed(0)
    x = torch.ones(256, 2, 3, 3)
    y = drop_path(x, 0.5)
    per_sample = y.flatten(1)
    assert set(per_sample.unique().tolist()) <= {0.0, 2.0}
    assert torch.all(per_sample.min(1).values == per_sample.max(1).values)
    assert 64 < int((per_sample[:, 0] == 0).sum()) < 192
    assert drop_path(x, 0.0) is x


def test_drop_path_spares_identities_and_eval_mode() -> None:
    genotype = GENOTYPES.get("ALL_SKIP")
    cell = EvalCell(list(genotype.normal), [2, 3, 4, 5], 4, 4, 4, reduction=False, reduction_prev=False)
    assert all(isinstance(op, Identity) for op in cell.ops)
    s = torch.randn(3, 4, 8, 8)
    cell.train()
    torch.manual_seed(1)
    out_dropped = cell(s, s, 0.9)
    torch.manual_seed(1)
    out_plain = cell(s, s, 0.0)
    assert torch.equal(out_dropped, out_plain)  # identities are never dropped

    sep = GENOTYPES.get("ALL_SEP3")
    cell = EvalCell(list(sep.normal), [2, 3, 4, 5], 4, 4, 4, reduction=False, reduction_prev=False).eval()
    with torch.no_grad():
        assert torch.equal(cell(s, s, 0.9), cell(s, s, 0.0))  # no drop path in eval mode


@pytest.mark.parametrize(
    "pairs",
    [[("sep_conv_3x3", 2), ("sep_conv_3x3", 1)], [("sep_conv_3x3", 0)], []],
)
def test_malformed_cells_are_rejected(pairs: list[tuple[str, int]]) -> None:
    with pytest.raises(ValueError):
        EvalCell(pairs, [2], 4, 4, 4, reduction=False, reduction_prev=False)
