"""The ``random`` trainable: one uniformly drawn architecture per seed, reported once with the architecture
columns a search reports, NB201 ground truth from a table, mean ± std over seeds with ``analysis``."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from analysis.columns import is_known
from analysis.tables import summarise
from searchcore.nb201.table import NB201Table
from searchcore.search import NullReporter
from searchcore.search.metrics import architecture_metrics
from searchcore.spaces import SPACES
from searchcore.trainables.random_sample import RandomSampleConfig, random_trainable, sample
from tests.helpers.nb201_table import synthetic_accuracy, write_synthetic_nb201_table

NB201_TEST_COLUMNS = ("nb201_cifar10_test", "nb201_cifar100_test", "nb201_imagenet16_test")


@pytest.fixture(scope="module")
def synthetic_table(tmp_path_factory) -> str:
    return str(write_synthetic_nb201_table(tmp_path_factory.mktemp("nb201") / "synthetic.csv"))


def _run(**config) -> tuple[dict, list[dict]]:
    reporter = NullReporter()
    final = random_trainable(config, reporter)
    return final, reporter.history


@pytest.mark.parametrize("space", ["nb201", "darts", "s1", "s5"])
def test_one_row_with_the_search_architecture_columns(space):
    final, history = _run(space=space, seed=2)
    assert history == [final]  # exactly one report: epoch 1 of 1
    assert final["method"] == "random" and final["epoch"] == final["epochs"] == 1
    s = SPACES.get(space)
    arch = s.family.parse_architecture(final["genotype"])  # what a chained evaluation reads back
    assert s.family.check_architecture(s, arch) == []
    assert final == {"method": "random", "epochs": 1, "epoch": 1, **architecture_metrics(s, arch)}
    assert all(is_known(k) for k in final), [k for k in final if not is_known(k)]


def test_seeds_reproduce_and_differ():
    assert _run(space="s5", seed=4)[0] == _run(space="s5", seed=4)[0]
    genotypes = {_run(space="s5", seed=s)[0]["genotype"] for s in range(6)}
    assert len(genotypes) == 6


def test_the_draw_does_not_depend_on_the_dataset():
    a = sample(RandomSampleConfig(space="darts", seed=1, dataset="cifar10"))
    assert sample(RandomSampleConfig(space="darts", seed=1, dataset="digits")) == a


def test_nb201_rows_carry_the_tables_accuracies(synthetic_table):
    final, _ = _run(space="nb201", seed=0, nb201_table=synthetic_table)
    ops = tuple(SPACES.get("nb201").family.parse_architecture(final["genotype"]).ops)
    assert final["arch"] == final["genotype"]
    for column in ("cifar10_valid", "cifar10_test", "cifar100_test", "imagenet16_test"):
        assert final[f"nb201_{column}"] == pytest.approx(synthetic_accuracy(ops, column))


def test_a_table_is_ignored_on_spaces_without_a_benchmark(synthetic_table):
    final, _ = _run(space="s5", seed=0, nb201_table=synthetic_table)
    assert not any(k.startswith("nb201_") for k in final) and final["arch"] is None


def test_mean_and_std_over_seeds_on_nb201(synthetic_table):
    seeds = range(10)
    rows = [{"seed": s, "status": "TERMINATED", **_run(space="nb201", seed=s, nb201_table=synthetic_table)[0]}
            for s in seeds]
    summary = summarise(pd.DataFrame(rows), ["method"], list(NB201_TEST_COLUMNS))
    assert list(summary["method"]) == ["random"] and int(summary["n"].iloc[0]) == 10
    expected = pd.Series([r["nb201_cifar10_test"] for r in rows])
    assert summary["nb201_cifar10_test_mean"].iloc[0] == pytest.approx(expected.mean())
    assert summary["nb201_cifar10_test_std"].iloc[0] == pytest.approx(expected.std(ddof=1))
    assert summary["nb201_cifar10_test_std"].iloc[0] > 0  # ten draws are not all the same cell


def test_on_the_real_nb201_table(nb201_table_path):
    if nb201_table_path is None:
        pytest.skip("shared NB201 CSV not found (set DARTSWEEP_NB201_CSV)")
    table = NB201Table.load(nb201_table_path)
    rows = [_run(space="nb201", seed=s, nb201_table=nb201_table_path)[0] for s in range(10)]
    for row in rows:
        assert row["nb201_cifar10_test"] == pytest.approx(table.lookup(row["arch"])["cifar10_test"])
    mean = sum(r["nb201_cifar10_test"] for r in rows) / len(rows)
    assert 10.0 <= mean <= 94.37  # at best the benchmark's optimum (EM-DARTS Table 1 "Optimal" row)


def test_the_config_rejects_unknown_names_and_keys():
    with pytest.raises(ValidationError, match="unknown search space 'nb2011'; allowed: .*nb201"):
        RandomSampleConfig(space="nb2011")
    with pytest.raises(ValidationError, match="unknown dataset 'cifar11'"):
        RandomSampleConfig(dataset="cifar11")
    with pytest.raises(ValidationError, match="epochs"):
        RandomSampleConfig.model_validate({"space": "nb201", "epochs": 50})
    with pytest.raises(ValidationError):
        RandomSampleConfig(seed=-1)
