"""Sweep files end to end (harness.sweepfile.load): expansion (grid x zip), trial names, overrides, and
malformed files rejected before Ray."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
import ray

from harness.cli import main
from harness.errors import SweepError
from harness.sweepfile.load import load_sweep
from harness.sweepfile.naming import trial_names

REPO = Path(__file__).resolve().parents[3]

HEADER = """\
name: t
space: nb201
dataset: digits
epochs: 2
"""


def write(tmp_path: Path, body: str, name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_grid_is_a_cartesian_product_in_file_order(tmp_path):
    path = write(tmp_path, HEADER + "grid:\n  method.mutation.p_max: [0.1, 0.2, 0.3]\n  seed: [0, 1]\n"
                 "method: em-darts\n")
    sweep = load_sweep(path)
    assert [t.params for t in sweep.trials] == [
        {"method.mutation.p_max": p, "seed": s} for p in (0.1, 0.2, 0.3) for s in (0, 1)]
    assert sweep.trials[3].trial_id == "t003_p_max=0.2,seed=1"
    assert sweep.trials[3].config["method"]["mutation"]["p_max"] == 0.2
    assert sweep.trials[3].config["seed"] == 1 and sweep.trials[3].config["epochs"] == 2
    assert sweep.swept_keys == ["method.mutation.p_max", "seed"]


def test_zip_groups_move_together_and_multiply_with_the_grid(tmp_path):
    path = write(tmp_path, HEADER + """\
zip:
  - method: [darts, em-darts]
    optim.lr: [0.025, 0.05]
grid:
  seed: [0, 1, 2]
