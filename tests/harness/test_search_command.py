"""`dartsweep search`, `methods`, `spaces` from the command line (no Ray)."""

import json

from harness.cli import main


def test_quick_start_search_runs_one_nb201_epoch_with_summary(tmp_path, capsys, nb201_table_path):
    args = ["search", "--space", "nb201", "--dataset", "digits", "--epochs", "1",
            "--set", "supernet.channels=8", "--set", "supernet.cells_per_stage=2", "--out", str(tmp_path)]
    if nb201_table_path:
        args += ["--nb201-table", nb201_table_path]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "summary" in out and "genotype" in out and "|+|" in out
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [1]
    assert (tmp_path / "checkpoint" / "state.pt").exists() and (tmp_path / "config.yaml").exists()
    if nb201_table_path:
        assert rows[0]["nb201_cifar10_test"] is not None


def test_bad_input_is_one_line_with_the_allowed_values(capsys, tmp_path):
    assert main(["search", "--method", "em-dart", "--epochs", "1"]) == 2
    assert "allowed: beta-darts, darts" in capsys.readouterr().err
    assert main(["search", "--set", "method.mutation.p_max=2", "--print-config"]) == 2
    assert "method.mutation.p_max" in capsys.readouterr().err
    assert main(["search", "--dataset", "cifar10", "--epochs", "1", "--out", str(tmp_path / "out")]) == 2
    assert "cifar-10-batches-py/data_batch_1" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing half-written
    assert main(["search", "--dataset", "mnist", "--print-config"]) == 2
    assert "unknown dataset 'mnist'; allowed: cifar10, cifar100, svhn, digits" in capsys.readouterr().err


def test_print_config_round_trips_overrides(capsys):
    assert main(["search", "--method", "em-darts", "--set", "method.mutation.growth=cosine", "--print-config"]) == 0
    out = capsys.readouterr().out
    assert "growth: cosine" in out and "forward: edge_mutation" in out


def test_methods_and_spaces_list_the_registries(capsys):
    assert main(["methods"]) == 0
    out = capsys.readouterr().out
    for name in ("darts:", "em-darts:", "single-darts:", "r-darts:", "beta-darts:", "is-darts:"):
        assert name in out
    assert "source [method.mutation.p_max]" in out
    assert main(["spaces"]) == 0
    assert "s5" in capsys.readouterr().out
