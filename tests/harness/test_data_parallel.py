"""A data-parallel evaluation trial (``resources.workers: 2``) on the local 2-CPU Ray: the Tune trial drives a
Ray Train run of two gloo workers (harness.train_runner), and the trial's record, progress lines and Tune
checkpoints are those of any trial; resources that cannot work are one-line sweep errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import SweepError
from harness.sweepfile.load import load_sweep

ARCH = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|"
EVAL_TINY = ("{network.layers: 1, network.channels: 4, data.batch_size: 16, data.limit_train_images: 48, "
             f"data.max_batches: 2, data.eval_batches: 2, threads: 1, sync_bn: true, architecture: '{ARCH}'}}")


def write(tmp_path: Path, body: str, name: str = "ddp") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(body))
    return path


def evaluate_sweep(tmp_path: Path, resources: str) -> Path:
    return write(tmp_path, f"""\
        name: ddp
        trainable: evaluate
        protocol: cpu-demo
        space: nb201
        dataset: digits
        epochs: 2
        set: {EVAL_TINY}
        resources: {resources}
        """)


@pytest.fixture(scope="module")
def quick_train_polls():
    """Ray Train's controller polls its workers every 2 s (each report waits for a poll); 0.1 s here. Set
    before the module's Ray starts, so its workers (the Tune trial, hence the Train controller) inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_TRAIN_HEALTH_CHECK_INTERVAL_S", "0.1")
        yield


@pytest.mark.slow
@pytest.mark.usefixtures("quick_train_polls", "local_ray")
def test_a_two_worker_evaluation_trains_on_ray_train_and_reports_to_tune(tmp_path, capsys):
    storage = tmp_path / "res"
    assert main(["run", str(evaluate_sweep(tmp_path, "{workers: 2, cpu: 1}")), "--storage", str(storage)]) == 0
    assert "epoch 2/2 | train " in capsys.readouterr().out  # the progress lines, through Tune
    trial = next(p for p in (storage / "ddp").iterdir() if p.name.startswith("t000"))
    rows = [json.loads(line) for line in (trial / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows] == [1, 2] and all(r["kind"] == "eval" for r in rows)
    assert all(r["images_per_second"] > 0 and 0 <= r["test_acc"] <= 100 for r in rows)
    assert json.loads((trial / "status.json").read_text())["status"] == "TERMINATED"
    assert sorted(p.name for p in trial.glob("checkpoint_*"))  # Tune's checkpoints, as for any trial
    assert not list(trial.glob("ray_train_*"))  # Ray Train's staging directory is gone


@pytest.mark.parametrize(("resources", "message"), [
    ("{workers: 2, gpu: 0.5}", r"ddp.yaml:8: resources: gpu: 0.5 with workers: 2: a data-parallel worker trains "
                                   r"on one whole GPU \(gpu: 1\) or on CPUs \(gpu: 0\)"),
    ("{workers: 3}", r"ddp.yaml:8: resources.workers: 3: data.batch_size 16 is the global batch and must split "
                         r"into 3 equal shards .* \(trial t000"),
    ("{workers: 0}", r"ddp.yaml:8: resources.workers: Input should be greater than or equal to 1"),
])
def test_resources_a_data_parallel_trial_cannot_use_are_one_line_errors(tmp_path, resources, message):
    with pytest.raises(SweepError, match=message):
        load_sweep(evaluate_sweep(tmp_path, resources))


def test_only_a_data_parallel_trainable_takes_workers(tmp_path):
    path = write(tmp_path, "name: s\nspace: nb201\ndataset: digits\nresources: {workers: 2}\n", name="s")
    with pytest.raises(SweepError, match=r"s.yaml:4: resources.workers: 2, but trainable 'search' trains in one "
                                         r"process \(data-parallel: evaluate\); drop workers$"):
        load_sweep(path)
    with pytest.raises(SweepError, match=r"--set resources.workers=3: resources.workers: 3: data.batch_size 16"):
        load_sweep(evaluate_sweep(tmp_path, "{cpu: 1}"), {"resources.workers": 3})


class _Recorder:
    def __init__(self) -> None:
        self.reports: list[tuple[dict, list[str] | None]] = []

    def report(self, metrics: dict, checkpoint_dir: str | None = None) -> None:
        files = sorted(p.name for p in Path(checkpoint_dir).iterdir()) if checkpoint_dir else None
        self.reports.append((metrics, files))


def test_reports_carry_train_checkpoints_to_the_trial_and_every_rank_copies_the_resume_checkpoint(tmp_path):
    """No cluster needed: a Train checkpoint reaches the trial's reporter as a directory (tune.report copies
    it), and the Tune checkpoint a trial resumes from is copied locally on every rank."""
    import ray.train

    from harness.train_runner import _report, _WorkerReporter

    saved = tmp_path / "checkpoint_000003"
    saved.mkdir()
    (saved / "state.pt").write_bytes(b"weights")
    recorder = _Recorder()
    _report(recorder, {"epoch": 3}, ray.train.Checkpoint.from_directory(str(saved)))
    _report(recorder, {"epoch": 4}, None)
    assert recorder.reports == [({"epoch": 3}, ["state.pt"]), ({"epoch": 4}, None)]

    assert _WorkerReporter(None).restore_dir() is None
    worker = _WorkerReporter(ray.train.Checkpoint.from_directory(str(saved)))
    copy = worker.restore_dir()
    assert copy != str(saved) and (Path(copy) / "state.pt").read_bytes() == b"weights"
    worker.close()
    assert not Path(copy).exists()


@pytest.mark.usefixtures("quick_train_polls", "local_ray")
def test_the_local_machine_must_hold_every_worker_of_a_trial(tmp_path):
    from harness.errors import CliError
    from harness.tune_runner import Session, check_cluster

    session = Session(connected_here=True, nodes=1, local=True)
    check_cluster(load_sweep(evaluate_sweep(tmp_path, "{workers: 2, cpu: 1}")), session)
    with pytest.raises(CliError, match=r"resources.cpu: 1 × 4 workers = 4 but this machine offers 2"):
        check_cluster(load_sweep(evaluate_sweep(tmp_path, "{workers: 4, cpu: 1}")), session)
