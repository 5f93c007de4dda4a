"""``build_network``, ``num_classes_for`` and the ``dartsweep params`` command."""

from __future__ import annotations

import json

import pytest

from harness.cli import main
from searchcore.architectures.darts import GENOTYPES, genotype_space_violations
from searchcore.networks import (
    NB201Network,
    NetworkCIFAR,
    NetworkImageNet,
    build_network,
    count_parameters_m,
    num_classes_for,
)
from searchcore.spaces import get_space

BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


@pytest.mark.parametrize(
    ("dataset", "classes"),
    [("cifar10", 10), ("cifar100", 100), ("svhn", 10), ("imagenet16", 120), ("imagenet", 1000),
     ("digits", 10), ("fashion-mnist", 10)],
)
def test_num_classes_for(dataset: str, classes: int) -> None:
    assert num_classes_for(dataset) == classes


def test_num_classes_for_unknown_lists_allowed() -> None:
    with pytest.raises(ValueError, match="cifar100"):
        num_classes_for("mnist")


def test_build_network_picks_the_network() -> None:
    assert isinstance(build_network("nb201", BEST, "cifar10", 1, 4), NB201Network)
    cifar = build_network("s3", "ALL_SEP3", "cifar100", 5, 8)
    assert isinstance(cifar, NetworkCIFAR) and len(cifar.cells) == 5 and cifar.classifier.out_features == 100
    assert isinstance(build_network("darts", GENOTYPES.get("DARTS_V2"), "imagenet", 5, 8), NetworkImageNet)
    assert count_parameters_m(build_network("darts", "DARTS_V2")) == pytest.approx(3.3493, abs=1e-4)
    with pytest.raises(ValueError, match="NB201 arch string"):
        build_network("nb201", "DARTS_V2")
    with pytest.raises(ValueError, match="does not fit space s2"):
        build_network("s2", "DARTS_V2")


def test_genotype_space_violations() -> None:
    assert genotype_space_violations(get_space("darts"), GENOTYPES.get("DARTS_V2")) == []
    assert genotype_space_violations(get_space("s2"), GENOTYPES.get("ALL_SEP3")) == []
    assert genotype_space_violations(get_space("s2"), GENOTYPES.get("DARTS_V2"))  # max pools are not in S2


def test_cli_darts_v2(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["params", "--space", "darts", "--genotype", "DARTS_V2", "--layers", "20", "--channels", "36",
            "--dataset", "cifar10"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "3.349 M" in lines
    assert abs(float(lines[0].split()[0]) - 3.349) <= 1e-3


def test_cli_json_and_nb201(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", "--space", "nb201", "--arch", BEST, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["params_m"] == pytest.approx(1.2885, abs=1e-4)
    assert info["network"] == "NB201Network" and info["num_classes"] == 10


def test_cli_imagenet_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", "--space", "darts", "--genotype", "DARTS_V2", "--dataset", "imagenet", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["network"] == "NetworkImageNet" and info["layers"] == 14 and info["channels"] == 48


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--space", "darts", "--genotype", "NOPE"], "DARTS_V2"),
        (["--space", "nb201", "--arch", "|bad~0|+|none~0|none~1|+|none~0|none~1|none~2|"], "nor_conv_3x3"),
        (["--space", "nb201", "--genotype", "DARTS_V2"], "not an NB201 arch string"),
        (["--space", "darts", "--arch", BEST], "Genotype(normal="),
        (["--space", "nope", "--genotype", "DARTS_V2"], "s1"),
        (["--space", "darts", "--genotype", "DARTS_V2", "--dataset", "mnist"], "cifar100"),
        (["--space", "s2", "--genotype", "DARTS_V2"], "skip_connect, sep_conv_3x3"),
    ],
)
def test_cli_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", *argv]) == 2
    err = capsys.readouterr().err
    assert "error" in err and message in err
