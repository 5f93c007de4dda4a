"""Micro-scale results of the paper sweeps, written by the real trainables: one seed of each sweep file (same name,
so chained sweeps and artifacts find them), ``dartsweep run --smoke`` on local Ray, with tiny data sets in their
real on-disk formats side by side in one data root and a synthetic NB201 table. ``tests/harness/
test_paper_report.py`` runs :data:`MICRO` once and checks that every registered paper artifact renders from it.

Adding an artifact: add its sweep files to :data:`MICRO` (sources before the sweeps chained after them), with
the grid values that keep the run small but still fill at least one of the artifact's cells.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.helpers import fake_data
from tests.helpers.nb201_table import write_synthetic_nb201_table

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Micro:
    """How the one-seed copy of a sweep file differs from the file (besides ``seed: [0]``)."""

    grid: Mapping[str, list] = field(default_factory=dict)
    """Grid values replaced (fewer values: fewer trials)."""
    zip_keep: tuple[int, ...] | None = None
    """Positions kept in each ``zip`` group's lists (None: all)."""
    zip_drop: tuple[str, ...] = ()
    """Zipped keys left out of the copy (then the smoke set's value applies)."""
    set: Mapping[str, object] = field(default_factory=dict)
    """Added to the copy's ``set:`` block (settings of that trainable only)."""


MICRO: dict[str, Micro] = {
    "sweeps/em_darts/table1_search.yaml": Micro(),
    "sweeps/em_darts/table1_random.yaml": Micro(),
    "sweeps/em_darts/table3_search.yaml": Micro(grid={"space": ["s1"], "dataset": ["cifar10", "svhn"]}),
    "sweeps/em_darts/table3_eval_cifar10.yaml": Micro(),
    "sweeps/em_darts/table3_eval_small.yaml": Micro(),
    "sweeps/em_darts/table4_search.yaml": Micro(),
    "sweeps/em_darts/table6_search.yaml": Micro(grid={"method.mutation.p_max": [0.5]}),
    "sweeps/em_darts/figure2_search.yaml": Micro(),
    "sweeps/em_darts/figure3a_search.yaml": Micro(grid={"method.mutation.p_max": [0.1]}),
    "sweeps/em_darts/figure3b_search.yaml": Micro(grid={"epochs": [3]}),
    "sweeps/is_darts/table1_search.yaml": Micro(),
    "sweeps/single_darts/table1_search.yaml": Micro(),
    "sweeps/single_darts/table4_search.yaml": Micro(),
    "sweeps/single_darts/table5_search.yaml": Micro(zip_keep=(1, 4)),
    "sweeps/single_darts/figure3_search.yaml": Micro(),
    "sweeps/single_darts/figure2_search.yaml": Micro(),
    "sweeps/is_darts/figure4_search.yaml": Micro(),
    "sweeps/ber/figure4_search.yaml": Micro(),
    "sweeps/ber/table1_search.yaml": Micro(zip_keep=(0,), zip_drop=("dataset", "epochs")),
    "sweeps/ber/table2_search.yaml": Micro(),
    "sweeps/ber/table3_search.yaml": Micro(),
    "sweeps/darts_pt/table4_search_nb201.yaml": Micro(),
    "sweeps/darts_pt/table4_select_nb201.yaml": Micro(set={"eval_after_tune": False}),
    "sweeps/darts_pt/table4_select_nb201_fix_alpha.yaml": Micro(set={"eval_after_tune": False}),
    "sweeps/darts_pt/table2_search.yaml": Micro(),
    "sweeps/darts_pt/figure1_select.yaml": Micro(grid={"discretize_edge": [7],
                                                       "discretize_op": ["skip_connect", "sep_conv_3x3"]}),
    "sweeps/darts_pt/table3_search.yaml": Micro(grid={"method": ["darts-pt"], "space": ["s2"], "dataset": ["cifar10"]}),
    "sweeps/darts_pt/table3_select.yaml": Micro(set={"data.max_batches": 1}),
    "sweeps/darts_pt/figure2_select.yaml": Micro(grid={"discretize_edge": [0]}),
    "sweeps/darts_pt/figure6_select_mag.yaml": Micro(set={"data.max_batches": 1}),
    "sweeps/darts_pt/figure4_search.yaml": Micro(grid={"epochs": [1]}),
    "sweeps/darts_pt/figure8_search.yaml": Micro(grid={"epochs": [1]}),
    "sweeps/darts_pt/figure9_select.yaml": Micro(grid={"tune_epochs": [2]}, set={"eval_after_tune": False}),
    "sweeps/collapse/nb201_fashion_search.yaml": Micro(grid={"method": ["darts"]}),
    "sweeps/collapse/nb201_fashion_search_is_darts.yaml": Micro(),
    "sweeps/is_darts/table2_search.yaml": Micro(),
    "sweeps/is_darts/table2_eval.yaml": Micro(),
    "sweeps/is_darts/table3_eval.yaml": Micro(),
    "sweeps/single_darts/table2_search.yaml": Micro(),
    "sweeps/single_darts/table2_eval.yaml": Micro(),
    "sweeps/single_darts/table3_eval.yaml": Micro(),
    "sweeps/ber/table2_eval.yaml": Micro(),
    "sweeps/ber/table4_search_mobilenet.yaml": Micro(grid={"method": ["r-darts"]}),
    "sweeps/ber/table4_eval.yaml": Micro(),
}
"""Paper sweep files in run order -> how their micro copies differ. Single-DARTS Table 5 runs DARTS and
Single-DARTS at lr 0.005 (2 of its 10 settings); r-DARTS Table 1 one λ on the embedded data; EM-DARTS Figure 3a one
more p_max, Figure 3b a 3-epoch search; DARTS-PT's selections skip the after-tuning evaluations (but Figure 6's,
whose curve they are); DARTS-PT Figures 1-2 discretise one edge to two ops, Figures 4 and 8 search one epoch (one
PT snapshot each), Figure 9 adds one tuning setting; r-DARTS Table 4 searches with r-DARTS only (the chain its
evaluation trains)."""


