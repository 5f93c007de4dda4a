"""harness.progress: one line per report of any trainable, labels and formats from analysis.columns."""

from __future__ import annotations

from harness.progress import echo_report, format_report

ARCH = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|avg_pool_3x3~2|"


def test_a_search_epoch_shows_accuracies_schedule_collapse_speed_and_truth():
    epoch = {"epoch": 3, "epochs": 10, "train_acc": 41.0234, "val_acc": 38.28, "lr": 0.0248, "p": 0.2,
             "n_skip": 0, "epoch_seconds": 3.81, "images_per_second": 812.4, "nb201_cifar10_test": 93.764,
             "arch": ARCH, "shrink_step": None, "alpha_entropy": 1.6}
    assert format_report(epoch) == ("epoch 3/10 | train 41.02% | val 38.28% | lr 0.0248 | p 0.200 | skip 0 | 3.8s "
                                    f"| 812 img/s | NB201 CIFAR-10 test 93.76% | {ARCH}")
    assert format_report({"epoch": 1, "epochs": 2, "val_acc": None}) == "epoch 1/2"  # missing values left out


def test_an_is_darts_epoch_that_pruned_says_how_much_and_the_accuracy_after():
    shrink = {"epoch": 22, "epochs": 30, "val_acc": 60.0, "phase": "shrink", "decision": 1, "decision_acc": 50.0,
              "shrink_step": 1, "shrink_pruned": "cell:0->1:none; cell:0->2:none; cell:1->2:avg_pool_3x3"}
    assert format_report(shrink) == "epoch 22/30 | val 60.00% | shrink step 1: pruned 3, supernet val 50.00%"


def test_a_darts_pt_decision_says_what_was_decided_and_the_accuracy_after():
    operation = {"kind": "decision", "decision": 2, "decisions_total": 6, "phase": "operation", "cell": "cell",
                 "edge": 4, "node": None, "op": "nor_conv_3x3", "decision_acc": 64.844, "arch": ARCH}
    assert format_report(operation) == "decision 2/6 [operation] cell edge 4 -> nor_conv_3x3 | supernet val 64.84%"
    topology = {"kind": "decision", "decision": 9, "decisions_total": 12, "phase": "topology", "cell": "normal",
                "edge": None, "node": 3, "op": None, "removed_edges": "[0, 2]", "decision_acc": None}
    assert format_report(topology) == "decision 9/12 [topology] normal node 3 -> removed edges [0, 2]"


def test_a_tuning_epoch_between_decisions():
    tune = {"kind": "tune", "epoch": 3, "epochs": 6, "lr": 0.0025, "train_acc": 41.0, "val_acc": 38.5,
            "epoch_seconds": 1.25, "arch": ARCH, "decision": 2, "phase": "tune"}
    assert format_report(tune) == f"tune epoch 3/6 | lr 0.0025 | train 41.00% | val 38.50% | 1.2s | {ARCH}"


def test_echo_prints_one_line(capsys):
    echo_report({"epoch": 1, "epochs": 1, "val_acc": 10.0})
    assert capsys.readouterr().out == "epoch 1/1 | val 10.00%\n"
