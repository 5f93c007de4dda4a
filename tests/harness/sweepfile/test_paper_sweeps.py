"""Every sweep file under sweeps/ (the papers' tables in sweeps/<paper>/ included) validates as `dartsweep run
--dry-run` does: all of them in one command, each chained file after its source sweep, so `after:` is expanded
against the source's trials. The paper files state paper, table, runs, cost and data root, and expand to the
run counts and protocols of their tables."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import ray
import yaml

from harness.cli import main
from harness.commands.run import load_all

REPO = Path(__file__).resolve().parents[3]
SWEEPS = REPO / "sweeps"
PAPERS = {"em_darts": "000_", "darts_pt": "001_", "is_darts": "002_", "single_darts": "003_", "ber": "004_"}
"""sweeps/<paper>/ -> the paper's file in shared/papers (cited in each file's header)."""

EXPECTED: dict[str, tuple[int, str | None]] = {
    # file (under sweeps/) -> (trials, evaluation protocol or None)
    "em_darts/table1_search.yaml": (8, None),
    "em_darts/table1_random.yaml": (4, None),
    "ber/table1_search.yaml": (30, None),
    "single_darts/table1_search.yaml": (4, None),
    "is_darts/table1_search.yaml": (4, None),
    "em_darts/table2_search.yaml": (4, None),
    "em_darts/table2_eval.yaml": (8, "em-darts-cifar"),
    "em_darts/table2_eval_imagenet.yaml": (1, "darts-imagenet"),
    "em_darts/table3_search.yaml": (48, None),
    "em_darts/table3_eval_cifar10.yaml": (16, "em-darts-cifar"),
    "em_darts/table3_eval_small.yaml": (32, "reduced-small"),
    "em_darts/table4_search.yaml": (8, None),
    "em_darts/table6_search.yaml": (3, None),
    "em_darts/figure2_search.yaml": (20, None),
    "single_darts/figure3_search.yaml": (8, None),
    "em_darts/figure3a_search.yaml": (16, None),
    "em_darts/figure3b_search.yaml": (16, None),
    "em_darts/table7_search.yaml": (8, None),
    "em_darts/table7_random.yaml": (4, None),
    "em_darts/table7_eval.yaml": (8, "em-darts-cifar"),
    "em_darts/table7_eval_random.yaml": (4, "em-darts-cifar"),
    "darts_pt/table2_search.yaml": (4, None),
    "darts_pt/table2_select.yaml": (4, None),
    "darts_pt/table2_eval.yaml": (4, "darts-cifar"),
    "darts_pt/table3_search.yaml": (96, None),
    "darts_pt/table3_select.yaml": (48, None),
    "darts_pt/table3_select_fix_alpha.yaml": (48, None),
    "darts_pt/table3_eval_cifar10.yaml": (16, "reduced-cifar10"),
    "darts_pt/table3_eval_small.yaml": (32, "reduced-small"),
    "darts_pt/table3_eval_fix_alpha_cifar10.yaml": (16, "reduced-cifar10"),
    "darts_pt/table3_eval_fix_alpha_small.yaml": (32, "reduced-small"),
    "darts_pt/table4_search.yaml": (4, None),
    "darts_pt/table4_select.yaml": (4, None),
    "darts_pt/table4_eval.yaml": (4, "darts-cifar"),
    "darts_pt/table4_search_nb201.yaml": (8, None),
    "darts_pt/table4_select_nb201.yaml": (4, None),
    "darts_pt/table4_select_nb201_fix_alpha.yaml": (4, None),
    "darts_pt/table5_eval.yaml": (1, "darts-imagenet-da"),
    "is_darts/table2_search.yaml": (4, None),
    "is_darts/table2_eval.yaml": (4, "is-darts-cifar"),
    "is_darts/table3_eval.yaml": (1, "is-darts-imagenet"),
    "single_darts/table2_search.yaml": (5, None),
    "single_darts/table2_eval.yaml": (5, "single-darts-imagenet"),
    "single_darts/table3_eval.yaml": (5, "single-darts-cifar"),
    "single_darts/table4_search.yaml": (15, None),
    "single_darts/table5_search.yaml": (50, None),
    "ber/table2_search.yaml": (4, None),
    "ber/table2_eval.yaml": (1, "darts-imagenet"),
    "ber/table3_search.yaml": (1, None),
    "single_darts/figure2_search.yaml": (8, None),
    "is_darts/figure4_search.yaml": (1, None),
    "ber/figure4_search.yaml": (2, None),
    "ber/table4_search_mobilenet.yaml": (6, None),
    "ber/table4_eval.yaml": (1, "proxylessnas-imagenet"),
    "darts_pt/figure1_select.yaml": (21, None),
    "darts_pt/figure2_select.yaml": (28, None),
    "darts_pt/figure4_search.yaml": (4, None),
    "darts_pt/figure6_select_mag.yaml": (4, None),
    "darts_pt/figure8_search.yaml": (4, None),
    "darts_pt/figure9_select.yaml": (16, None),
}


def sweep_files() -> list[Path]:
    return sorted(SWEEPS.rglob("*.yaml"))


def in_chain_order(files: list[Path]) -> list[Path]:
    """Sources before the files chained after them (``after.sweep`` names a sweep, not a file)."""
    body = {f: yaml.safe_load(f.read_text()) for f in files}
    by_name = {b["name"]: f for f, b in body.items()}
    ordered: list[Path] = []

    def visit(f: Path, path: tuple[Path, ...] = ()) -> None:
        assert f not in path, f"chaining cycle through {f}"
        source = (body[f].get("after") or {}).get("sweep")
        if source is not None:
            assert source in by_name, f"{f}: after.sweep {source!r} is no sweep file's name"
            visit(by_name[source], (*path, f))
        if f not in ordered:
            ordered.append(f)

    for f in files:
        visit(f)
    return ordered


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home whose ~/data holds the NB201 table the NB201 sweeps name (validation checks that it exists)."""
    (tmp_path / "home" / "data").mkdir(parents=True)
    (tmp_path / "home" / "data" / "nb201.parquet").touch()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.mark.usefixtures("home")
