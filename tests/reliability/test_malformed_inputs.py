"""Malformed inputs, as a hostile new user would give them: every one ends in exit status 2 and exactly one
line on stderr that names the file (or key, or flag) and what is expected, with no traceback, and nothing is
written anywhere (the working directory, where results and run directories go, is byte-for-byte unchanged).

Each case builds its files in a fresh working directory and returns the command line; everything fails at
validation, so no Ray is started and the whole file takes seconds.
"""

from __future__ import annotations

import gzip
import io
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harness.cli import main
from tests.helpers import fake_data

pytestmark = pytest.mark.reliability

USAGE_ERROR = 2
SWEEP = "name: s\nspace: nb201\ndataset: digits\nepochs: 1\n"
"""A valid sweep file: each sweep case breaks one thing of it."""
GENOTYPE = "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|nor_conv_3x3~0|skip_connect~1|avg_pool_3x3~2|"
SEARCH = ["search", "--epochs", "1", "--set", "supernet.channels=4", "--set", "supernet.cells_per_stage=1"]
"""A tiny search; ``--out o`` and ``--resume`` are added by the cases."""


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], list[str]]
    """Writes the case's files under the working directory; returns the command line."""
    needles: tuple[str, ...]
    """What the one line must name (the file, key or flag, and what is expected)."""


def put(path: str | Path, content: str | bytes) -> str:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return str(path)


def sweep(body: str, name: str = "x.yaml", *extra: str) -> Callable[[Path], list[str]]:
    """``dartsweep run FILE --dry-run`` on a sweep file with ``body``."""
    return lambda tmp: ["run", put(name, body), "--dry-run", *extra]


def run_sweep(body: str, *extra: str) -> Callable[[Path], list[str]]:
    """``dartsweep run FILE`` (not a dry run): fails before Ray starts."""
    return lambda tmp: ["run", put("x.yaml", body), *extra]


def saved_sweep(tmp: Path, name: str = "s") -> Path:
    """A sweep saved as ``dartsweep run`` saves it (no Ray): results/<name>/{sweep.yaml,trials.json,...}."""
    from harness.saved_sweep import save_sweep
    from harness.sweepfile.load import load_sweep

    spec = load_sweep(put(f"src/{name}.yaml", SWEEP.replace("name: s", f"name: {name}") + "grid: {seed: [0, 1]}\n"),
                      storage="results")
    save_sweep(spec, str(tmp / "results" / name), {"git_commit": None})
    return Path("results") / name


def damaged_sweep_dir(file: str, content: str | bytes, command: str = "collect") -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        exp = saved_sweep(tmp)
        put(exp / file, content)
        return [command, str(exp)]
    return build


def search_config(**overrides) -> str:
    from searchcore.config import to_yaml
    from searchcore.methods.resolve import resolve_config

    tree = {"epochs": 1, "supernet.channels": 4, "supernet.cells_per_stage": 1, **overrides}
    return to_yaml(resolve_config("darts", "nb201", "digits", tree))


def state_bytes(obj: object) -> bytes:
    import torch

    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


GOOD_STATE = {"model": {"w": np.arange(64, dtype=np.float32).tolist()}, "epoch": 1}


def resume_search(state: bytes | None, config: str | bytes | None = None) -> Callable[[Path], list[str]]:
    """``search --resume`` on a run directory whose checkpoint or config is damaged."""
    def build(tmp: Path) -> list[str]:
        put("o/config.yaml", search_config() if config is None else config)
        put("o/metrics.jsonl", '{"epoch": 1}\n')
        if state is not None:
            put("o/checkpoint/state.pt", state)
            put("o/checkpoint/config.yaml", search_config())
        return [*SEARCH, "--out", "o", "--resume"]
    return build


def select_from(state: bytes | None, config: str | bytes | None = None, *extra: str) -> Callable[[Path], list[str]]:
    """``select --checkpoint ck`` on a damaged search checkpoint."""
    def build(tmp: Path) -> list[str]:
        if state is not None:
            put("ck/state.pt", state)
        put("ck/config.yaml", search_config() if config is None else config)
        return ["select", "--checkpoint", "ck", "--out", "sel", *extra]
    return build


