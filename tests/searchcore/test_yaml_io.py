"""YAML 1.2 numbers and booleans, and no aliases, for every config, sweep file and --set value."""

import pytest
import yaml

from searchcore.config import parse_value
from searchcore.yaml_io import load_yaml


@pytest.mark.parametrize(("text", "value"), [
    ("1e-3", 0.001), ("1.0e+6", 1e6), ("-2E-2", -0.02), ("0.5", 0.5), (".5", 0.5), ("3", 3), ("1_000", 1000),
    ("true", True), ("false", False), ("yes", "yes"), ("no", "no"), ("on", "on"), ("null", None),
    (".inf", float("inf")),
])
def test_scalars_follow_yaml_1_2(text, value):
    assert load_yaml(f"v: {text}")["v"] == value
    assert parse_value(text) == value


def test_a_grid_of_numbers_is_numbers():
    assert load_yaml("grid:\n  optim.lr: [1e-3, 0.01, 2.5e-2]")["grid"]["optim.lr"] == [0.001, 0.01, 0.025]


def test_aliases_are_refused_so_an_alias_bomb_cannot_hang_validation():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n"
    with pytest.raises(yaml.YAMLError, match=r"alias \*a is not allowed"):
        load_yaml(bomb)


def test_yes_is_not_an_epoch_count():
    from pydantic import ValidationError

    from searchcore.methods.resolve import resolve_config

    with pytest.raises(ValidationError, match="epochs"):
        resolve_config("darts", "nb201", "digits", {"epochs": parse_value("yes")})