def test_every_sweep_file_validates_in_one_dry_run(tmp_path, capsys):
    files = in_chain_order(sweep_files())
    storage = tmp_path / "res"
    assert main(["run", *map(str, files), "--dry-run", "--storage", str(storage)]) == 0
    out = capsys.readouterr().out
    assert out.count(" trials (trainable ") == len(files)
    assert not storage.exists() and not ray.is_initialized()


@pytest.mark.usefixtures("home")
def test_the_paper_sweeps_expand_to_their_tables_runs_and_protocols(tmp_path):
    files = in_chain_order(sweep_files())
    sweeps = dict(zip(files, load_all([str(f) for f in files], {}, str(tmp_path)), strict=True))
    paper_files = {f.relative_to(SWEEPS).as_posix(): s for f, s in sweeps.items() if f.parent != SWEEPS}
    assert set(EXPECTED) <= set(paper_files), sorted(set(EXPECTED) - set(paper_files))
    for rel, (count, protocol) in EXPECTED.items():
        sweep = paper_files[rel]
        assert len(sweep.trials) == count, rel
        assert {t.axes.get("protocol") for t in sweep.trials} == {protocol}, rel
    # what the tables need: Table 5's p_max per space and data set, one search data set per trial, ImageNet evals
    em = paper_files["em_darts/table3_search.yaml"]
    p_max = {(t.axes["space"], t.axes["dataset"]): t.config["method"]["mutation"]["p_max"] for t in em.trials}
    assert p_max[("s2", "cifar10")] == 0.25 and p_max[("s1", "svhn")] == 0.4 and p_max[("s3", "cifar100")] == 0.2
    growth = paper_files["em_darts/table4_search.yaml"].trials  # Table 4: linear is Table 1's EM-DARTS trials
    assert {(t.config["method"]["mutation"]["growth"], t.config["method"]["mutation"]["p_max"]) for t in growth} == {
        ("exponential", 0.2), ("cosine", 0.2)}
    assert {t.config["method"]["mutation"]["growth"] for t in paper_files["em_darts/table1_search.yaml"].trials
            if t.axes["method"] == "em-darts"} == {"linear"}
    cost = paper_files["em_darts/table6_search.yaml"].trials  # Table 6: p_max 0 / 0.5 / 1 on the DARTS space
    assert sorted(t.config["method"]["mutation"]["p_max"] for t in cost) == [0.0, 0.5, 1.0]
    assert {t.axes["space"] for t in cost} == {"darts"}
    levels = paper_files["single_darts/table4_search.yaml"].trials  # Single-DARTS Table 4: only the level varies
    assert {t.config["method"]["level"] for t in levels} == {"bilevel", "same_subset", "single"}
    assert {(t.config["method"]["activation"], t.config["method"]["arch_optim"]["optimizer"], t.config["optim"]["lr"],
             t.config["method"]["arch_optim"]["lr"]) for t in levels} == {("softmax", "sgd", 0.005, 0.005)}
    ablation = paper_files["single_darts/table5_search.yaml"].trials  # Table 5: 10 settings, lr / act / opt
    settings = {(t.config["method"]["level"], t.config["method"]["activation"], t.config["optim"]["lr"],
                 t.config["method"]["arch_optim"]["optimizer"]) for t in ablation}
    assert len(settings) == 9 and ("bilevel", "softmax", 0.025, "sgd") in settings  # Sigmoid* differs in α init
    assert ("single", "sigmoid", 0.005, "adam") in settings and ("bilevel", "sigmoid", 0.005, "sgd") in settings
    assert {t.config["method"]["alpha_init_value"] for t in ablation if t.axes["method"] == "single-darts"} == {
        -math.log(7.0), 0.0}
    memory = paper_files["ber/table3_search.yaml"].trials  # r-DARTS Table 3: DARTS beside table2_search's r-DARTS
    assert {(t.axes["method"], t.axes["space"], t.axes["dataset"]) for t in memory} == {("darts", "darts", "cifar10")}
    small = paper_files["em_darts/table3_eval_small.yaml"]
    assert {t.axes["dataset"] for t in small.trials} == {"cifar100", "svhn"}
    assert all((t.config["network"]["layers"], t.config["data"]["batch_size"]) == (8, 128) for t in small.trials)
    fix = paper_files["darts_pt/table3_eval_fix_alpha_cifar10.yaml"]
    assert {t.params["source.source.method"] for t in fix.trials} == {"darts-fix-alpha"}
    for rel in ("em_darts/table2_eval_imagenet.yaml", "darts_pt/table5_eval.yaml", "is_darts/table3_eval.yaml",
                "ber/table2_eval.yaml", "single_darts/table2_eval.yaml"):
        assert {t.axes["dataset"] for t in paper_files[rel].trials} == {"imagenet"}, rel


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_a_paper_file_says_paper_table_runs_cost_and_data(rel):
    path = SWEEPS / rel
    text = path.read_text()
    header = text.split("\nname:", 1)[0]
    assert header.startswith("# ") and all(line.startswith("#") for line in header.splitlines()), path
    assert PAPERS[path.parent.name] in header and re.search(r"(Table|Figure) \d", header), path
    assert "Cost" in header and "Runs" in header, path
    assert re.fullmatch(r"(table|figure)\d+[a-z]?_(search|select|eval|random)(_[a-z0-9_]+)?", path.stem), path
    body = yaml.safe_load(text)
    if body.get("trainable", "search") in ("search", "evaluate"):
        assert "--set data_root=" in header, f"{path}: say how to point the sweep at the data"