def write_micro_data(root: Path) -> Path:
    """Tiny CIFAR-10/100, SVHN, ImageNet16-120 and ImageNet (an image folder) side by side in one root, each large
    enough for the smoke sets (64 images, batches of 16)."""
    fake_data.write_cifar10(root, n_per_batch=16)
    fake_data.write_cifar100(root, n=64)
    fake_data.write_svhn(root, n=64)
    fake_data.write_imagenet16(root, n_per_batch=8)
    fake_data.write_imagenet_folder(root, classes=2, per_class=8)
    return root


def micro_copy(sweep_file: str, directory: Path, data_root: Path) -> Path:
    """The one-seed copy of a sweep file (same name and folder name) under ``directory``, reading its data sets
    from ``data_root`` (where the file names one)."""
    micro = MICRO.get(sweep_file, Micro())
    body = yaml.safe_load((REPO / sweep_file).read_text(encoding="utf-8"))
    if "data_root" in body:
        body["data_root"] = str(data_root)
    body.setdefault("grid", {}).update(micro.grid)
    if "seed" in body["grid"]:
        body["grid"]["seed"] = [0]
    if micro.zip_keep is not None or micro.zip_drop:
        keep = micro.zip_keep
        body["zip"] = [{k: (v if keep is None else [v[i] for i in keep]) for k, v in group.items()
                        if k not in micro.zip_drop} for group in body["zip"]]
        body["zip"] = [group for group in body["zip"] if group]
        if not body["zip"]:
            del body["zip"]
    if micro.set:
        body["set"] = {**body.get("set", {}), **micro.set}
    path = directory / Path(sweep_file).parent.name / Path(sweep_file).name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(body, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def run_micro(files: Iterable[str], workdir: Path) -> Path:
    """Run the micro copies of ``files`` (in the order given) with ``--smoke``; returns the results root."""
    from harness.cli import main

    workdir.mkdir(parents=True, exist_ok=True)
    data = write_micro_data(workdir / "data")
    table = write_synthetic_nb201_table(workdir / "nb201.csv")
    copies = [str(micro_copy(f, workdir / "sweeps", data)) for f in files]
    storage = workdir / "results"
    code = main(["run", *copies, "--smoke", "--set", f"nb201_table={table}", "--storage", str(storage)])
    if code != 0:
        raise RuntimeError(f"dartsweep run of the micro sweeps exited {code}")
    return storage
