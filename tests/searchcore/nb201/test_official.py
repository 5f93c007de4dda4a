"""import_official on a tiny benchmark file in the real NAS-Bench-201 format, built with nas_201_api classes.

The file has the official layout (``meta_archs``, ``arch2infos {index: {'less': ArchResults state, 'full':
ArchResults state}}``, ``evaluated_indexes``); 'less' is hp='12' and 'full' hp='200' (nas_201_api 2.1
``NASBench201API.__init__``). Each trial's last-epoch accuracy is known, so the expected seed means are too;
earlier epochs and the 12-epoch results hold decoys that a wrong ``iepoch``/``hp`` would pick up.
"""

from __future__ import annotations

import logging
from pathlib import Path

import nas_201_api
import numpy as np
import pytest
import torch

from harness.cli import main
from searchcore.nb201 import NB201Table, import_official, official
from searchcore.nb201.official import OfficialFileError, detect_kind, table_from_api

ARCHS = [
    "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|",
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
    "|none~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|none~0|none~1|nor_conv_3x3~2|",
]
SEEDS = {0: [777, 888], 1: [777], 2: [777, 888, 999]}
# dataset -> eval sets the official file has for it
EVAL_SETS = {
    "cifar10-valid": ("x-valid", "ori-test"),
    "cifar10": ("ori-test",),
    "cifar100": ("x-valid", "x-test", "ori-test"),
    "ImageNet16-120": ("x-valid", "x-test", "ori-test"),
}
DECOY = 1.0  # accuracy at every epoch but the last, and at hp='12'


def final_acc(arch: int, dataset: str, set_name: str, seed: int) -> float:
    """A distinct, exactly representable final-epoch accuracy per (arch, dataset, set, seed)."""
    d = list(EVAL_SETS).index(dataset)
    s = EVAL_SETS[dataset].index(set_name)
    return 40.0 + 10 * arch + 2 * d + 0.5 * s + 0.25 * SEEDS[arch].index(seed)


def expected_mean(arch: int, dataset: str, set_name: str) -> float:
    return float(np.mean([final_acc(arch, dataset, set_name, seed) for seed in SEEDS[arch]]))


def params_of(arch: int) -> float:
    return 0.125 * (arch + 1)


def make_trial(arch: int, dataset: str, seed: int, epochs: int, params) -> nas_201_api.ResultsCount:
    last = epochs - 1
    config = {"name": "infer.tiny", "C": 16, "N": 5, "channel": 16, "num_cells": 5,
              "arch_str": ARCHS[arch], "class_num": 10}
    trial = nas_201_api.ResultsCount(
        dataset, None, {e: 50.0 for e in range(epochs)}, {e: 1.0 for e in range(epochs)},
        params, 10.0 * params, config, seed, epochs, [0.01],
    )
    accs, losses, times = {}, {}, {}
    for set_name in EVAL_SETS[dataset]:
        for e in range(epochs):
            key = f"{set_name}@{e}"
            full = epochs == 200 and e == last
            accs[key] = final_acc(arch, dataset, set_name, seed) if full else DECOY
            losses[key], times[key] = 1.0, 0.1
    trial.update_eval(accs, losses, times)
    return trial


def arch_results(arch: int, epochs: int, params_type=float) -> dict:
    results = nas_201_api.ArchResults(arch, ARCHS[arch])
    for dataset in EVAL_SETS:
        for seed in SEEDS[arch]:
            trial = make_trial(arch, dataset, seed, epochs, params_type(params_of(arch)))
            results.update(dataset, seed, trial)
    return results.state_dict()


def write_fake_benchmark(path: Path, params_type=float) -> Path:
    data = {
        "meta_archs": list(ARCHS),
        "arch2infos": {
            i: {"less": arch_results(i, 12, params_type), "full": arch_results(i, 200, params_type)}
            for i in range(len(ARCHS))
        },
        "evaluated_indexes": list(range(len(ARCHS))),
    }
    torch.save(data, path)
    return path


@pytest.fixture(scope="module")
def fake_pth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fake_benchmark(tmp_path_factory.mktemp("nb201") / "NAS-Bench-201-v1_1-fake.pth")


def check_expected(table: NB201Table) -> None:
    assert len(table) == len(ARCHS)
    for i, arch in enumerate(ARCHS):
        row = table.query(i)
        assert row["arch"] == arch and table.lookup(arch) == row
        assert row["cifar10_valid"] == expected_mean(i, "cifar10-valid", "x-valid")
        assert row["cifar10_test"] == expected_mean(i, "cifar10", "ori-test")
        assert row["cifar100_valid"] == expected_mean(i, "cifar100", "x-valid")
        assert row["cifar100_test"] == expected_mean(i, "cifar100", "x-test")
        assert row["imagenet16_valid"] == expected_mean(i, "ImageNet16-120", "x-valid")
        assert row["imagenet16_test"] == expected_mean(i, "ImageNet16-120", "x-test")
        assert row["params_m"] == pytest.approx(params_of(i))
        assert table.to_frame()["flops_m"][i] == pytest.approx(10 * params_of(i))


def test_import_fake_official_file(fake_pth: Path, tmp_path: Path) -> None:
    out = tmp_path / "nb201.parquet"
    table = import_official(fake_pth, out)
    check_expected(table)
    back = NB201Table.load(out)
    check_expected(back)
    assert back.provenance == table.provenance
    assert "get_more_info(index, 'cifar10-valid', hp='200', is_random=False)['valid-accuracy']" in (
        back.provenance["cifar10_valid"])
    assert "x-valid" in back.provenance["cifar10_valid"] and "ori-test" in back.provenance["cifar10_test"]
    assert "cifar100 / x-test" in back.provenance["cifar100_test"]
    assert fake_pth.name in back.source