@pytest.mark.usefixtures("home")
def test_every_sweep_file_validates_at_smoke_scale(tmp_path):
    """``--smoke`` (harness.smoke): every file still validates, every trial on one CPU, every search on the
    embedded data at micro scale unless the sweep sweeps its data set, every evaluation on the CPU demo protocol."""
    files = in_chain_order(sweep_files())
    sweeps = load_all([str(f) for f in files], {}, str(tmp_path), smoke=True)
    assert len(sweeps) == len(files)
    for sweep in sweeps:
        res = sweep.spec.resources
        assert (res.gpu, res.cpu, res.workers) == (0, 1, 1), sweep.spec.name
        for t in sweep.trials:
            config = t.config
            if sweep.spec.trainable == "search":
                assert config["supernet"]["channels"] == 4 and config["data"]["max_batches"] == 2, sweep.spec.name
                assert config["epochs"] == 2 or "epochs" in t.params, sweep.spec.name  # swept: the sweep's
                if "dataset" not in t.params:
                    assert t.axes["dataset"] == "digits", sweep.spec.name
            if sweep.spec.trainable == "evaluate":
                assert t.axes["protocol"] == "cpu-demo" and config["epochs"] == 1, sweep.spec.name
    # the command's own --set values win over the smoke set
    [sweep] = load_all([str(SWEEPS / "em_darts" / "table1_search.yaml")], {"epochs": 3}, str(tmp_path), smoke=True)
    assert {t.config["epochs"] for t in sweep.trials} == {3}
