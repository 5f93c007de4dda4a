"""A saved-sweep stand-in and fake trainables for the trial-record and Parquet tests (no Ray, no torch)."""

from __future__ import annotations

from harness.storage import join
from harness.sweepfile.model import Sweep, SweepFile, Trial
from harness.trial_record import TrialOutputs, run_trial


def fake_sweep(n: int = 2) -> Sweep:
    trials = [Trial(i, f"t{i:03d}_seed={i}", {"seed": i}, {"method": "darts", "space": "nb201", "dataset": "digits"},
                    {"seed": i, "epochs": 3, "method": {"name": "darts", "mutation": {"p_max": 0.0}}})
              for i in range(n)]
    return Sweep(SweepFile(name="s", grid={"seed": list(range(n))}), trials, "mem", ["seed"])


class RecordingReporter:
    """The reporter protocol over a trial's own record only (what TuneReporter adds to tune.report)."""

    def __init__(self, outputs: TrialOutputs) -> None:
        self.outputs = outputs

    def report(self, metrics, checkpoint_dir=None):
        self.outputs.append_metrics(metrics)

    def restore_dir(self):
        return None


def fake_search(epochs: int, start: int = 0, fail_at: int | None = None):
    def fn(config, reporter):
        for e in range(start + 1, epochs + 1):
            if e == fail_at:
                raise RuntimeError(f"boom at epoch {e}")
            reporter.report({"epoch": e, "epochs": epochs, "val_acc": 10.0 * e + config["seed"], "arch": "a"})
        return {"epoch": epochs}
    return fn


def run_fake(exp: str, trial: Trial, fn) -> TrialOutputs:
    out = TrialOutputs(join(exp, trial.trial_id), trial.trial_id)
    run_trial(fn, trial.config, out, RecordingReporter(out))
    return out


def fast_search(config, reporter):
    """A search that trains nothing: ``epochs`` reports whose val_acc rises with ``optim.lr`` (so a scheduler has
    something to rank) and falls with ``seed``; no torch, no checkpoint, milliseconds per trial."""
    lr, seed = config["optim"]["lr"], config["seed"]
    for e in range(1, config["epochs"] + 1):
        reporter.report({"epoch": e, "epochs": config["epochs"], "val_acc": 100 * lr * e - seed, "train_loss": 1.0 / e})
    return {"epoch": config["epochs"]}


def register_fast() -> str:
    """``trainable: fast`` in a sweep: the search trainable's keys and validation, :func:`fast_search` as target."""
    from harness.trainables import TRAINABLES, TrainableSpec

    if "fast" not in TRAINABLES:
        search = TRAINABLES.get("search")
        TRAINABLES.register("fast", TrainableSpec("fast", f"{__name__}:fast_search", search.resolve, search.keys,
                                                  search.model, path_keys=search.path_keys))
    return "fast"