""")
    sweep = load_sweep(path)
    assert len(sweep.trials) == 6  # zip first (it comes first in the file), then the seeds
    assert [(t.axes["method"], t.config["optim"]["lr"], t.config["seed"]) for t in sweep.trials[:4]] == [
        ("darts", 0.025, 0), ("darts", 0.025, 1), ("darts", 0.025, 2), ("em-darts", 0.05, 0)]
    assert sweep.trials[3].config["method"]["forward"] == "edge_mutation"  # the preset applied per trial
    assert sweep.trials[0].trial_id == "t000_method=darts,lr=0.025,seed=0"


def test_method_space_dataset_are_grid_keys_and_presets_follow_them(tmp_path):
    path = write(tmp_path, "name: t\nepochs: 1\ngrid:\n  space: [nb201, darts]\n  method: [em-darts]\n")
    sweep = load_sweep(path)
    p_max = {t.axes["space"]: t.config["method"]["mutation"]["p_max"] for t in sweep.trials}
    assert p_max == {"nb201": 0.2, "darts": 0.125}  # EM-DARTS' per-space p_max (presets.py)


def test_set_nested_or_dotted_cli_overrides_and_paths_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, HEADER + "data_root: data/here\nset:\n  supernet:\n    channels: 4\n"
                 "  data.batch_size: 16\n")
    sweep = load_sweep(path, {"data.batch_size": 8, "epochs": 3, "resources.cpu": 0.5}, storage="out")
    cfg = sweep.trials[0].config
    assert cfg["supernet"]["channels"] == 4 and cfg["data"]["batch_size"] == 8 and cfg["epochs"] == 3
    assert cfg["data"]["root"] == str(tmp_path / "data" / "here")
    assert sweep.spec.resources.cpu == 0.5 and sweep.spec.storage == str(tmp_path / "out")
    assert sweep.trials[0].trial_id == "t000"


def test_storage_defaults_to_results_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_sweep(write(tmp_path, HEADER)).spec.storage == str(tmp_path / "results")
    uri = load_sweep(write(tmp_path, HEADER + "storage: s3://bucket/x\n")).spec.storage
    assert uri == "s3://bucket/x"


@pytest.mark.parametrize("doc", ["docs/sweeps.md", "README.md"])
def test_the_sweep_file_example_in_the_docs_is_valid(tmp_path, doc):
    import re

    example = re.search(r"```yaml\n(name:.*?)```", (REPO / doc).read_text(), re.S).group(1)
    assert len(load_sweep(write(tmp_path, example)).trials) == 72


def test_trial_names_use_full_keys_when_short_ones_collide():
    names = trial_names([{"method.regularizer.ramp_epochs": 1, "method.mutation.ramp_epochs": 2}])
    assert names == ["t000_method.regularizer.ramp_epochs=1,method.mutation.ramp_epochs=2"]


def test_every_shipped_sweep_file_is_valid():
    files = sorted((REPO / "sweeps").glob("*.yaml"))
    assert {"quickstart.yaml", "em_darts_pmax_growth.yaml", "nb201_methods.yaml"} <= {f.name for f in files}
    known = {}
    for f in sorted(files, key=lambda f: "after:" in f.read_text()):  # chained sweeps after their searches
        sweep = load_sweep(f, known=known)
        assert sweep.trials
        known[sweep.spec.name] = sweep
    pt = known["nb201_pt"]
    assert len(pt.trials) == 2 * 3 * 3 * 2 and {t.params["source.method"] for t in pt.trials} == {"darts", "em-darts"}
    quick = load_sweep(REPO / "sweeps" / "quickstart.yaml")
    assert len(quick.trials) == 4 and {t.axes["method"] for t in quick.trials} == {"darts", "em-darts"}


def test_dry_run_lists_exactly_the_expanded_trials(tmp_path, capsys):
    path = write(tmp_path, HEADER + "grid:\n  method: [darts, r-darts]\n  method.regularizer.lam: [0.0, 0.5]\n")
    assert main(["run", str(path), "--dry-run", "--storage", str(tmp_path / "res")]) == 0
    out = capsys.readouterr().out
    expected = ["t000_method=darts,lam=0.0", "t001_method=darts,lam=0.5", "t002_method=r-darts,lam=0.0",
                "t003_method=r-darts,lam=0.5"]
    listed = [line.split()[0] for line in out.splitlines() if line.strip().startswith("t0")]
    assert listed == expected
    assert "4 trials" in out
    assert not (tmp_path / "res").exists() and not ray.is_initialized()


# ---------------------------------------------------------------- malformed files: specific errors, nothing starts

MALFORMED = [
    # (id, body, line, substrings the message must contain)
    ("unknown_top_key", HEADER + "colour: red\n", 5, ["unknown key 'colour'", "allowed:", "grid"]),
    ("wrong_type", HEADER.replace("epochs: 2", "epochs: ten"), 4, ["epochs", "valid integer", "'ten'"]),
    ("p_max_above_1", HEADER + "method: em-darts\ngrid:\n  method.mutation.p_max: [0.1,\n    1.5]\n", 8,
     ["method.mutation.p_max", "less than or equal to 1", "1.5", "<= 1.0"]),
    ("negative_lambda", HEADER + "set:\n  method.regularizer.lam: -0.1\n", 6,
     ["method.regularizer.lam", "greater than or equal to 0", ">= 0"]),
    ("zero_epochs", HEADER.replace("epochs: 2", "epochs: 0"), 4, ["epochs", "greater than or equal to 1"]),
    ("unknown_method", HEADER + "method: em-dart\n", 5, ["method", "'em-dart'", "em-darts", "r-darts"]),
    ("unknown_space", HEADER.replace("space: nb201", "space: nb202"), 2, ["space", "'nb202'", "nb201, s1"]),
    ("unknown_dataset", HEADER.replace("dataset: digits", "dataset: cifar11"), 3,
     ["dataset", "'cifar11'", "cifar10", "digits"]),
    ("unknown_grid_key", HEADER + "grid:\n  seed: [0]\n  method.mutation.pmax: [0.1]\n", 7,
     ["'method.mutation.pmax'", "did you mean 'method.mutation.p_max'", "p_max, growth, ramp_epochs"]),
    ("zip_unequal", HEADER + "zip:\n  - seed: [0, 1, 2]\n    optim.lr: [0.1, 0.2]\n", 6,
     ["zip group 0", "equal lengths", "seed: 3", "optim.lr: 2"]),
    ("unknown_growth", HEADER + "grid:\n  method.mutation.growth: [linear, quadratic]\n", 6,
     ["method.mutation.growth", "'quadratic'", "allowed: linear, exponential, cosine"]),
    ("negative_cpu", HEADER + "resources:\n  cpu: -1\n", 6, ["resources.cpu", "greater than 0"]),
    ("unknown_resource", HEADER + "resources: {cpu: 1, gpus: 1}\n", 5, ["'resources.gpus'", "cpu, gpu"]),
    ("grid_not_a_list", HEADER + "grid:\n  seed: 3\n", 6, ["grid.seed", "non-empty list"]),
    ("swept_and_fixed", HEADER + "grid:\n  seed: [0, 1]\nset:\n  seed: 3\n", 8, ["'seed'", "both fixed"]),
    ("repeated_value", HEADER + "grid:\n  seed: [0, 0]\n", 6, ["identical"]),
    ("unknown_trainable", HEADER + "trainable: serch\n", 5, ["trainable", "'serch'", "search, select"]),
    ("bad_yaml", HEADER + "grid:\n  seed: [0, 1\n", 7, ["not valid YAML", "started at line 6"]),
    ("duplicate_key", HEADER + "epochs: 3\n", 5, ["duplicate key 'epochs'", "first at line 4"]),
    ("bad_name", HEADER.replace("name: t", "name: a/b"), 1, ["name", "pattern"]),
    ("set_method_axis", HEADER + "set:\n  method: em-darts\n", 6, ["set.method", "top level"]),
]


@pytest.mark.parametrize("case", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_sweep_fails_with_file_line_key_and_allowed_values(case, tmp_path, capsys):
    case_id, body, line, needles = case
    path = tmp_path / f"{case_id}.yaml"
    path.write_text(body)
    results = tmp_path / "results"
    assert main(["run", str(path), "--storage", str(results)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"{path}:{line}:" in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    assert not ray.is_initialized()
    assert not results.exists()
    assert sorted(os.listdir(tmp_path)) == [path.name]  # nothing half-written


def test_missing_file_and_cli_overrides_are_reported_as_such(tmp_path):
    with pytest.raises(SweepError, match="cannot read sweep file"):
        load_sweep(tmp_path / "nope.yaml")
    path = write(tmp_path, HEADER)
    with pytest.raises(SweepError, match=r"--set method.mutation.p_max=2: method.mutation.p_max"):
        load_sweep(path, {"method.mutation.p_max": 2})


def test_saved_sweep_round_trips(tmp_path):
    from harness.saved_sweep import load_saved, trials_json

    sweep = load_sweep(write(tmp_path, HEADER + "grid:\n  seed: [0, 1]\n"))
    again = load_saved(sweep.to_yaml(), trials_json(sweep), "x")
    assert [t.to_json() for t in again.trials] == [t.to_json() for t in sweep.trials]
    assert again.spec == sweep.spec and again.swept_keys == ["seed"]
    assert json.loads(trials_json(sweep))["trials"][1]["trial_id"] == "t001_seed=1"


def test_select_sweeps_take_selection_keys_and_no_method_axis(tmp_path):
    path = write(tmp_path, "name: sel\ntrainable: select\nset:\n  checkpoint: ckpt\n  data.max_batches: 2\n"
                 "grid:\n  rule: [pt, pt-mag]\n")
    sweep = load_sweep(path)
    assert [t.config["rule"] for t in sweep.trials] == ["pt", "pt-mag"]
    assert sweep.trials[0].config["search"] == {"data.max_batches": 2}  # routed into the search overrides
    assert os.path.isabs(sweep.trials[0].config["checkpoint"])
    bad = write(tmp_path, "name: sel\ntrainable: select\nset: {checkpoint: c}\ngrid:\n  method: [darts]\n", "b.yaml")
    with pytest.raises(SweepError, match=r"b.yaml:5: grid.method: trainable 'select' takes no 'method'"):
        load_sweep(bad)


# ---------------------------------------------------------------- chained sweeps: select after search

SEARCH = "name: s\nspace: nb201\ndataset: digits\nepochs: 1\ngrid:\n  method: [darts, em-darts]\n  seed: [0, 1]\n"


def test_a_select_sweep_expands_one_trial_per_chosen_search_trial(tmp_path, capsys):
    search = write(tmp_path, SEARCH, "search.yaml")
    select = write(tmp_path, "name: pt\ntrainable: select\nafter: {sweep: s, trials: {method: em-darts}}\n"
                   "grid:\n  rule: [pt, pt-mag]\n", "select.yaml")
    storage = tmp_path / "res"
    assert main(["run", str(search), str(select), "--dry-run", "--storage", str(storage)]) == 0
    out = capsys.readouterr().out
    assert "4 trials (trainable search" in out and "4 trials (trainable select" in out
    from harness.commands.run import load_all

    _, sel = load_all([str(search), str(select)], {}, str(storage))
    assert [t.trial_id for t in sel.trials] == ["t000_src=t002,rule=pt", "t001_src=t002,rule=pt-mag",
                                                "t002_src=t003,rule=pt", "t003_src=t003,rule=pt-mag"]
    first = sel.trials[0]
    assert first.source == str(storage / "s" / "t002_method=em-darts,seed=0") == first.config["checkpoint"]
    assert first.params == {"source": "t002_method=em-darts,seed=0", "source.method": "em-darts",
                            "source.space": "nb201", "source.dataset": "digits", "source.seed": 0, "rule": "pt"}
    assert sel.swept_keys == ["rule"]  # one method chosen: tables group by the rule only
    every = write(tmp_path, "name: pt\ntrainable: select\nafter: {sweep: s}\n", "all.yaml")
    _, sel = load_all([str(search), str(every)], {}, str(storage))
    assert sel.swept_keys == ["source.method"] and len(sel.trials) == 4
    assert not storage.exists() and not ray.is_initialized()


def test_a_select_sweep_can_follow_a_search_sweep_saved_in_storage(tmp_path):
    from harness.saved_sweep import save_sweep

    storage = tmp_path / "res"
    search = load_sweep(write(tmp_path, SEARCH, "search.yaml"), storage=str(storage))
    save_sweep(search, str(storage / "s"), {})
    select = write(tmp_path, "name: pt\ntrainable: select\nafter: {sweep: s, trials: [t001, t003]}\n", "sel.yaml")
    sel = load_sweep(select, storage=str(storage))
    assert [t.params["source"] for t in sel.trials] == ["t001_method=darts,seed=1", "t003_method=em-darts,seed=1"]


CHAIN_ERRORS = [
    ("name: pt\ntrainable: select\nafter: {sweep: nope}\n", 3, ["after.sweep: no sweep 'nope'", "no sweep is saved"]),
    ("name: pt\ntrainable: select\nafter: {sweep: s, trials: [t009]}\n", 3,
     ["after.trials: s has no trial 't009'", "allowed: t000_method=darts,seed=0"]),
    ("name: pt\ntrainable: select\nafter:\n  sweep: s\n  trials: {lr: 0.1}\n", 5,
     ["after.trials.lr: not a swept key of s", "allowed: dataset, method, seed, space"]),
    ("name: pt\ntrainable: select\nafter: {sweep: s}\nset: {checkpoint: x}\n", 4,
     ["'checkpoint' comes from after:"]),
    ("name: pt\nafter: {sweep: s}\n", 2, ["after: trainable 'search' does not start from another sweep's trials",
                                           "select"]),
    ("name: pt\ntrainable: select\nafter: {sweep: s, trial: all}\n", 3, ["unknown key 'after.trial'", "trials"]),
]


@pytest.mark.parametrize("case", CHAIN_ERRORS, ids=[f"chain{i}" for i in range(len(CHAIN_ERRORS))])
def test_a_bad_chain_fails_before_anything_starts(case, tmp_path, capsys):
    body, line, needles = case
    search = write(tmp_path, SEARCH, "search.yaml")
    select = write(tmp_path, body, "select.yaml")
    args = [str(search)] if "nope" not in body else []
    assert main(["run", *args, str(select), "--storage", str(tmp_path / "res")]) == 2
    err = capsys.readouterr().err.strip()
    assert f"{select}:{line}:" in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    assert not (tmp_path / "res").exists() and not ray.is_initialized()
