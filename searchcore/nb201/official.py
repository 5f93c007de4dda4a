"""Convert an official benchmark file into the compact :class:`NB201Table` (reference-notes §2.3).

Sources: NAS-Bench-201 ``NAS-Bench-201-v1_0-e61699.pth`` / ``v1_1-096897.pth`` read with ``nas_201_api``
(Dong & Yang, ICLR 2020), or NATS-Bench ``tss`` (Dong et al., TPAMI 2021; same 15,625 cells and index,
v1.1 training data) read with ``nats_bench``. Every value goes through the API's own
``get_more_info(index, dataset, hp='200', is_random=False)`` (200-epoch schedule, mean over seeds; the
defaults hp='12', is_random=True are the traps noted in §2.3) and ``get_cost_info(index, 'cifar10',
hp='200')``. The field behind each column is written into the table's provenance.

The official files are Python pickles. ``.pth`` files are first opened with ``torch.load(weights_only=
True)``, which refuses arbitrary objects; ``trust_pickle=True`` (CLI ``--trust-pickle``) allows a full
unpickle (much faster, and needed if the file holds numpy scalars). NATS-Bench is always fully unpickled
by ``nats_bench``, so it needs ``trust_pickle=True`` too. Only trust files from the official source.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Literal, Protocol

import pandas as pd

from searchcore.nb201.table import COLUMNS, NB201Table

log = logging.getLogger(__name__)

Kind = Literal["auto", "nb201", "nats-tss"]
HP = "200"
LOG_EVERY = 1000

# our column: (API dataset, get_more_info key, official set it means)
ACCURACY_FIELDS: dict[str, tuple[str, str, str]] = {
    "cifar10_valid": ("cifar10-valid", "valid-accuracy", "x-valid"),
    "cifar10_test": ("cifar10", "test-accuracy", "ori-test"),
    "cifar100_valid": ("cifar100", "valid-accuracy", "x-valid"),
    "cifar100_test": ("cifar100", "test-accuracy", "x-test"),
    "imagenet16_valid": ("ImageNet16-120", "valid-accuracy", "x-valid"),
    "imagenet16_test": ("ImageNet16-120", "test-accuracy", "x-test"),
}
COST_DATASET = "cifar10"  # params/FLOPs of the CIFAR-10 network (10-way head), as the literature reports


class BenchmarkAPI(Protocol):
    """The slice of the official API (NASBench201API / NATStopology) the conversion uses."""

    meta_archs: list[str]

    def __len__(self) -> int: ...
    def get_more_info(self, index: int, dataset: str, iepoch=None, hp: str = ..., is_random=...) -> dict: ...
    def get_cost_info(self, index: int, dataset: str, hp: str = ...) -> dict: ...


class OfficialFileError(RuntimeError):
    """The benchmark file cannot be read as asked (wrong kind, untrusted pickle, missing package)."""


def import_official(
    path: str | os.PathLike, out: str | os.PathLike, *, kind: Kind = "auto", trust_pickle: bool = False
) -> NB201Table:
    """Read an official NB201 / NATS-tss benchmark, write the compact Parquet table to ``out``, return it."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"benchmark file not found: {path}")
    kind = detect_kind(path) if kind == "auto" else kind
    log.info("reading %s as %s (this can take minutes and tens of GB of RAM)", path, kind)
    if kind not in _READERS:
        raise ValueError(f"unknown benchmark kind {kind!r}; use {' or '.join(map(repr, _READERS))}")
    api = _READERS[kind](path, trust_pickle)
    table = table_from_api(api, source=f"{path.name} ({kind})")
    table.save_parquet(out)
    log.info("wrote %d archs to %s", len(table), out)
    return table


def detect_kind(path: Path) -> Kind:
    """NATS-Bench if a directory (its fast-mode archive) or a ``.pickle*``/``NATS-tss`` name, else NB201."""
    name = path.name
    if "NATS-sss" in name:
        raise OfficialFileError(f"{name} is the NATS-Bench size space; NB201 needs the topology space (tss)")
    if path.is_dir() or "NATS-tss" in name or ".pickle" in name:
        return "nats-tss"
    return "nb201"


def table_from_api(api: BenchmarkAPI, source: str) -> NB201Table:
    """One row per architecture, every value from the API at hp='200', mean over seeds."""
    rows, missing = [], dict.fromkeys(COLUMNS[2:], 0)
    start = time.monotonic()
    for index in range(len(api)):
        row = _row(api, index)
        for col in missing:
            missing[col] += math.isnan(row[col])
        rows.append(row)
        if (index + 1) % LOG_EVERY == 0 or index + 1 == len(api):
            log.info("%5d/%d archs (%.0f s)", index + 1, len(api), time.monotonic() - start)
    gaps = {c: n for c, n in missing.items() if n}
    if len(api) and all(n == len(api) for n in missing.values()):
        raise OfficialFileError(f"{source} gave no hp='{HP}' results for any arch; is it the 200-epoch file?")
    if gaps:
        log.warning("values missing from %s (stored as null): %s", source, gaps)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return NB201Table(frame, _provenance(source), source=source)


