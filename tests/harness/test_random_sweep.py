"""The ``random`` baseline as a sweep: validation of its sweep files (no Ray), one end-to-end ``dartsweep
run`` on local Ray (NB201 with a synthetic table and S5, 3 seeds each), ``dartsweep table`` on its Parquet,
and ``dartsweep methods`` listing it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest
import ray

from harness.cli import main
from harness.sweepfile.load import load_sweep
from harness.trainables import TRAINABLES
from tests.helpers.nb201_table import write_synthetic_nb201_table

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, body: str, name: str = "random.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_the_shipped_nb201_sweep_expands_to_ten_seeds():
    sweep = load_sweep(REPO / "sweeps" / "random_nb201.yaml")
    assert sweep.spec.trainable == "random" and len(sweep.trials) == 10
    assert [t.config["seed"] for t in sweep.trials] == list(range(10))
    assert all(t.axes == {"space": "nb201", "dataset": "cifar10"} for t in sweep.trials)
    assert all(Path(t.config["nb201_table"]).is_absolute() for t in sweep.trials)  # Ray trials run elsewhere


@pytest.mark.parametrize(("body", "line", "needles"), [
    ("grid:\n  method: [darts]\n", 6, ["grid.method", "trainable 'random' takes no 'method'"]),
    ("epochs: 50\n", 5, ["epochs", "Extra inputs"]),
    ("grid:\n  seeds: [0, 1]\n", 6, ["'seeds'", "did you mean 'seed'"]),
    ("grid:\n  space: [nb201, s6]\n", 6, ["space", "'s6'", "s5"]),
])
def test_malformed_random_sweeps_fail_before_ray(tmp_path, capsys, body, line, needles):
    path = write(tmp_path, "name: r\ntrainable: random\nspace: nb201\ndataset: cifar10\n" + body)
    assert main(["run", str(path), "--storage", str(tmp_path / "res")]) == 2
    err = capsys.readouterr().err.strip()
    assert f"{path}:" in err and all(n in err for n in needles), err
    assert not ray.is_initialized() and not (tmp_path / "res").exists()


def test_methods_lists_random_as_a_baseline_with_its_source(capsys):
    assert main(["methods"]) == 0
    out = capsys.readouterr().out
    baselines = out.split("\nbaselines")[1]
    assert "random:" in baselines and "EM-DARTS App. A.7 Table 7" in baselines
    assert TRAINABLES.get("random").baseline


@pytest.mark.usefixtures("local_ray")
def test_a_random_sweep_runs_end_to_end_and_tabulates(tmp_path, capsys):
    table = write_synthetic_nb201_table(tmp_path / "nb201.csv")
    path = write(tmp_path, f"""\
        name: rnd
        trainable: random
        dataset: cifar10
        nb201_table: {table}
        grid:
          space: [nb201, s5]
          seed: [0, 1, 2]
        max_concurrent: 2
        """)
    storage = tmp_path / "res"
    assert main(["run", str(path), "--storage", str(storage)]) == 0
    trials = pd.read_parquet(storage / "rnd" / "trials.parquet")
    epochs = pd.read_parquet(storage / "rnd" / "epochs.parquet")
    assert (trials["status"] == "TERMINATED").all() and len(trials) == len(epochs) == 6
    assert list(zip(trials["space"], trials["seed"])) == [(s, k) for s in ("nb201", "s5") for k in (0, 1, 2)]
    assert (trials["method"] == "random").all() and (trials["epochs_done"] == 1).all()
    assert trials["genotype"].notna().all()  # what a chained evaluation reads of each source trial
    nb201 = trials[trials["space"] == "nb201"]
    assert nb201["nb201_cifar10_test"].notna().all() and nb201["arch"].eq(nb201["genotype"]).all()
    assert trials[trials["space"] == "s5"]["genotype"].str.startswith("Genotype(normal=").all()
    # the harness passes the config faithfully: each row is the trainable's own draw
    fn = TRAINABLES.get("random").load()
    for _, row in trials.iterrows():
        direct = fn({"space": row["space"], "seed": int(row["seed"]), "dataset": "cifar10",
                     "nb201_table": str(table)}, None)
        assert direct["genotype"] == row["genotype"]
    capsys.readouterr()
    assert main(["table", str(storage / "rnd"), "--metrics", "nb201_cifar10_test", "n_parametric"]) == 0
    out = capsys.readouterr().out
    assert "| space | n |" in out and "| nb201 | 3 |" in out and "±" in out
