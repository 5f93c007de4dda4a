"""One line per report, for people watching a terminal: ``dartsweep search``, ``select``, ``evaluate`` and ``run``.

A report is one of: an evaluation epoch (``epoch 3/600 | train 71.50% | test 68.20% | lr 0.0249 | drop 0.001
| 41.0s | 1520 img/s``), a search epoch (``epoch 3/10 | train 41.02% | val 38.28% | lr 0.025 | skip 0 | 3.8s
| 812 img/s``), an IS-DARTS epoch that pruned (``... | shrink step 1: pruned 24, supernet val 50.00%``),
a DARTS-PT decision (``decision 2/6 [operation] cell edge 4 -> nor_conv_3x3 | supernet val 64.84%``) or a
tuning epoch between decisions (``tune epoch 3/6 | lr 0.0025 | train 41.02% | val 38.28% | 3.8s``); the
derived NB201 arch ends epoch lines. Which metrics each kind shows is chosen here; their short labels,
units and number formats come from :mod:`analysis.columns`, so the same value reads the same everywhere.
"""

from __future__ import annotations

from typing import Any

from analysis.columns import column

SEARCH_KEYS = ("train_acc", "val_acc", "lr", "p", "n_skip", "epoch_seconds", "images_per_second",
               "nb201_cifar10_test")
"""A search epoch: supernet accuracies, the schedule (lr, EM-DARTS p), the collapse indicator, speed and
the NB201 ground truth of the derived arch when a table is given."""
EVAL_KEYS = ("train_acc", "test_acc", "lr", "drop_prob", "epoch_seconds", "images_per_second")
"""An evaluation epoch: training fit and test accuracy of the network, its schedule (lr, drop-path) and speed."""
TUNE_KEYS = ("lr", "train_acc", "val_acc", "epoch_seconds")
"""A DARTS-PT tuning epoch between decisions."""
DECISION_KEYS = ("decision_acc",)
"""A DARTS-PT decision: the supernet's accuracy right after it."""


def format_report(m: dict[str, Any]) -> str:
    """The one-line summary of a report of any trainable (see the module docstring)."""
    kind = m.get("kind")
    if kind == "decision":
        head, keys = _decision(m), DECISION_KEYS
    elif kind == "tune":
        head, keys = f"tune epoch {m.get('epoch')}/{m.get('epochs')}", TUNE_KEYS
    elif kind == "eval":
        head, keys = f"epoch {m.get('epoch')}/{m.get('epochs')}", EVAL_KEYS
    else:
        head, keys = f"epoch {m.get('epoch')}/{m.get('epochs')}", SEARCH_KEYS
    parts = [head, *(column(k).show(m[k]) for k in keys if m.get(k) is not None)]
    if m.get("shrink_step") is not None:
        parts.append(_shrink(m))
    if kind != "decision" and m.get("arch"):
        parts.append(str(m["arch"]))
    return " | ".join(parts)


def _decision(m: dict[str, Any]) -> str:
    """``decision 2/6 [operation] cell edge 4 -> nor_conv_3x3`` or ``... node 3 -> removed edges [0, 2]``."""
    where = f"edge {m['edge']}" if m.get("edge") is not None else f"node {m.get('node')}"
    what = m["op"] if m.get("op") is not None else f"removed edges {m.get('removed_edges')}"
    context = " ".join(x for x in (f"[{m['phase']}]" if m.get("phase") else "", m.get("cell") or "") if x)
    head = f"decision {m.get('decision')}/{m.get('decisions_total')}"
    return " ".join(x for x in (head, context, where) if x) + f" -> {what}"


def _shrink(m: dict[str, Any]) -> str:
    """``shrink step 1: pruned 24, supernet val 50.00%`` (IS-DARTS: the supernet right after pruning)."""
    pruned = [p for p in str(m.get("shrink_pruned") or "").split("; ") if p]
    text = f"shrink step {m['shrink_step']}: pruned {len(pruned)}"
    if m.get("decision_acc") is not None:
        text += f", {column('decision_acc').show(m['decision_acc'])}"
    return text


def echo_report(m: dict[str, Any]) -> None:
    """Prints a report's line at once (a ``LocalReporter`` ``on_report`` callback for the commands)."""
    print(format_report(m), flush=True)
