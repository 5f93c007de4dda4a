"""analysis.columns: every column the trainables report or the harness adds has a label, unit and meaning.

The reported keys come from real runs at tiny width (a second or two each), not from a list kept by hand:
an NB201 search epoch (written with a checkpoint), DARTS-PT selection from that checkpoint (decision and
tuning rows, final metrics), a DARTS-space epoch (reduction-cell counts) and an IS-DARTS run that prunes.
The trainables come from the harness registry, so the test follows them wherever searchcore puts them.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.columns import COLUMNS, Column, axis_label, column, is_known, label

TINY = {"supernet.channels": 4, "supernet.cells_per_stage": 1, "supernet.layers": 3, "data.batch_size": 16,
        "data.limit_train_images": 64, "data.max_batches": 1, "data.eval_batches": 1, "threads": 1}


def _search(method: str, space: str, overrides: dict, reporter) -> list[dict]:
    from harness.trainables import TRAINABLES

    spec = TRAINABLES.get("search")
    config = spec.resolve({"method": method, "space": space, "dataset": "digits"}, {**TINY, **overrides})
    final = spec.load()(config, reporter)
    return [*reporter.history, final]


@pytest.fixture(scope="module")
def reported_keys(tmp_path_factory, nb201_table_path) -> set[str]:
    from harness.trainables import TRAINABLES
    from searchcore.search import LocalReporter, NullReporter

    table = {"nb201_table": nb201_table_path} if nb201_table_path else {}
    out = tmp_path_factory.mktemp("search")
    rows = _search("darts", "nb201", {"epochs": 1, **table}, LocalReporter(out))
    rows += _search("darts", "darts", {"epochs": 1}, NullReporter())
    rows += _search("is-darts", "nb201", {"epochs": 2, "method.shrink.steps": 1, "method.shrink.interval": 1,
                                          "method.shrink.samples": 16}, NullReporter())
    select = TRAINABLES.get("select")
    config = select.resolve({}, {"checkpoint": str(out / "checkpoint"), "tune_epochs": 1, "eval_batches": 1})
    reporter = NullReporter()
    final = select.load()(config, reporter)
    rows += [*reporter.history, final]
    return {key for row in rows for key in row}


def test_every_reported_metric_has_a_column(reported_keys):
    assert {"kind", "decision_acc", "shrink_step", "n_skip_reduce", "train_acc"} <= reported_keys  # all four ran
    missing = sorted(k for k in reported_keys if not is_known(k))
    assert not missing, f"add these to analysis/columns.py: {missing}"


def test_every_column_the_harness_adds_has_a_column(tmp_path):
    from harness.parquet import build_frames
    from harness.saved_sweep import save_sweep
    from harness.sweepfile.model import Sweep, SweepFile, Trial
    from harness.trial_record import TrialOutputs, run_trial

    axes = {"method": "darts", "space": "nb201", "dataset": "digits"}
    sweep = Sweep(SweepFile(name="s"), [Trial(0, "t000", {}, axes, {"seed": 0})], "mem", [])
    save_sweep(sweep, str(tmp_path), {"git_commit": "0" * 40, "git_dirty": False, "versions": {"ray": "2.60.0"},
                                      "driver_host": "h", "platform": "p", "argv": "a", "created": "c"})
    outputs = TrialOutputs(str(tmp_path / "t000"), "t000")

    class Reporter:
        def report(self, metrics, checkpoint_dir=None):
            outputs.append_metrics(metrics)

    run_trial(lambda config, reporter: reporter.report({"epoch": 1}), {"seed": 0}, outputs, Reporter())
    epochs, trials = build_frames(sweep, str(tmp_path))
    columns = set(epochs.columns) | set(trials.columns)
    assert {"trial_id", "wall_seconds", "attempt", "versions.ray"} <= columns
    assert sorted(c for c in columns if not is_known(c)) == []


def test_labels_units_and_formats():
    val = column("val_acc")
    assert val.axis_label == "supernet validation acc. (%)" and val.format(38.284) == "38.28%"
    assert val.show(38.284) == "val 38.28%" and column("epoch_seconds").show(3.81) == "3.8s"
    assert column("images_per_second").format(812.4) == "812 img/s" and column("n_skip").format(2) == "2"
    assert label("method.mutation.p_max") == "p_max" and axis_label("nb201_cifar10_test").endswith("(%)")
    assert column("val_acc").format("n/a") == "n/a" and column("val_acc").format(None) == "None"


def test_families_and_unknown_names():
    assert column("shrink_remaining_reduce").label == "candidates left in the reduce cell"
    assert column("source.seed").label == "search trial's seed" and column("versions.torch").label == "torch version"
    assert column("nb201_cifar10_train").label == "NB201 cifar10_train" and is_known("nb201_cifar10_train")
    plain = column("optim.lr")  # any config key: named after itself
    assert plain == Column("optim.lr", "optim.lr") and not is_known("optim.lr") and plain.format(0.025) == "0.025"
    assert all(c.name == name and c.label for name, c in COLUMNS.items())


def test_columns_is_pure_python():
    code = ("import sys, analysis.columns; bad = {'torch', 'ray', 'pandas', 'numpy', 'searchcore', 'harness'} "
            "& {m.split('.')[0] for m in sys.modules}; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