def test_matches_the_official_api_on_the_same_file(fake_pth: Path, tmp_path: Path) -> None:
    """Our no-deepcopy API construction gives what ``NASBench201API(path)`` gives."""
    api = nas_201_api.NASBench201API(str(fake_pth), verbose=False)
    table = import_official(fake_pth, tmp_path / "t.parquet")
    for i in range(len(ARCHS)):
        info = api.get_more_info(i, "cifar100", hp="200", is_random=False)
        assert table.query(i)["cifar100_valid"] == pytest.approx(info["valid-accuracy"])
        assert table.query(i)["cifar100_test"] == pytest.approx(info["test-accuracy"])
        cost = api.get_cost_info(i, "cifar10", hp="200")
        assert table.query(i)["params_m"] == pytest.approx(cost["params"])


def test_progress_is_logged(fake_pth: Path, tmp_path: Path, caplog, monkeypatch) -> None:
    monkeypatch.setattr(official, "LOG_EVERY", 1)
    with caplog.at_level(logging.INFO, logger="searchcore.nb201.official"):
        import_official(fake_pth, tmp_path / "t.parquet")
    assert any("2/3 archs" in r.getMessage() for r in caplog.records)


def test_numpy_scalars_need_trust(tmp_path: Path) -> None:
    """The official files may pickle numpy scalars, which torch's safe load refuses."""
    path = write_fake_benchmark(tmp_path / "NAS-Bench-201-np.pth", params_type=np.float64)
    out = tmp_path / "t.parquet"
    with pytest.raises(OfficialFileError, match="--trust-pickle"):
        import_official(path, out)
    assert not out.exists()
    check_expected(import_official(path, out, trust_pickle=True))


def test_cli_import_then_query(fake_pth: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "t.parquet"
    assert main(["nb201", "import", str(fake_pth), "--out", str(out)]) == 0
    assert "wrote 3 architectures" in capsys.readouterr().out
    assert main(["nb201", "query", ARCHS[1], "--table", str(out)]) == 0
    assert '"cifar10_valid": ' in capsys.readouterr().out
    assert main(["nb201", "import", str(tmp_path / "nope.pth"), "--out", str(out)]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["nb201", "import", str(fake_pth), "--out", str(tmp_path / "t.csv")]) == 2


def test_not_a_benchmark_file(tmp_path: Path) -> None:
    path = tmp_path / "other.pth"
    torch.save({"state_dict": {}}, path)
    with pytest.raises(OfficialFileError, match="not a NAS-Bench-201 file"):
        import_official(path, tmp_path / "t.parquet")


# ---------------------------------------------------------------- the conversion on a stub API

class StubAPI:
    """Mimics the official API surface: meta_archs, __len__, get_more_info, get_cost_info."""

    meta_archs = ARCHS[:2]

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __len__(self) -> int:
        return len(self.meta_archs)

    def get_more_info(self, index, dataset, iepoch=None, hp="12", is_random=True):
        self.calls.append((index, dataset, hp, is_random))
        if index == 1 and dataset == "ImageNet16-120":
            raise KeyError(dataset)  # the API raises KeyError for a dataset an arch was not trained on
        info = {"valid-accuracy": 60.0 + index, "test-accuracy": 70.0 + index}
        if dataset == "cifar10":
            del info["valid-accuracy"]
        return info

    def get_cost_info(self, index, dataset, hp="12"):
        return {"flops": 15.5, "params": np.float64(0.5), "latency": None}


def test_stub_conversion_uses_hp200_seed_mean() -> None:
    api = StubAPI()
    table = table_from_api(api, source="stub")
    assert {(hp, is_random) for _, _, hp, is_random in api.calls} == {("200", False)}
    assert table.query(0)["cifar10_valid"] == 60.0 and table.query(0)["cifar10_test"] == 70.0
    assert table.query(1)["imagenet16_test"] is None and table.query(1)["cifar100_test"] == 71.0
    assert table.query(1)["params_m"] == 0.5 and table.to_frame()["flops_m"][0] == 15.5


def test_all_missing_is_an_error() -> None:
    class Empty(StubAPI):
        def get_more_info(self, *args, **kwargs):
            raise ValueError("no hp")

        def get_cost_info(self, *args, **kwargs):
            raise KeyError("no hp")

    with pytest.raises(OfficialFileError, match="no hp='200' results"):
        table_from_api(Empty(), source="empty")


def test_detect_kind(tmp_path: Path) -> None:
    assert detect_kind(Path("NAS-Bench-201-v1_0-e61699.pth")) == "nb201"
    assert detect_kind(Path("NATS-tss-v1_0-3ffb9-full.pickle.pbz2")) == "nats-tss"
    assert detect_kind(tmp_path) == "nats-tss"
    with pytest.raises(OfficialFileError, match="size space"):
        detect_kind(Path("NATS-sss-v1_0-50262-simple"))


def test_nats_needs_package_or_trust(tmp_path: Path) -> None:
    try:
        import nats_bench  # noqa: F401

        expected = "--trust-pickle"
    except ImportError:
        expected = "pip install nats_bench"
    with pytest.raises(OfficialFileError, match=expected):
        import_official(tmp_path, tmp_path / "t.parquet", kind="nats-tss")