def data_search(dataset: str, write: Callable[[Path], None], command: str = "search") -> Callable[[Path], list[str]]:
    """A search (or evaluation) on a data root whose files ``write`` damaged; ``--out`` must stay unwritten."""
    def build(tmp: Path) -> list[str]:
        write(tmp / "data")
        if command == "evaluate":
            return ["evaluate", "--space", "nb201", "--genotype", GENOTYPE, "--protocol", "nb201", "--dataset",
                    dataset, "--data-root", "data", "--epochs", "1", "--out", "o"]
        return [*SEARCH, "--dataset", dataset, "--data-root", "data", "--out", "o"]
    return build


FASHION = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def fashion(first: bytes) -> Callable[[Path], None]:
    """Fashion-MNIST with valid files except the training images, which hold ``first``."""
    def write(root: Path) -> None:
        fake_data.write_fashion_mnist(root)
        put(root / f"{FASHION[0]}.gz", first)
    return write


def imagenet16(batch: bytes) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        fake_data.write_imagenet16(root)
        put(root / "train_data_batch_3", batch)
    return write


def cifar10(batch: bytes) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        fake_data.write_cifar10(root)
        put(root / "cifar-10-batches-py" / "data_batch_2", batch)
    return write


class _Boom:
    """Pickles as a call of os.system: what a crafted batch file would hold."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


CRAFTED = pickle.dumps({"data": _Boom(), "labels": [1]}, protocol=2)
GOOD_BATCH = pickle.dumps({"data": np.zeros((2, 768), np.uint8), "labels": [1, 2]}, protocol=2)
IDX_HEADER = b"\x00\x00\x08\x03\x00\x00\x00\x08\x00\x00\x00\x1c\x00\x00\x00\x1c"


def parquet(tmp: Path, content: bytes | None = None) -> str:
    buf = io.BytesIO()
    pd.DataFrame({"method": ["darts", "darts"], "status": ["TERMINATED"] * 2, "val_acc": [50.0, 52.0]}).to_parquet(buf)
    return put("t/trials.parquet", buf.getvalue() if content is None else content(buf.getvalue()))


CASES = [
    # ---------------------------------------------------------------- sweep files: encoding and YAML
    Case("sweep-latin1", sweep("name: s\ndescription: caf\xe9\n".encode("latin-1")), ("x.yaml:2", "not UTF-8")),
    Case("sweep-utf16", sweep(SWEEP.encode("utf-16")), ("x.yaml:1", "not UTF-8")),
    Case("sweep-binary", sweep(b"\x00\x01\xfe\xff" * 8), ("x.yaml", "not UTF-8")),
    Case("sweep-yaml-syntax", sweep("name: s\ngrid: {seed: [0, 1}\n"), ("x.yaml:2", "not valid YAML")),
    Case("sweep-alias-bomb", sweep("a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\n"
                                   "d: [*c, *c, *c, *c]\nname: s\n"), ("x.yaml:2", "alias *a is not allowed")),
    Case("sweep-alias", sweep("name: &n s\ndescription: *n\n"), ("x.yaml:2", "anchors and aliases are refused")),
    Case("sweep-duplicate-key", sweep(SWEEP + "epochs: 2\n"), ("x.yaml:5", "duplicate key 'epochs'")),
    Case("sweep-a-list", sweep("- name: s\n"), ("x.yaml:1", "a sweep file is a YAML mapping")),
    Case("sweep-empty", sweep(""), ("x.yaml:1", "a sweep file is a YAML mapping")),
    Case("sweep-missing-file", lambda tmp: ["run", "nope.yaml", "--dry-run"], ("nope.yaml", "cannot read")),
    Case("sweep-is-a-directory", lambda tmp: ["run", str(Path(put("d/f", "")).parent), "--dry-run"],
         ("d: cannot read sweep file",)),
    # ---------------------------------------------------------------- sweep files: fields and types
    Case("sweep-no-name", sweep("space: nb201\n"), ("name", "Field required")),
    Case("sweep-bad-name", sweep("name: my sweep\n"), ("x.yaml:1", "name", "pattern")),
    Case("sweep-unknown-key", sweep(SWEEP + "colour: red\n"), ("x.yaml:5", "unknown key 'colour'", "allowed:")),
    Case("sweep-unknown-resource", sweep(SWEEP + "resources: {tpu: 1}\n"), ("x.yaml:5", "resources.tpu", "cpu, gpu")),
    Case("sweep-cpu-zero", sweep(SWEEP + "resources: {cpu: 0}\n"), ("x.yaml:5", "resources.cpu", "greater than 0")),
    Case("sweep-gpu-negative", sweep(SWEEP + "resources: {gpu: -1}\n"), ("x.yaml:5", "resources.gpu")),
    Case("sweep-epochs-zero", sweep(SWEEP.replace("epochs: 1", "epochs: 0")),
         ("x.yaml:4", "epochs", "greater than or equal to 1")),
    Case("sweep-epochs-yes", sweep(SWEEP.replace("epochs: 1", "epochs: yes")),
         ("x.yaml:4", "epochs", "valid integer", "'yes'")),
    Case("sweep-epochs-float", sweep(SWEEP.replace("epochs: 1", "epochs: 1.5")), ("x.yaml:4", "epochs", "integer")),
    Case("sweep-max-failures", sweep(SWEEP + "max_failures: -1\n"), ("x.yaml:5", "max_failures")),
    Case("sweep-max-concurrent", sweep(SWEEP + "max_concurrent: 0\n"), ("x.yaml:5", "max_concurrent")),
    Case("sweep-keep-checkpoints", sweep(SWEEP + "keep_checkpoints: 0\n"), ("x.yaml:5", "keep_checkpoints")),
    Case("sweep-storage-shared", sweep(SWEEP + "storage_shared: maybe\n"), ("x.yaml:5", "storage_shared", "boolean")),
    Case("sweep-set-not-mapping", sweep(SWEEP + "set: [1, 2]\n"), ("x.yaml:5", "set", "dictionary")),
    Case("sweep-zip-not-list", sweep(SWEEP + "zip: {seed: [0, 1]}\n"), ("x.yaml:5", "zip", "list")),
    # ---------------------------------------------------------------- unknown names
    Case("sweep-unknown-method", sweep(SWEEP + "method: em-dart\n"), ("x.yaml:5", "em-dart", "allowed:", "em-darts")),
    Case("sweep-unknown-space", sweep(SWEEP.replace("nb201", "nb202")), ("x.yaml:2", "nb202", "allowed:")),
    Case("sweep-unknown-dataset", sweep(SWEEP.replace("digits", "mnist")), ("x.yaml:3", "mnist", "allowed:")),
    Case("sweep-unknown-trainable", sweep(SWEEP + "trainable: serch\n"), ("x.yaml:5", "trainable", "serch")),
    Case("sweep-unknown-protocol", sweep("name: e\ntrainable: evaluate\nprotocol: darts-cifr\nspace: darts\n"
                                         "set: {architecture: DARTS_V2}\n"), ("x.yaml:3", "darts-cifr")),
    Case("sweep-grid-key-typo", sweep(SWEEP + "method: em-darts\ngrid:\n  method.mutation.pmax: [0.1]\n"),
         ("x.yaml:7", "method.mutation.pmax", "did you mean 'method.mutation.p_max'")),
    Case("sweep-set-key-typo", sweep(SWEEP + "set: {optim.learning_rate: 0.1}\n"), ("x.yaml:5", "optim.learning_rate")),
    # ---------------------------------------------------------------- grid and zip shapes
    Case("sweep-grid-scalar", sweep(SWEEP + "grid:\n  seed: 3\n"), ("x.yaml:6", "grid.seed", "non-empty list")),
    Case("sweep-grid-empty", sweep(SWEEP + "grid:\n  seed: []\n"), ("x.yaml:6", "grid.seed", "non-empty list")),
    Case("sweep-grid-wrong-type", sweep(SWEEP + "grid:\n  optim.lr: [0.1, fast]\n"), ("x.yaml:6", "optim.lr", "fast")),
    Case("sweep-pmax-range", sweep(SWEEP + "method: em-darts\ngrid:\n  method.mutation.p_max: [0.1, 1.5]\n"),
         ("x.yaml:7", "method.mutation.p_max", "1.5")),
    Case("sweep-zip-unequal", sweep(SWEEP + "zip:\n  - seed: [0, 1, 2]\n    optim.lr: [0.1, 0.2]\n"),
         ("x.yaml:6", "zip group 0", "equal lengths")),
    Case("sweep-zip-empty-group", sweep(SWEEP + "zip:\n  - {}\n"), ("x.yaml:6", "zip group is empty")),
    Case("sweep-fixed-and-swept", sweep(SWEEP + "grid:\n  epochs: [1, 2]\n"), ("epochs", "both fixed", "and swept")),
    Case("sweep-repeated-trial", sweep(SWEEP + "grid:\n  seed: [0, 0]\n"), ("x.yaml:6", "identical")),
    Case("sweep-swept-twice", sweep(SWEEP + "grid:\n  seed: [0]\nzip:\n  - seed: [1]\n"), ("'seed' is swept twice",)),
    Case("sweep-set-method", sweep(SWEEP + "set: {method: em-darts}\n"), ("x.yaml:5", "set.method", "top level")),
    # ---------------------------------------------------------------- axes a trainable does not take (item 8)
    Case("select-sweep-method", sweep("name: p\ntrainable: select\nmethod: em-darts\nset: {checkpoint: ck}\n"),
         ("x.yaml:3", "method", "trainable 'select' takes no 'method'")),
    Case("select-sweep-space", sweep("name: p\ntrainable: select\nspace: darts\nset: {checkpoint: ck}\n"),
         ("x.yaml:3", "trainable 'select' takes no 'space'")),
    Case("random-sweep-method", sweep("name: r\ntrainable: random\nmethod: darts\n"),
         ("x.yaml:3", "trainable 'random' takes no 'method'", "space, dataset")),
    Case("search-sweep-protocol", sweep(SWEEP + "protocol: nb201\n"), ("x.yaml:5", "takes no 'protocol'")),
    Case("select-set-method-flag", sweep("name: p\ntrainable: select\nset: {checkpoint: ck}\n", "x.yaml",
                                         "--set", "method=em-darts"),
         ("--set method=em-darts", "takes no 'method'")),
    # ---------------------------------------------------------------- chaining (after:)
    Case("after-unknown-sweep", sweep("name: p\ntrainable: select\nafter: {sweep: nope}\n"),
         ("x.yaml:3", "after.sweep", "no sweep 'nope'")),
    Case("after-unknown-trial", lambda tmp: (saved_sweep(tmp), sweep(
        "name: p\ntrainable: select\nstorage: results\nafter: {sweep: s, trials: [t009]}\n")(tmp))[1],
         ("x.yaml:4", "has no trial 't009'", "t000_seed=0")),
    Case("after-unknown-filter", lambda tmp: (saved_sweep(tmp), sweep(
        "name: p\ntrainable: select\nstorage: results\nafter:\n  sweep: s\n  trials: {lr: 0.1}\n")(tmp))[1],
         ("x.yaml:6", "after.trials.lr", "not a swept key")),
    Case("after-on-search", sweep(SWEEP + "after: {sweep: s}\n"), ("x.yaml:5", "does not start from another sweep")),
    Case("after-trials-type", sweep("name: p\ntrainable: select\nafter: {sweep: s, trials: 3}\n"),
         ("x.yaml:3", "after.trials")),
    Case("select-no-checkpoint", sweep("name: p\ntrainable: select\n"), ("x.yaml:2", "checkpoint: Field required")),
    # ---------------------------------------------------------------- paths, storage and flags
    Case("sweep-nb201-table-missing", run_sweep(SWEEP + "nb201_table: nope.csv\n"),
         ("x.yaml:5", "nb201_table: no file", "nope.csv")),
    Case("sweep-nb201-table-grid", run_sweep(SWEEP + "grid:\n  nb201_table: [nope.csv]\n"),
         ("x.yaml:6", "nb201_table: no file", "nope.csv")),
    Case("sweep-nb201-table-set-flag", run_sweep(SWEEP, "--set", "nb201_table=nope.csv"),
         ("--set nb201_table=nope.csv", "nb201_table: no file")),
    Case("sweep-storage-scheme", sweep(SWEEP + "storage: s4://bucket/x\n"),
         ("x.yaml:5", "storage", "unknown URI scheme 's4://'")),
    Case("storage-flag-no-bucket", run_sweep(SWEEP, "--storage", "s3://"), ("--storage s3://", "no bucket")),
    Case("storage-flag-scheme", run_sweep(SWEEP, "--storage", "ftp://host/x"), ("--storage ftp://host/x", "scheme")),
    Case("storage-under-a-file", lambda tmp: (put("afile", "x"), run_sweep(SWEEP, "--storage", "afile/sub")(tmp))[1],
         ("afile/sub", "Not a directory")),
    Case("run-num-cpus-negative", run_sweep(SWEEP, "--num-cpus", "-1"), ("--num-cpus", ">= 1", "-1")),
    Case("run-num-cpus-zero", run_sweep(SWEEP, "--num-cpus", "0"), ("--num-cpus", ">= 1")),
    Case("run-set-no-equals", run_sweep(SWEEP, "--set", "epochs"), ("--set expects KEY=VALUE",)),
    Case("run-set-bad-yaml", run_sweep(SWEEP, "--set", "optim.lr=[0.1"), ("--set optim.lr=[0.1", "not a YAML")),
    Case("run-set-unknown-key", run_sweep(SWEEP, "--set", "optim.lrr=0.1"), ("--set optim.lrr=0.1", "optim.lr")),
    Case("run-set-wrong-type", run_sweep(SWEEP, "--set", "epochs=ten"), ("--set epochs=ten", "epochs")),
    Case("run-two-files-one-name", lambda tmp: ["run", put("a.yaml", SWEEP), put("b.yaml", SWEEP), "--dry-run"],
         ("b.yaml", "sweep name 's' is also the name of an earlier sweep file")),
    # ---------------------------------------------------------------- other commands' flags
    Case("methods-space", lambda tmp: ["methods", "--space", "nope"], ("space", "unknown search space 'nope'")),
    Case("methods-dataset", lambda tmp: ["methods", "--dataset", "nope"], ("dataset", "'nope'", "allowed:")),
    Case("search-method", lambda tmp: ["search", "--method", "em-dart", "--epochs", "1"], ("em-dart", "allowed:")),
    Case("search-pmax", lambda tmp: ["search", "--set", "method.mutation.p_max=2"], ("method.mutation.p_max",)),
    Case("search-set-bad-yaml", lambda tmp: [*SEARCH, "--set", "optim.lr={"], ("--set optim.lr={", "not a YAML")),
    Case("search-nb201-table-missing", lambda tmp: [*SEARCH, "--nb201-table", "missing.parquet", "--out", "o"],
         ("NB201 table not found", "missing.parquet")),
    Case("search-no-data-root", lambda tmp: [*SEARCH, "--dataset", "cifar10", "--out", "o"],
         ("cifar10", "data root", "expected files")),
    Case("evaluate-protocol", lambda tmp: ["evaluate", "--space", "nb201", "--genotype", GENOTYPE, "--dataset",
                                           "digits", "--protocol", "nope"], ("protocol", "'nope'")),
    Case("evaluate-genotype", lambda tmp: ["evaluate", "--space", "nb201", "--genotype", "|bogus~0|", "--dataset",
                                           "digits", "--protocol", "nb201"], ("bogus",)),
    # ---------------------------------------------------------------- data files (Fashion-MNIST, ImageNet16, CIFAR)
    Case("fashion-not-gzip", data_search("fashion-mnist", fashion(b"not gzip at all")),
         ("train-images-idx3-ubyte.gz", "not a readable gzip")),
    Case("fashion-gzip-cut", data_search("fashion-mnist", fashion(gzip.compress(IDX_HEADER + bytes(6272))[:40])),
         ("train-images-idx3-ubyte.gz", "not a readable gzip")),
    Case("fashion-idx-magic", data_search("fashion-mnist", fashion(gzip.compress(b"\x00\x00\x08\x01" + bytes(12)))),
         ("train-images-idx3-ubyte", "magic 2051")),
    Case("fashion-idx-short", data_search("fashion-mnist", fashion(gzip.compress(IDX_HEADER + bytes(100)))),
         ("train-images-idx3-ubyte", "holds 100 bytes", "[8, 28, 28]")),
    Case("imagenet16-garbage", data_search("imagenet16", imagenet16(b"garbage")),
         ("train_data_batch_3", "not a readable batch file")),
    Case("imagenet16-truncated", data_search("imagenet16", imagenet16(GOOD_BATCH[: len(GOOD_BATCH) // 2])),
         ("train_data_batch_3", "not a readable batch file")),
    Case("imagenet16-crafted", data_search("imagenet16", imagenet16(CRAFTED)),
         ("train_data_batch_3", "refused global", "system")),
    Case("imagenet16-wrong-dict", data_search("imagenet16", imagenet16(pickle.dumps({"pixels": [1]}, protocol=2))),
         ("train_data_batch_3", "not an ImageNet16 batch")),
    Case("imagenet16-evaluate", data_search("imagenet16", imagenet16(b"\x80\x02}q\x00"), "evaluate"),
         ("train_data_batch_3", "not a readable batch file")),
    Case("cifar10-garbage", data_search("cifar10", cifar10(b"\x80\x02garbage")),
         ("cifar-10-batches-py/data_batch_2", "not a readable batch file")),
    Case("cifar10-crafted", data_search("cifar10", cifar10(CRAFTED)), ("data_batch_2", "refused global")),
    Case("cifar10-wrong-shape", data_search("cifar10", cifar10(pickle.dumps({"data": [1, 2, 3], "labels": [0]}))),
         ("data_batch_2", "not a CIFAR batch")),
    # ---------------------------------------------------------------- search --out and --resume (item 8)
    Case("search-out-exists", lambda tmp: (put("o/metrics.jsonl", "{}\n"), [*SEARCH, "--out", "o"])[1],
         ("--out o already holds a run", "--resume", "--overwrite")),
    Case("search-resume-and-overwrite", lambda tmp: [*SEARCH, "--out", "o", "--resume", "--overwrite"],
         ("--resume", "--overwrite", "one of them")),
    Case("search-resume-changed-config", resume_search(state_bytes(GOOD_STATE), search_config(epochs=3)),
         ("--resume: the config differs from o/config.yaml", "epochs: 3 -> 1")),
    Case("search-resume-config-yaml", resume_search(state_bytes(GOOD_STATE), "epochs: [1\n"),
         ("o/config.yaml:", "not valid YAML")),
    Case("search-resume-config-key", resume_search(state_bytes(GOOD_STATE), "epochz: 1\n"),
         ("o/config.yaml", "epochz")),
    Case("search-resume-garbage-checkpoint", resume_search(b"garbage"),
         ("o/checkpoint/state.pt", "not a readable checkpoint")),
    Case("search-resume-truncated-checkpoint", resume_search(state_bytes(GOOD_STATE)[:300]),
         ("o/checkpoint/state.pt", "not a readable checkpoint")),
    Case("search-resume-not-a-checkpoint", resume_search(state_bytes([1, 2, 3])),
         ("o/checkpoint/state.pt", "not a dartsweep checkpoint")),
    # ---------------------------------------------------------------- select from a damaged checkpoint
    Case("select-garbage-checkpoint", select_from(b"garbage"), ("ck/state.pt", "not a readable checkpoint")),
    Case("select-truncated-checkpoint", select_from(state_bytes(GOOD_STATE)[:200]),
         ("ck/state.pt", "not a readable checkpoint")),
    Case("select-config-yaml", select_from(state_bytes(GOOD_STATE), "space: [nb201\n"),
         ("ck/config.yaml", "not valid YAML")),
    Case("select-config-latin1", select_from(state_bytes(GOOD_STATE), "space: caf\xe9\n".encode("latin-1")),
         ("ck/config.yaml", "not UTF-8")),
    Case("select-config-unknown-key", select_from(state_bytes(GOOD_STATE), "spaec: nb201\n"),
         ("ck/config.yaml", "spaec")),
    Case("select-no-state", select_from(None), ("no checkpoint (state.pt) in ck",)),
    Case("select-nb201-table-missing", select_from(state_bytes(GOOD_STATE), None, "--nb201-table", "nope.csv"),
         ("NB201 table not found", "nope.csv")),
    # ---------------------------------------------------------------- a sweep directory (collect, resume)
    Case("collect-status-json", damaged_sweep_dir("t000_seed=0/status.json", '{"status": "TERMIN'),
         ("t000_seed=0/status.json:1", "not valid JSON")),
    Case("collect-status-list", damaged_sweep_dir("t001_seed=1/status.json", "[1, 2]"),
         ("t001_seed=1/status.json", "JSON object", "list")),
    Case("collect-trials-json", damaged_sweep_dir("trials.json", '{"name": "s", "trials": [{"ind'),
         ("results/s/trials.json:1", "not valid JSON")),
    Case("collect-trials-shape", damaged_sweep_dir("trials.json", '{"trials": [{"index": 0}]}'),
         ("results/s/trials.json", "trials[0]", "trial_id")),
    Case("collect-trials-not-object", damaged_sweep_dir("trials.json", "[1, 2]"), ("results/s/trials.json",)),
    Case("collect-sweep-yaml", damaged_sweep_dir("sweep.yaml", "name: [s\n"), ("results/s/sweep.yaml:", "valid YAML")),
    Case("collect-sweep-key", damaged_sweep_dir("sweep.yaml", "name: s\ncolour: red\n"),
         ("results/s/sweep.yaml", "colour")),
    Case("collect-sweep-latin1", damaged_sweep_dir("sweep.yaml", "name: s\ndescription: \xe9\n".encode("latin-1")),
         ("results/s/sweep.yaml", "not UTF-8")),
    Case("collect-status-latin1", damaged_sweep_dir("t000_seed=0/status.json", b'{"status": "\xe9"}'),
         ("t000_seed=0/status.json", "not UTF-8")),
    Case("collect-no-sweep", lambda tmp: (put("empty/readme", "x"), ["collect", "empty"])[1],
         ("empty holds no sweep",)),
    Case("collect-bad-uri", lambda tmp: ["collect", "s4://bucket/s"], ("s4://bucket/s", "unknown URI scheme")),
    Case("resume-sweep-yaml", damaged_sweep_dir("sweep.yaml", "name: s\nbogus: 1\n", "resume"),
         ("results/s/sweep.yaml", "bogus")),
    Case("resume-trials-json", damaged_sweep_dir("trials.json", "", "resume"), ("results/s/trials.json", "JSON")),
    Case("resume-status-json", damaged_sweep_dir("t001_seed=1/status.json", "{", "resume"),
         ("t001_seed=1/status.json", "not valid JSON")),
    Case("resume-num-cpus", lambda tmp: ["resume", str(saved_sweep(tmp)), "--num-cpus", "-1"], ("--num-cpus",)),
    Case("resume-bad-uri", lambda tmp: ["resume", "gs://"], ("gs://", "no bucket")),
    Case("resume-no-sweep", lambda tmp: ["resume", "nowhere"], ("nowhere holds no sweep",)),
    # ---------------------------------------------------------------- table on damaged Parquet
    Case("table-garbage-parquet", lambda tmp: (parquet(tmp, lambda b: b"PAR1garbagePAR1"), ["table", "t"])[1],
         ("t/trials.parquet: not a readable Parquet file", "collect")),
    Case("table-truncated-parquet", lambda tmp: (parquet(tmp, lambda b: b[: len(b) // 2]), ["table", "t"])[1],
         ("t/trials.parquet: not a readable Parquet file",)),
    Case("table-missing", lambda tmp: ["table", "nothing"], ("nothing not found", "dartsweep collect")),
    Case("table-unknown-column", lambda tmp: (parquet(tmp), ["table", "t", "--by", "colour"])[1],
         ("no column(s) colour",)),
    # ---------------------------------------------------------------- scheduler, search_alg, callbacks (issue 13.4)
    Case("scheduler-unknown", sweep(SWEEP + "scheduler: {name: hyperband}\n"),
         ("x.yaml:5", "scheduler", "unknown scheduler 'hyperband'", "asha")),
    Case("scheduler-unknown-key", sweep(SWEEP + "scheduler: {name: asha, grace: 2}\n"),
         ("x.yaml:5", "unknown key 'grace'", "grace_period")),
    Case("scheduler-bad-value", sweep(SWEEP + "scheduler: {name: asha, grace_period: 0}\n"),
         ("x.yaml:5", "grace_period", "greater than or equal to 1", "got 0")),
    Case("scheduler-bad-mode", sweep(SWEEP + "scheduler: {name: asha, mode: maximise}\n"), ("mode", "'min' or 'max'")),
    Case("callbacks-unknown", sweep(SWEEP + "callbacks: [{name: neptune}]\n"),
         ("callbacks.0", "unknown callback 'neptune'", "mlflow, wandb")),
    Case("callbacks-unknown-key", sweep(SWEEP + "callbacks: [{name: mlflow, experiment: x}]\n"),
         ("unknown key 'experiment'", "experiment_name")),
    Case("callbacks-wandb-no-project", sweep(SWEEP + "callbacks: [{name: wandb}]\n"), ("callbacks.0", "project")),
    Case("callbacks-not-installed", sweep(SWEEP + "callbacks: [{name: wandb, project: p}]\n"),
         ("x.yaml:5", "callbacks.0", "pip package 'wandb'", "pip install wandb")),
    Case("search-alg-not-installed", sweep(SWEEP + "search_alg: {name: optuna, param_space: {optim.lr: "
                                           "{loguniform: [0.001, 0.1]}}}\n"), ("search_alg", "pip install optuna")),
    Case("search-alg-no-space", sweep(SWEEP + "search_alg: {name: random}\n"), ("search_alg", "param_space")),
    Case("search-alg-bad-distribution", sweep(SWEEP + "search_alg: {name: random, param_space: {optim.lr: "
                                              "{gaussian: [0, 1]}}}\n"),
         ("optim.lr", "unknown distribution", "uniform")),
    Case("search-alg-bad-bounds", sweep(SWEEP + "search_alg: {name: random, param_space: {optim.lr: "
                                        "{loguniform: [0, 1]}}}\n"), ("loguniform", "bounds must be > 0")),
    Case("search-alg-unknown-key", sweep(SWEEP + "search_alg: {name: random, param_space: {method.mutation.pmax: "
                                         "{uniform: [0, 1]}}}\n"), ("x.yaml:5", "method.mutation.pmax", "p_max")),
    Case("search-alg-out-of-range", sweep(SWEEP + "search_alg:\n  name: random\n  param_space:\n"
                                          "    method.mutation.p_max: {uniform: [0.0, 1.5]}\n"),
         ("x.yaml:8", "method.mutation.p_max", "less than or equal to 1", "1.5")),
    Case("search-alg-with-grid", sweep(SWEEP + "grid: {seed: [0, 1]}\nsearch_alg: {name: random, param_space: "
                                       "{optim.lr: {uniform: [0.01, 0.1]}}}\n"), ("grid", "search_alg.param_space")),
    Case("search-alg-fixed-and-sampled", sweep(SWEEP + "set: {optim.lr: 0.1}\nsearch_alg: {name: random, "
                                               "param_space: {optim.lr: {uniform: [0.01, 0.1]}}}\n"),
         ("optim.lr", "both fixed", "sampled")),
    Case("search-alg-axis", sweep(SWEEP + "search_alg: {name: random, param_space: {method: {choice: [darts]}}}\n"),
         ("search_alg.param_space.method", "preset")),
]


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under ``root`` with its kind, size, modification time and bytes."""
    out = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        out[str(path.relative_to(root))] = (path.is_dir(), st.st_size, st.st_mtime_ns,
                                           None if path.is_dir() else path.read_bytes())
    return out


def test_there_are_at_least_sixty_cases_with_unique_names():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_input_is_one_line_and_writes_nothing(case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    argv = case.build(tmp_path)
    before = snapshot(tmp_path)
    capsys.readouterr()
    rc = main(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert rc == USAGE_ERROR, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith(f"dartsweep {argv[0]}: error: "), lines[0]
    for needle in case.needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    assert snapshot(tmp_path) == before, "something was written"


def test_ctrl_c_exits_130_and_a_bug_keeps_its_traceback(monkeypatch, capsys):
    from harness.commands import spaces

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(spaces, "run", interrupted)
    assert main(["spaces"]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"

    def bug(args):
        return {}["no such key"]

    monkeypatch.setattr(spaces, "run", bug)
    with pytest.raises(KeyError):  # not turned into a one-line error: a bug needs its traceback
        main(["spaces"])
