"""Streaming evaluation data (ImageNet as an image folder): selected by the registry entry, DARTS' transforms at a
configurable crop size, batches fixed by (seed, epoch) whatever the worker count, and an evaluation on it that
resumes exactly. Runs on a tiny fake ImageNet folder (tests/helpers/fake_data.py) at 16-32 px."""

from __future__ import annotations

import json

import pytest
import torch
from pydantic import ValidationError
from torchvision import transforms

from searchcore.config import SearchConfig
from searchcore.data import DATASETS
from searchcore.data.imagenet import train_transform
from searchcore.evaluate.config import EvalDataConfig
from searchcore.evaluate.data import EvalData, build_eval_data
from searchcore.evaluate.loop import EvalRun
from searchcore.evaluate.protocols import resolve_eval_config
from searchcore.evaluate.streaming import StreamingEvalData
from searchcore.search import LocalReporter
from tests.helpers import fake_data

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return fake_data.write_imagenet_folder(tmp_path_factory.mktemp("imagenet"), classes=3, per_class=4)


def _data(folder, **cfg) -> StreamingEvalData:
    base = {"dataset": "imagenet", "root": str(folder), "batch_size": 4, "cutout": 0, "resolution": 16,
            "workers": 0}
    data = build_eval_data(EvalDataConfig(**{**base, **cfg}), seed=0, device=CPU)
    assert isinstance(data, StreamingEvalData)
    return data


def test_the_registry_entry_selects_the_streaming_path():
    assert DATASETS.get("imagenet").streaming and not DATASETS.get("cifar10").streaming
    assert isinstance(build_eval_data(EvalDataConfig(dataset="digits", cutout=0), 0, CPU), EvalData)
    augment = [type(t) for t in train_transform(16).transforms]
    assert augment[:3] == [transforms.RandomResizedCrop, transforms.RandomHorizontalFlip, transforms.ColorJitter]
    jitter = train_transform(16).transforms[2]  # DA train_imagenet.py: ColorJitter(0.4, 0.4, 0.4, 0.2)
    assert (jitter.brightness, jitter.contrast, jitter.saturation, jitter.hue) == ((0.6, 1.4), (0.6, 1.4),
                                                                                    (0.6, 1.4), (-0.2, 0.2))


def test_batches_are_cropped_normalised_and_labelled(folder):
    data = _data(folder)
    assert data.num_batches("train") == 3 and data.num_batches("test") == 3 and data.num_classes == 1000
    batches = list(data.train_batches(seed=0, epoch=0))
    assert [tuple(x.shape) for x, _ in batches] == [(4, 3, 16, 16)] * 3
    assert sorted(torch.cat([y for _, y in batches]).tolist()) == [0] * 4 + [1] * 4 + [2] * 4  # each image once
    x = torch.cat([x for x, _ in batches])
    assert x.dtype == torch.float32 and x.min() < 0 < x.max()  # normalised, not in [0, 1]
    test = list(data.test_batches())
    assert [tuple(x.shape) for x, _ in test] == [(4, 3, 16, 16)] * 3
    again = list(data.test_batches())
    assert all(torch.equal(a[0], b[0]) for a, b in zip(test, again))  # resize + centre crop: no randomness
    assert list(_data(folder, resolution=24).train_batches(0, 0, limit=1))[0][0].shape[-1] == 24


def test_an_epoch_is_fixed_by_seed_and_epoch_whatever_the_workers(folder):
    state = torch.get_rng_state()
    one = list(_data(folder).train_batches(seed=3, epoch=1))
    assert torch.equal(torch.get_rng_state(), state)  # the caller's RNG is untouched
    two = list(_data(folder, workers=2).train_batches(seed=3, epoch=1))
    for (xa, ya), (xb, yb) in zip(one, two, strict=True):
        assert torch.equal(xa, xb) and torch.equal(ya, yb)
    other = list(_data(folder).train_batches(seed=3, epoch=2))
    assert not all(torch.equal(a[0], b[0]) for a, b in zip(one, other))
    limited = _data(folder, limit_train_images=5)
    assert limited.num_batches("train") == 1 and len(limited.source_idx) == 5  # 4 + a dropped batch of 1


def test_bad_settings_are_one_line_errors(folder, tmp_path):
    with pytest.raises(ValueError, match="cutout is a CIFAR augmentation"):
        _data(folder, cutout=16)
    with pytest.raises(ValueError, match="held in memory at its own 32x32"):
        build_eval_data(EvalDataConfig(dataset="digits", resolution=16), 0, CPU)
    with pytest.raises(ValidationError, match="streamed from disk and only evaluation reads it"):
        SearchConfig.model_validate({"data": {"dataset": "imagenet"}})
    fake_data.write_imagenet_folder(tmp_path, classes=2)
    (tmp_path / "train" / "n00000009").mkdir()
    (tmp_path / "train" / "n00000009" / "x.JPEG").write_bytes((tmp_path / "train" / "n00000000" / "img0.JPEG")
                                                              .read_bytes())
    with pytest.raises(ValueError, match="different classes"):
        _data(tmp_path)


def _cfg(folder, epochs: int):
    tiny = {"network.layers": 3, "network.channels": 4, "network.auxiliary": False, "data.batch_size": 4,
            "data.resolution": 32, "data.workers": 0, "data.root": str(folder), "epochs": epochs, "threads": 1,
            "architecture": "DARTS_V2"}
    return resolve_eval_config("darts-imagenet", "darts", "imagenet", {**tiny, "optim.warmup_epochs": 1})


def test_an_imagenet_evaluation_trains_and_resumes_exactly(folder, tmp_path):
    cfg = _cfg(folder, 3)
    assert cfg.data.cutout == 0 and cfg.optim.label_smoothing == 0.1  # the protocol's ImageNet settings
    whole = EvalRun(cfg, LocalReporter(tmp_path / "whole"))
    assert type(whole.model).__name__ == "NetworkImageNet"
    whole.run()

    class Interrupt(Exception):
        pass

    class DiesAfter(LocalReporter):
        def report(self, metrics, checkpoint_dir=None):
            super().report(metrics, checkpoint_dir)
            if len(self.history) == 2:
                raise Interrupt

    with pytest.raises(Interrupt):
        EvalRun(cfg, DiesAfter(tmp_path / "cut")).run()
    resumed = EvalRun(cfg, LocalReporter(tmp_path / "cut", resume=True))
    resumed.run()
    rows = {name: [json.loads(line) for line in (tmp_path / name / "metrics.jsonl").read_text().splitlines()]
            for name in ("whole", "cut")}
    for key in ("train_loss", "test_loss", "test_acc", "lr"):
        assert [r[key] for r in rows["cut"]] == [r[key] for r in rows["whole"]], key
    for (name, a), b in zip(whole.model.state_dict().items(), resumed.model.state_dict().values()):
        assert torch.equal(a, b), name


def test_ranks_shard_each_global_batch_into_the_single_process_batch(folder):
    data = _data(folder, batch_size=6)
    whole = list(data.train_batches(seed=1, epoch=0))
    shards = [list(data.train_batches(seed=1, epoch=0, rank=r, world_size=2)) for r in range(2)]
    assert data.num_batches("train", 2) == 2
    for b, (x, y) in enumerate(whole):
        assert torch.equal(torch.cat([shards[0][b][0], shards[1][b][0]]), x)
        assert torch.equal(torch.cat([shards[0][b][1], shards[1][b][1]]), y)
    tests = [list(data.test_batches(rank=r, world_size=2)) for r in range(2)]
    assert [len(t) for t in tests] == [1, 1]
