"""analysis.tables: mean ± std over seeds, grouped by swept keys; md, LaTeX and CSV."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis.tables import default_metrics, format_table, load_trials, summarise


def _trials():
    rows = []
    for method, base in (("darts", 50.0), ("em-darts", 60.0)):
        for seed in range(3):
            rows.append({"method": method, "seed": seed, "status": "TERMINATED", "val_acc": base + seed,
                         "n_skip": seed, "method.mutation.p_max": 0.2 if method == "em-darts" else None})
    rows.append({"method": "darts", "seed": 3, "status": "ERROR", "val_acc": 0.0, "n_skip": 0})
    return pd.DataFrame(rows)


def test_mean_and_sample_std_over_seeds_per_group_finished_trials_only():
    s = summarise(_trials(), ["method"], ["val_acc", "n_skip"])
    assert list(s["method"]) == ["darts", "em-darts"] and list(s["n"]) == [3, 3]
    assert np.allclose(s["val_acc_mean"], [51.0, 61.0]) and np.allclose(s["val_acc_std"], [1.0, 1.0])
    with_errors = summarise(_trials(), ["method"], ["val_acc"], statuses=None)
    assert list(with_errors["n"]) == [4, 3]


def test_missing_group_values_form_their_own_group_and_unknown_columns_fail():
    s = summarise(_trials(), ["method.mutation.p_max"], ["val_acc"])
    assert list(s["method.mutation.p_max"]) == ["—", 0.2]
    with pytest.raises(KeyError, match="no column"):
        summarise(_trials(), ["lr"], ["val_acc"])


def test_formats():
    s = summarise(_trials(), ["method"], ["val_acc"])
    md = format_table(s, ["method"], ["val_acc"], "md")
    assert md.splitlines()[0] == "| method | n | val_acc |" and "| darts | 3 | 51.00 ± 1.00 |" in md
    tex = format_table(s, ["method"], ["val_acc"], "latex")
    assert r"darts & 3 & 51.00 $\pm$ 1.00 \\" in tex and tex.startswith(r"\begin{tabular}")
    assert r"method & n & supernet validation acc. (\%) \\" in tex  # labels and units of analysis.columns
    entropy = format_table(summarise(_trials().assign(alpha_entropy=1.0), ["method"], ["alpha_entropy"]),
                           ["method"], ["alpha_entropy"], "latex")
    assert r"mean $\alpha$ entropy (nat)" in entropy
    csv = format_table(s, ["method"], ["val_acc"], "csv")
    assert csv.splitlines()[0] == "method,n,val_acc_mean,val_acc_std"
    one = summarise(_trials().head(1), ["method"], ["val_acc"])
    assert "| darts | 1 | 50.00 |" in format_table(one, ["method"], ["val_acc"])  # one seed: no ± std


def test_default_metrics_and_loading(tmp_path):
    df = _trials()
    assert default_metrics(df) == ["val_acc", "n_skip"]
    df.to_parquet(tmp_path / "trials.parquet")
    assert len(load_trials(tmp_path)) == len(df)
    with pytest.raises(FileNotFoundError, match="dartsweep collect"):
        load_trials(tmp_path / "nowhere")


def test_analysis_imports_neither_torch_nor_ray():
    code = "import sys, analysis.tables; assert 'torch' not in sys.modules and 'ray' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def _evaluations():
    """Two tables' groups of 4 seeds, each seed one evaluated architecture (EM-DARTS / DARTS-PT Table 3 style)."""
    rows = []
    for space, accs in (("s1", [97.1, 97.3, np.nan, 96.9]), ("s2", [97.5, 97.6, 97.6, 97.0])):
        for seed, acc in enumerate(accs):
            rows.append({"trial_id": f"t{space}_{seed}", "source.space": space, "seed": seed,
                         "status": "TERMINATED", "test_acc": acc, "params_m": 3.0 + seed / 10})
    rows.append({"trial_id": "tbad", "source.space": "s1", "seed": 9, "status": "ERROR", "test_acc": 99.9,
                 "params_m": 9.9})
    return pd.DataFrame(rows)


def test_best_of_n_is_the_best_test_accuracy_and_the_metrics_of_that_same_trial():
    s = summarise(_evaluations(), ["source.space"], ["params_m", "test_acc"], stat="best")
    assert list(s.columns) == ["source.space", "n", "trial_id", "params_m_best", "test_acc_best"]
    assert list(s["n"]) == [4, 4]  # the errored trial does not count; the unfinished value never wins
    assert list(s["trial_id"]) == ["ts1_1", "ts2_1"]  # a tie (97.6) goes to the first in sweep order
    assert np.allclose(s["test_acc_best"], [97.3, 97.6]) and np.allclose(s["params_m_best"], [3.1, 3.1])
    by_params = summarise(_evaluations(), ["source.space"], ["test_acc"], stat="best", rank_by="params_m")
    assert list(by_params["trial_id"]) == ["ts1_3", "ts2_3"] and np.allclose(by_params["test_acc_best"], [96.9, 97.0])
    md = format_table(s, ["source.space"], ["params_m", "test_acc"], "md")
    assert md.splitlines()[0] == "| source.space | n | trial_id | params_m | test_acc |"
    assert "| s1 | 4 | ts1_1 | 3.10 | 97.30 |" in md and "±" not in md
    tex = format_table(s, ["source.space"], ["test_acc"], "latex")
    assert r"s1 & 4 & ts1\_1 & 97.30 \\" in tex
    nothing = summarise(_evaluations().assign(test_acc=np.nan), [], ["test_acc"], stat="best")
    assert nothing["trial_id"].tolist() == ["—"] and format_table(nothing, [], ["test_acc"]).endswith("| — |\n")
    with pytest.raises(ValueError, match="allowed: mean, best"):
        summarise(_evaluations(), [], ["test_acc"], stat="median")
    with pytest.raises(KeyError, match="no column"):
        summarise(_evaluations(), [], ["test_acc"], stat="best", rank_by="val_acc")
