"""Evaluation sweeps (no Ray): architectures named directly, protocols as an axis, and chaining after search,
select and random sweeps (the source's space and data set are inherited; the genotype is read when a trial starts)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import ray

from harness.chain import CHAIN_INPUTS, SourceNotReady, final_architecture
from harness.cli import main
from harness.saved_sweep import save_sweep
from harness.sweepfile.load import load_sweep
from harness.trainables import TRAINABLES
from harness.trial_record import TrialOutputs, run_trial
from searchcore.search import NullReporter

SEARCH = "name: s\nspace: darts\ndataset: digits\nepochs: 1\ngrid:\n  method: [darts, em-darts]\n  seed: [0, 1]\n"
TINY = ("{network.layers: 3, network.channels: 4, data.batch_size: 16, data.limit_train_images: 32, "
        "data.max_batches: 1, data.eval_batches: 1, epochs: 1}")


def write(tmp_path: Path, body: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_an_evaluation_sweep_names_architectures_directly(tmp_path):
    sweep = load_sweep(write(tmp_path, """\
        name: baselines
        trainable: evaluate
        protocol: darts-cifar
        space: darts
        dataset: cifar10
        data_root: /data/cifar
        grid:
          architecture: [DARTS_V2, DARTS_V1]
          seed: [0, 1]
        """, "e.yaml"), storage=str(tmp_path / "res"))
    assert [t.trial_id for t in sweep.trials][:2] == ["t000_architecture=DARTS_V2,seed=0",
                                                      "t001_architecture=DARTS_V2,seed=1"]
    first = sweep.trials[0]
    assert first.axes == {"protocol": "darts-cifar", "space": "darts", "dataset": "cifar10"}
    assert first.config["architecture"] == "DARTS_V2" and first.config["data"]["root"] == "/data/cifar"
    assert first.config["network"]["layers"] == 20 and first.config["epochs"] == 600
    protocols = load_sweep(write(tmp_path, "name: p\ntrainable: evaluate\nspace: darts\nset: {architecture: DARTS_V2}\n"
                                 "grid:\n  protocol: [darts-cifar, em-darts-cifar]\n", "p.yaml"))
    assert [t.config["data"]["batch_size"] for t in protocols.trials] == [96, 128]


@pytest.mark.parametrize(("body", "line", "needles"), [
    ("name: e\ntrainable: evaluate\nspace: darts\n", 2, ["architecture: trainable 'evaluate' needs one",
                                                         "after:"]),
    ("name: e\ntrainable: evaluate\nspace: darts\ngrid:\n  architecture: [DARTS_V2, DARTS_V9]\n", 5,
     ["architecture: not a genotype: 'DARTS_V9'; give a name (DARTS_V1"]),
    ("name: e\ntrainable: evaluate\nspace: s2\nset: {architecture: DARTS_V2}\n", 4,
     ["architecture: architecture does not fit space s2"]),
    ("name: e\ntrainable: evaluate\nprotocol: darts-cifr\nspace: darts\nset: {architecture: DARTS_V2}\n", 3,
     ["protocol: unknown evaluation protocol 'darts-cifr'"]),
    ("name: e\ntrainable: evaluate\nprotocol: darts-cifar\nspace: nb201\nset: {architecture: x}\n", 3,
     ["protocol 'darts-cifar' trains darts-family networks"]),
    ("name: e\nspace: nb201\ngrid:\n  protocol: [nb201]\n", 4,
     ["grid.protocol: trainable 'search' takes no 'protocol'"]),
    ("name: e\ntrainable: evaluate\nspace: darts\nset: {architecture: DARTS_V2, network.drop_pth: 0.1}\n", 4,
     ["set key 'network.drop_pth' is not a config key of trainable 'evaluate'", "drop_path"]),
])
def test_bad_evaluation_sweeps_fail_at_their_line(body, line, needles, tmp_path, capsys):
    path = write(tmp_path, body, "bad.yaml")
    assert main(["run", str(path), "--dry-run", "--storage", str(tmp_path / "res")]) == 2
    err = capsys.readouterr().err.strip()
    assert f"bad.yaml:{line}:" in err, err
    for needle in needles:
        assert needle in err, (needle, err)


def _finish(trial_dir: Path, genotypes: list[str], status: str = "TERMINATED") -> None:
    """A source trial as the harness leaves it: status.json and one metrics line per report."""
    trial_dir.mkdir(parents=True, exist_ok=True)
    (trial_dir / "status.json").write_text(json.dumps({"status": status}))
    (trial_dir / "metrics.jsonl").write_text("".join(json.dumps({"epoch": i + 1, "genotype": g}) + "\n"
                                                     for i, g in enumerate(genotypes)))


def _genotype(op: str) -> str:
    pairs = [(op, 0), ("sep_conv_3x3", 1)] * 4
    return f"Genotype(normal={pairs!r}, normal_concat=[2, 3, 4, 5], reduce={pairs!r}, reduce_concat=[2, 3, 4, 5])"


def test_a_chained_evaluation_takes_the_final_genotype_of_each_source_trial(tmp_path, capsys):
    storage = tmp_path / "res"
    search = load_sweep(write(tmp_path, SEARCH, "search.yaml"), storage=str(storage))
    save_sweep(search, str(storage / "s"), {})
    finals = {}
    for i, trial in enumerate(search.trials):  # each search trial ends on another architecture
        finals[trial.trial_id] = _genotype(["skip_connect", "dil_conv_3x3", "max_pool_3x3", "sep_conv_5x5"][i])
        _finish(storage / "s" / trial.trial_id, [_genotype("avg_pool_3x3"), finals[trial.trial_id]])
    evaluation = load_sweep(write(tmp_path, f"""\
        name: ev
        trainable: evaluate
        protocol: cpu-demo
        after: {{sweep: s, trials: {{seed: 1}}}}
        set: {TINY}
        grid:
          network.drop_path: [0.0, 0.2]
        """, "ev.yaml"), storage=str(storage))
    assert [t.trial_id for t in evaluation.trials] == ["t000_src=t001,drop_path=0.0", "t001_src=t001,drop_path=0.2",
                                                       "t002_src=t003,drop_path=0.0", "t003_src=t003,drop_path=0.2"]
    assert evaluation.swept_keys == ["source.method", "network.drop_path"]
    spec = TRAINABLES.get("evaluate")
    for trial in evaluation.trials:
        assert trial.axes == {"protocol": "cpu-demo", "space": "darts", "dataset": "digits"}  # inherited
        assert trial.config["architecture"] is None and trial.params["source.seed"] == 1
        source_id = trial.params["source"]
        assert trial.source == str(storage / "s" / source_id)
        with CHAIN_INPUTS.get(spec.chain_takes).fetch(trial.source) as genotype:  # what the trial gets at start
            assert genotype == finals[source_id]
            outputs = TrialOutputs(str(storage / "ev" / trial.trial_id), trial.trial_id)
            reporter = NullReporter()
            final = run_trial(spec.load(), {**trial.config, spec.chain_key: genotype}, outputs, reporter)
        assert final["genotype"] == finals[source_id]
        assert json.loads((storage / "ev" / trial.trial_id / "config.json").read_text())["architecture"] == genotype
    assert not ray.is_initialized()


def test_chaining_after_select_and_random_sweeps_inherits_the_space(tmp_path):
    storage = tmp_path / "res"
    search = load_sweep(write(tmp_path, SEARCH, "search.yaml"), storage=str(storage))
    save_sweep(search, str(storage / "s"), {})
    select = load_sweep(write(tmp_path, "name: pt\ntrainable: select\nafter: {sweep: s, trials: [t000]}\n",
                              "pt.yaml"), storage=str(storage))
    save_sweep(select, str(storage / "pt"), {})
    ev = load_sweep(write(tmp_path, "name: ev\ntrainable: evaluate\nprotocol: reduced-small\ndataset: cifar100\n"
                          "after: {sweep: pt}\n", "ev.yaml"), storage=str(storage))
    trial = ev.trials[0]
    assert trial.axes == {"protocol": "reduced-small", "space": "darts", "dataset": "cifar100"}  # dataset given
    assert trial.params["source"] == select.trials[0].trial_id and trial.params["source.source.method"] == "darts"
    assert trial.config["network"]["layers"] == 8
    if "random" in TRAINABLES:
        rnd = load_sweep(write(tmp_path, "name: r\ntrainable: random\nspace: s5\ndataset: cifar10\n"
                               "grid: {seed: [0, 1]}\n", "r.yaml"), storage=str(storage))
        save_sweep(rnd, str(storage / "r"), {})
        ev = load_sweep(write(tmp_path, "name: ev2\ntrainable: evaluate\nafter: {sweep: r}\n", "ev2.yaml"),
                        storage=str(storage))
        assert [t.axes["space"] for t in ev.trials] == ["s5", "s5"]
        assert [t.axes["dataset"] for t in ev.trials] == ["cifar10", "cifar10"]


@pytest.mark.parametrize(("body", "needles"), [
    ("name: ev\ntrainable: evaluate\nafter: {sweep: s}\nset: {architecture: DARTS_V2}\n",
     ["'architecture' comes from after:", "genotype"]),
    ("name: ev2\ntrainable: evaluate\nafter: {sweep: ev}\n",
     ["after.sweep: ev is a 'evaluate' sweep, which leaves no architecture", "chain after a sweep of: search"]),
    ("name: pt2\ntrainable: select\nafter: {sweep: ev}\n",
     ["leaves no checkpoint", "chain after a sweep of: search"]),
    ("name: x\nafter: {sweep: s}\n", ["after: trainable 'search' does not start from another sweep's trials",
                                      "evaluate", "select"]),
])
def test_chaining_mistakes(body, needles, tmp_path, capsys):
    storage = tmp_path / "res"
    search = load_sweep(write(tmp_path, SEARCH, "search.yaml"), storage=str(storage))
    save_sweep(search, str(storage / "s"), {})
    ev = load_sweep(write(tmp_path, "name: ev\ntrainable: evaluate\nafter: {sweep: s}\n", "ev.yaml"),
                    storage=str(storage))
    save_sweep(ev, str(storage / "ev"), {})
    path = write(tmp_path, body, "bad.yaml")
    assert main(["run", str(path), "--dry-run", "--storage", str(storage)]) == 2
    err = capsys.readouterr().err
    for needle in needles:
        assert needle in err, (needle, err)


def test_an_unfinished_or_genotype_less_source_is_a_clear_error(tmp_path):
    _finish(tmp_path / "t0", [_genotype("skip_connect")], status="RUNNING")
    with pytest.raises(SourceNotReady, match="source trial .* is RUNNING, not finished"):
        final_architecture(str(tmp_path / "t0"))
    (tmp_path / "t1").mkdir()
    (tmp_path / "t1" / "status.json").write_text(json.dumps({"status": "TERMINATED"}))
    (tmp_path / "t1" / "metrics.jsonl").write_text(json.dumps({"epoch": 1}) + "\n")
    with pytest.raises(SourceNotReady, match="has no genotype"):
        final_architecture(str(tmp_path / "t1"))