def _row(api: BenchmarkAPI, index: int) -> dict[str, Any]:
    row: dict[str, Any] = {"index": index, "arch": api.meta_archs[index]}
    infos: dict[str, dict] = {}
    for col, (dataset, key, _) in ACCURACY_FIELDS.items():
        if dataset not in infos:
            infos[dataset] = _guarded(api.get_more_info, index, dataset, hp=HP, is_random=False)
        row[col] = _number(infos[dataset].get(key))
    costs = _guarded(api.get_cost_info, index, COST_DATASET, hp=HP)
    row["params_m"], row["flops_m"] = _number(costs.get("params")), _number(costs.get("flops"))
    return row


def _guarded(fn, index: int, dataset: str, **kwargs) -> dict:
    """{} when this arch has no results for ``dataset`` (the API raises KeyError or ValueError then)."""
    try:
        return fn(index, dataset, **kwargs)
    except (KeyError, ValueError) as err:
        log.debug("arch %d has no %s results at hp=%s: %s", index, dataset, HP, err)
        return {}


def _number(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _provenance(source: str) -> dict[str, str]:
    prov = {
        "index": f"{source}: position in meta_archs (= api.query_index_by_arch)",
        "arch": f"{source}: meta_archs[index]",
        "params_m": f"{source}: get_cost_info(index, '{COST_DATASET}', hp='{HP}')['params'] (millions)",
        "flops_m": f"{source}: get_cost_info(index, '{COST_DATASET}', hp='{HP}')['flops'] (millions)",
    }
    for col, (dataset, key, set_name) in ACCURACY_FIELDS.items():
        prov[col] = (f"{source}: get_more_info(index, '{dataset}', hp='{HP}', is_random=False)['{key}'] "
                     f"= {dataset} / {set_name}, mean over seeds")
    return prov


# ---------------------------------------------------------------------------- opening the files

def _nb201_api(path: Path, trust_pickle: bool) -> BenchmarkAPI:
    raw = _torch_load(path, trust_pickle)
    if not isinstance(raw, dict) or not {"meta_archs", "arch2infos", "evaluated_indexes"} <= raw.keys():
        raise OfficialFileError(f"{path.name} is not a NAS-Bench-201 file (needs meta_archs, arch2infos, "
                                "evaluated_indexes)")
    return _build_nb201_api(raw, path.name)


def _torch_load(path: Path, trust_pickle: bool) -> Any:
    import pickle

    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        if not trust_pickle:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise OfficialFileError(
                f"{path.name} holds Python objects that a safe load refuses ({first}). If it is the official "
                "file, rerun with --trust-pickle (trust_pickle=True) to unpickle it fully."
            ) from err
    log.info("safe load refused %s; unpickling fully (trust_pickle=True)", path.name)
    return torch.load(path, map_location="cpu", weights_only=False)  # official NB201 file; only on --trust-pickle


def _build_nb201_api(raw: dict, filename: str) -> BenchmarkAPI:
    """``NASBench201API(dict)`` without its ``copy.deepcopy`` of the whole file (which doubles peak RAM).

    Mirrors nas_201_api 2.1 ``NASBench201API.__init__``: 'less' -> hp '12', 'full' -> hp '200'.
    """
    from nas_201_api import ArchResults, NASBench201API

    api = NASBench201API.__new__(NASBench201API)
    api.filename, api.verbose = filename, False
    api.reset_time()
    api._avaliable_hps = {"12", "200"}
    api.meta_archs = list(raw["meta_archs"])
    api.arch2infos_dict = OrderedDict()
    for index in sorted(raw["arch2infos"]):
        infos = raw["arch2infos"][index]
        api.arch2infos_dict[index] = OrderedDict(
            (hp, ArchResults.create_from_state_dict(infos[key]))
            for hp, key in (("12", "less"), ("200", "full")) if key in infos
        )
    api.evaluated_indexes = sorted(raw["evaluated_indexes"])
    api.archstr2index = {arch: i for i, arch in enumerate(api.meta_archs)}
    if len(api.archstr2index) != len(api.meta_archs):
        raise OfficialFileError(f"{filename} has duplicate arch strings in meta_archs")
    return api


def _nats_tss_api(path: Path, trust_pickle: bool) -> BenchmarkAPI:
    try:
        from nats_bench import create
    except ImportError as err:
        raise OfficialFileError(
            "reading NATS-Bench needs the nats_bench package: pip install nats_bench"
        ) from err
    if not trust_pickle:
        raise OfficialFileError(
            f"nats_bench unpickles {path.name} fully (there is no safe mode); if it is the official "
            "NATS-Bench tss file, rerun with --trust-pickle (trust_pickle=True)"
        )
    # fast_mode reads one archive file per arch from a directory (NATS-tss-v1_0-3ffb9-simple).
    return create(str(path), "tss", fast_mode=path.is_dir(), verbose=False)


_READERS = {"nb201": _nb201_api, "nats-tss": _nats_tss_api}
"""Benchmark file kind -> reader returning the official API object."""
