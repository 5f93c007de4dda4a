"""analysis.artifacts: the registry, the grid builder (mean ± std, best of N as error, configured values), ours
beside the paper's, and the Markdown / CSV / LaTeX files. Frames here are small and hand-made to pin the
arithmetic; tests/harness/test_paper_report.py renders every artifact from Parquet written by the real trainables."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from analysis.artifacts import ARTIFACTS, Artifact, render
from analysis.artifacts.compare import compare
from analysis.artifacts.grid import Select, grid
from analysis.artifacts.results import REPO, command, missing, sweep_name


def test_the_registered_artifacts_and_their_sweep_files():
    assert {"em_darts/table1", "em_darts/table3", "em_darts/table4", "em_darts/table5", "em_darts/table6",
            "ber/table1", "is_darts/table1", "single_darts/table1", "darts_pt/table4", "single_darts/table4",
            "single_darts/table5", "ber/table3", "ber/figure5", "darts_pt/figure1", "darts_pt/figure2",
            "darts_pt/figure3", "darts_pt/figure4", "darts_pt/figure6", "darts_pt/figure8", "darts_pt/figure9",
            "single_darts/figure2", "is_darts/figure4", "ber/figure4",
            "is_darts/table2", "is_darts/table3", "single_darts/table2", "single_darts/table3", "ber/table2",
            "ber/table4"} <= set(ARTIFACTS)
    for artifact in ARTIFACTS.values():
        for f in artifact.sweeps:
            assert (REPO / f).exists(), f
            assert sweep_name(f) == yaml.safe_load((REPO / f).read_text())["name"]
        assert all(f.startswith("sweeps/") for f in artifact.sweeps)
    with pytest.raises(ValueError, match="statistic"):
        Artifact("p", "Table 9", "c", "table", ("sweeps/x.yaml",), lambda t, e: t, "median")


def _nb201_trials() -> pd.DataFrame:
    rows = []
    for method, base in (("darts", 40.0), ("em-darts", 90.0)):
        for seed in range(4):
            rows.append({"sweep": "em_darts_table1_search", "method": method, "seed": seed, "status": "TERMINATED",
                         "wall_seconds": 3600.0, **{f"nb201_{d}_{s}": base + seed for d in ("cifar10", "cifar100",
                                                                                         "imagenet16")
                                                    for s in ("valid", "test")}})
    rows.append({"sweep": "em_darts_table1_search", "method": "darts", "seed": 9, "status": "ERROR"})
    return pd.DataFrame(rows)


def test_nb201_table_mean_std_over_finished_seeds_beside_the_paper():
    artifact = ARTIFACTS["em_darts/table1"]
    ours = artifact.build(_nb201_trials(), pd.DataFrame())
    em = ours[(ours["row"] == "EM-DARTS") & (ours["column"] == "cifar10_test")].iloc[0]
    assert (em["n"], em["mean"]) == (4, 91.5) and math.isclose(em["std"], pd.Series([0, 1, 2, 3]).std())
    assert "random sampling" not in set(ours["row"])  # no random trials: no row of ours
    c = compare(ours, artifact.reference_table())
    cell = c[(c["row"] == "EM-DARTS") & (c["column"] == "CIFAR-10 test")].iloc[0]
    assert cell["paper"] == "94.36 ± 0.00" and math.isclose(cell["difference"], 91.5 - 94.36)
    gdas = c[c["row"] == "GDAS"]  # a quoted baseline we do not run: the paper's value only
    assert (gdas["n"] == 0).all() and gdas["ours_mean"].isna().all() and gdas["paper"].notna().all()
    assert list(dict.fromkeys(c["row"]))[:3] == ["DARTS (1st)", "DARTS (2nd)", "GDAS"]  # the paper's order


def test_cost_column_from_wall_time_and_ours_only_rows():
    artifact = ARTIFACTS["is_darts/table1"]
    ours = artifact.build(_nb201_trials(), pd.DataFrame())
    cost = ours[(ours["row"] == "DARTS (1st)") & (ours["column"] == "cost_hours")].iloc[0]
    assert cost["mean"] == 1.0
    extra = pd.concat([ours, pd.DataFrame([("mine", "cifar10_test", 2, 50.0, 1.0)], columns=ours.columns)])
    c = compare(extra, artifact.reference_table())
    mine = c[c["row"] == "mine"].iloc[0]
    assert c["row"].iloc[-1] == "mine" and pd.isna(mine["paper"]) and math.isnan(mine["difference"])


def test_best_of_n_as_test_error_and_configured_values():
    evals = pd.DataFrame([{"source.dataset": "cifar10", "source.space": "s1", "status": "TERMINATED",
                           "test_acc": acc, "trial_id": f"t{i}"} for i, acc in enumerate((96.0, 97.26, 95.0))])
    ours = ARTIFACTS["em_darts/table3"].build(evals, pd.DataFrame())
    assert len(ours) == 1
    row = ours.iloc[0]
    assert (row["row"], row["column"], row["n"]) == ("CIFAR-10 S1", "em_darts", 3)
    assert math.isclose(row["mean"], 2.74) and math.isnan(row["std"])
    search = pd.DataFrame([{"space": s, "dataset": d, "status": "TERMINATED", "method.mutation.p_max": p}
                           for (s, d, p) in (("s1", "cifar10", 0.2), ("s2", "cifar10", 0.25), ("s1", "svhn", 0.4))
                           for _ in range(2)])
    p = ARTIFACTS["em_darts/table5"].build(search, pd.DataFrame())
    c = compare(p, ARTIFACTS["em_darts/table5"].reference_table()).dropna(subset=["ours_mean"])
    assert (c["difference"] == 0).all() and len(c) == 3
    bad = search.assign(**{"method.mutation.p_max": [0.2, 0.3, 0.25, 0.25, 0.4, 0.4]})
    with pytest.raises(ValueError, match="disagree"):
        ARTIFACTS["em_darts/table5"].build(bad, pd.DataFrame())


def test_darts_pt_nb201_row_as_test_error_of_the_searched_and_selected_cells():
    rows = [{"sweep": sweep, "method": method, "select_rule": rule, "seed": seed, "status": "TERMINATED",
             "nb201_cifar10_test": base + seed}
            for sweep, method, rule, base in (("darts_pt_table4_search_nb201", "darts-pt", None, 54.0),
                                              ("darts_pt_table4_search_nb201", "darts-fix-alpha", None, 80.0),
                                              ("darts_pt_table4_select_nb201", None, "pt", 88.0),
                                              ("darts_pt_table4_select_nb201_fix_alpha", None, "pt-fix-alpha", 93.0))
            for seed in range(4)]
    artifact = ARTIFACTS["darts_pt/table4"]
    c = compare(artifact.build(pd.DataFrame(rows), pd.DataFrame()), artifact.reference_table())
    nb201 = c[c["row"] == "NAS-Bench-201"].set_index("column")
    assert list(nb201.index) == ["DARTS", "DARTS+PT", "DARTS+PT (fix α)"] and (nb201["n"] == 4).all()
    assert list(nb201["ours_mean"]) == pytest.approx([44.5, 10.5, 5.5])  # 100 - mean accuracy
    assert nb201.loc["DARTS+PT", "paper"] == "11.89" and nb201.loc["DARTS", "difference"] == pytest.approx(-1.2)
    assert (c[c["row"] == "DARTS Space"]["n"] == 0).all()  # trained from scratch: quoted only


def test_growth_strategies_with_the_linear_row_from_table1():
    trials = _nb201_trials().assign(**{"method.mutation.growth": "linear"})
    more = pd.DataFrame([{"sweep": "em_darts_table4_search", "method": "em-darts", "method.mutation.growth": g,
                          "seed": seed, "status": "TERMINATED", "nb201_cifar10_valid": base + seed}
                         for g, base in (("exponential", 91.0), ("cosine", 80.0)) for seed in range(4)])
    artifact = ARTIFACTS["em_darts/table4"]
    c = compare(artifact.build(pd.concat([trials, more], ignore_index=True), pd.DataFrame()),
                artifact.reference_table())
    assert list(c["row"]) == ["linear", "exponential", "cosine"] and (c["n"] == 4).all()
    linear, exponential = c.iloc[0], c.iloc[1]
    assert linear["ours_mean"] == 91.5 and linear["paper"] == "91.55 ± 0.00"  # Table 1's EM-DARTS seeds
    assert exponential["ours_mean"] == 92.5 and math.isclose(exponential["difference"], 92.5 - 91.52)


def test_search_cost_in_days_from_the_summed_epoch_seconds():
    trials = pd.DataFrame([{"sweep": "em_darts_table6_search", "trial_id": f"t{i}", "method.mutation.p_max": p,
                            "status": status, "wall_seconds": 1.0}
                           for i, (p, status) in enumerate(((0.0, "TERMINATED"), (0.5, "TERMINATED"),
                                                            (1.0, "ERROR")))])
    epochs = pd.DataFrame([{"sweep": "em_darts_table6_search", "trial_id": f"t{i}", "epoch": e,
                            "epoch_seconds": seconds} for i, seconds in enumerate((864.0, 1728.0, 864.0))
                           for e in range(1, 51)])
    artifact = ARTIFACTS["em_darts/table6"]
    ours = artifact.build(trials, epochs)
    assert list(ours["row"]) == ["EM-DARTS (p_max = 0)", "EM-DARTS (p_max = 0.5)"]  # p_max 1 did not finish
    assert list(ours["mean"]) == pytest.approx([0.5, 1.0]) and (ours["column"] == "cost_days").all()
    c = compare(ours, artifact.reference_table())
    half = c[(c["row"] == "EM-DARTS (p_max = 0.5)") & (c["column"] == "Search Cost (GPU days)")].iloc[0]
    assert half["paper"] == "0.407" and half["n"] == 1
    assert math.isclose(half["difference"], 1.0 - 0.407)
    assert artifact.build(trials, pd.DataFrame()).empty  # no epochs: no cost
    assert "our hardware" in " ".join(artifact.notes)


def _single_darts_trials() -> pd.DataFrame:
    """Table 4's sweep (3 levels) and Table 5's (10 settings), 5 seeds each; accuracy = a base per setting + seed."""
    ln7 = -math.log(7.0)
    settings = [("single_darts_table4_search", {"method": "single-darts", "method.level": level,
                                                "method.activation": "softmax"}, base)
                for level, base in (("bilevel", 60.0), ("same_subset", 80.0), ("single", 90.0))]
    settings += [("single_darts_table5_search",
                  {"method": m, "method.activation": act, "method.alpha_init_value": alpha, "optim.lr": lr,
                   "method.arch_optim.optimizer": opt}, base)
                 for m, act, alpha, lr, opt, base in (
                     ("darts", "softmax", None, 0.001, "sgd", 91.0), ("darts", "softmax", None, 0.005, "sgd", 61.0),
                     ("darts", "softmax", None, 0.025, "sgd", 40.0),
                     ("single-darts", "sigmoid", ln7, 0.001, "sgd", 94.0),
                     ("single-darts", "sigmoid", ln7, 0.005, "sgd", 93.0),
                     ("single-darts", "sigmoid", ln7, 0.025, "sgd", 92.0),
                     ("darts", "sigmoid", ln7, 0.005, "sgd", 80.0),
                     ("single-darts", "sigmoid", 0.0, 0.005, "sgd", 70.0),
                     ("darts", "softmax", None, 0.005, "adam", 81.0),
                     ("single-darts", "sigmoid", ln7, 0.005, "adam", 89.0))]
    return pd.DataFrame([{"sweep": sweep, **config, "seed": seed, "status": "TERMINATED",
                          **{f"nb201_{d}_test": base + seed for d in ("cifar10", "cifar100", "imagenet16")}}
                         for sweep, config, base in settings for seed in range(5)])


def test_single_darts_ablations_by_level_lr_activation_and_optimiser():
    trials = _single_darts_trials()
    levels = ARTIFACTS["single_darts/table4"]
    c = compare(levels.build(trials, pd.DataFrame()), levels.reference_table())
    assert list(dict.fromkeys(c["row"])) == ["bi-level", "same subset", "same batch"]
    assert list(dict.fromkeys(c["column"])) == ["CIFAR10", "CIFAR100", "ImgNet16-120"] and (c["n"] == 5).all()
    cell = c[(c["row"] == "same subset") & (c["column"] == "CIFAR10")].iloc[0]
    assert cell["ours_mean"] == 82.0 and cell["paper"] == "84.34 ± 0.02" and cell["difference"] == pytest.approx(-2.34)
    ablation = ARTIFACTS["single_darts/table5"]
    c = compare(ablation.build(trials, pd.DataFrame()), ablation.reference_table())
    ours = c[c["column"] == "CIFAR10"].set_index("row")["ours_mean"]
    assert len(ours) == 15 and (c["n"] == 5).all()  # every printed row filled, 5 seeds each
    assert dict(ours) == {
        "DARTS, lr 0.001": 93.0, "DARTS, lr 0.005": 63.0, "DARTS, lr 0.025": 42.0, "Single-DARTS, lr 0.001": 96.0,
        "Single-DARTS, lr 0.005": 95.0, "Single-DARTS, lr 0.025": 94.0, "DARTS, Softmax": 63.0,
        "DARTS, Sigmoid": 82.0, "Single-DARTS, Softmax": 92.0,  # Table 4's same-batch trials
        "Single-DARTS, Sigmoid": 95.0, "Single-DARTS, Sigmoid*": 72.0, "DARTS, SGD": 63.0, "DARTS, Adam": 83.0,
        "Single-DARTS, SGD": 95.0, "Single-DARTS, Adam": 91.0}
    sigmoid_star = c[(c["row"] == "Single-DARTS, Sigmoid*") & (c["column"] == "CIFAR100")].iloc[0]
    assert sigmoid_star["paper"] == "70.71 ± 0" and sigmoid_star["paper_std"] == 0.0


def test_memory_table_from_the_largest_epoch_peak_of_each_search():
    runs = [("ber_table3_search", "darts", "cifar10", (8000.0, 8200.0)),
            ("ber_table2_search", "r-darts", "cifar10", (8100.0, 8300.0)),
            ("ber_table2_search", "r-darts", "cifar10", (8500.0, 8400.0)),
            ("em_darts_table1_search", "darts", "cifar10", (1900.0, 2000.0)),
            ("em_darts_table1_search", "em-darts", "cifar10", (5000.0, 5000.0)),
            ("ber_table1_search", "r-darts", "cifar10", (2100.0, 2000.0)),
            ("ber_table1_search", "r-darts", "cifar100", (9000.0, 9000.0))]
    trials = pd.DataFrame([{"sweep": s, "trial_id": f"t{i}", "method": m, "dataset": d, "status": "TERMINATED",
                            "peak_memory_mb": peaks[-1]} for i, (s, m, d, peaks) in enumerate(runs)])
    epochs = pd.DataFrame([{"sweep": s, "trial_id": f"t{i}", "epoch": e + 1, "peak_memory_mb": p}
                           for i, (s, _, _, peaks) in enumerate(runs) for e, p in enumerate(peaks)])
    artifact = ARTIFACTS["ber/table3"]
    c = compare(artifact.build(trials, epochs), artifact.reference_table()).set_index(["row", "column"])
    assert c.loc[("DARTS", "DARTS"), "ours_mean"] == 8200.0 and c.loc[("DARTS", "DARTS"), "paper"] == "8554"
    assert c.loc[("DARTS", "r-DARTS (ours)"), "ours_mean"] == 8400.0  # max per search, then the mean
    assert c.loc[("DARTS", "r-DARTS (ours)"), "n"] == 2
    assert c.loc[("NAS-Bench-201", "DARTS"), "ours_mean"] == 2000.0  # DARTS (1st) of EM-DARTS Table 1 only
    assert c.loc[("NAS-Bench-201", "r-DARTS (ours)"), "ours_mean"] == 2100.0  # CIFAR-10 searches only
    assert c.loc[("NAS-Bench-201", "r-DARTS (ours)"), "difference"] == pytest.approx(2100.0 - 2012)
    assert pd.isna(c.loc[("NAS-Bench-201", "SNAS"), "paper"]) and c.loc[("DARTS", "SNAS"), "n"] == 0
    assert artifact.build(trials, pd.DataFrame()).empty  # no epochs: no peak
    assert "measured on our device" in " ".join(artifact.notes)
    md = render(artifact, trials, epochs)["md"]
    assert "| DARTS | DARTS | 1 | 8200 | 8554 | -354 |" in md


def test_files_markdown_csv_and_escaped_booktabs_latex():
    files = render(ARTIFACTS["em_darts/table1"], _nb201_trials(), pd.DataFrame())
    assert set(files) == {"md", "csv", "tex"}
    assert "| EM-DARTS | CIFAR-10 test | 4 | 91.50 ± 1.29 | 94.36 ± 0.00 | -2.86 |" in files["md"]
    assert "| GDAS | CIFAR-10 valid | 0 | — | 89.89 ± 0.08 | — |" in files["md"]
    csv = pd.read_csv(pd.io.common.StringIO(files["csv"]))
    assert list(csv.columns[:5]) == ["row", "column", "n", "ours_mean", "ours_std"]
    tex = files["tex"]
    assert r"\toprule" in tex and r"\midrule" in tex and r"\bottomrule" in tex
    assert r"91.50 $\pm$ 1.29 & 94.36 $\pm$ 0.00 & -2.86" in tex and r"\multicolumn{3}{c}{CIFAR-10 test}" in tex
    escaped = grid({"a_b & c%": Select({"method": "darts"})}, {"x": Select(metric="nb201_cifar10_test")}, "mean")
    tex = render(Artifact("em_darts", "Table 1", "c", "table", ("sweeps/x.yaml",), escaped, "mean"),
                 _nb201_trials(), pd.DataFrame())["tex"]
    assert r"a\_b \& c\%" in tex


def test_missing_sweeps_and_their_command(tmp_path):
    artifact = ARTIFACTS["em_darts/table3"]
    assert missing(tmp_path, artifact) == list(artifact.sweeps)
    (tmp_path / sweep_name(artifact.sweeps[0])).mkdir()
    _nb201_trials().to_parquet(tmp_path / sweep_name(artifact.sweeps[0]) / "trials.parquet")
    assert missing(tmp_path, artifact) == list(artifact.sweeps[1:])
    assert command(tmp_path, list(artifact.sweeps[1:])) == (
        f"dartsweep run {' '.join(artifact.sweeps[1:])} --storage {tmp_path}")
