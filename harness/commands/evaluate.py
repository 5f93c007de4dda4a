"""``dartsweep evaluate``: train one architecture from scratch with a paper's protocol, on one machine, no Ray."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.columns import column
from harness.commands.search import config_errors, overrides_with_flags
from harness.errors import CliError
from harness.progress import echo_report
from harness.run_dir import check_out, check_resume, clear_out


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate", help="train an architecture from scratch with a paper's protocol (no Ray)",
        description="Train the discrete network of an architecture from scratch and test it each epoch, with an "
        "evaluation protocol (docs/evaluation.md); progress per epoch, summary at the end.")
    p.add_argument("--space", required=True, help="search space the architecture belongs to (`dartsweep spaces`)")
    p.add_argument("--genotype", "--arch", dest="genotype", required=True,
                   help="an NB201 arch string '|op~0|+|op~0|op~1|+...', a registered genotype name (DARTS_V2) or "
                   "'Genotype(normal=...)' text")
    p.add_argument("--dataset", required=True, help="data set (digits: embedded; cifar10, cifar100, svhn need a root)")
    p.add_argument("--protocol", default="darts-cifar",
                   help="a registered evaluation protocol (`dartsweep methods` lists them with their sources; "
                   "docs/evaluation.md)")
    p.add_argument("--data-root", default=None, help="data root (CIFAR, SVHN, ImageNet16 need one)")
    p.add_argument("--epochs", type=int, default=None, help="number of epochs (default: the protocol's)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--out", default=None,
                   help="output directory (default runs/eval-<protocol>-<space>-<dataset>-s<seed>)")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier run in --out")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override any evaluation key, e.g. --set network.drop_path=0.3 --set data.max_batches=2")
    p.add_argument("--print-config", action="store_true", help="print the resolved config and exit")
    p.set_defaults(func=run)


def resolve_from_args(args: argparse.Namespace):
    from searchcore.evaluate.protocols import resolve_eval_config

    overrides = overrides_with_flags(args.overrides, {"architecture": args.genotype, "epochs": args.epochs,
                                                      "seed": args.seed, "data.root": args.data_root})
    with config_errors():
        return resolve_eval_config(args.protocol, args.space, args.dataset, overrides)


def run(args: argparse.Namespace) -> int:
    from searchcore.data import DataRootError
    from searchcore.evaluate.config import eval_to_yaml
    from searchcore.evaluate.loop import EvalRun
    from searchcore.search import LocalReporter

    cfg = resolve_from_args(args)
    if args.print_config:
        print(eval_to_yaml(cfg), end="")
        return 0
    out = Path(args.out or f"runs/eval-{cfg.protocol}-{cfg.space}-{cfg.data.dataset}-s{cfg.seed}")
    check_out(out, args.resume, args.overwrite)
    if args.resume:
        from searchcore.evaluate.config import EvalConfig

        check_resume(out, EvalConfig, "evaluation config", "evaluate", cfg)
    try:
        run = EvalRun(cfg)  # loads the data and builds the network first: a bad root writes nothing
    except (DataRootError, ValueError) as err:
        raise CliError(str(err)) from None
    if args.overwrite:
        clear_out(out)
    run.reporter = LocalReporter(out, resume=args.resume, on_report=echo_report)
    (out / "config.yaml").write_text(eval_to_yaml(cfg))
    print(f"evaluate: protocol={cfg.protocol} space={cfg.space} dataset={cfg.data.dataset} epochs={cfg.epochs} "
          f"seed={cfg.seed} {type(run.model).__name__} {run.params_m:.3f} M params -> {out}", flush=True)
    try:
        final = run.run()
    except ValueError as err:  # --resume from a checkpoint of another architecture
        raise CliError(str(err)) from None
    print_summary(final, out)
    return 0


SUMMARY_KEYS = ("epoch", "test_acc", "test_acc_top5", "train_acc", "test_loss", "params_m", "lr", "drop_prob",
                "epoch_seconds", "images_per_second", "peak_memory_mb", "nb201_cifar10_test")
"""The final metrics worth a glance: test accuracy (the papers' number), training fit, size, schedule, cost."""


def print_summary(m: dict, out: Path) -> None:
    if not m:
        print(f"nothing to do: the checkpoint in {out} is already at the last epoch")
        return
    print("\nsummary")
    for key in SUMMARY_KEYS:
        if m.get(key) is not None:
            col = column(key)
            print(f"  {key:22s} {col.format(m[key]):>12s}  {col.label}")
    print(f"  {'genotype':22s} {m['genotype']}")
    print(f"  outputs: {out}/metrics.jsonl, checkpoint in {out}/checkpoint")


def print_protocols() -> None:
    """The evaluation protocols with their values and sources (``dartsweep methods``)."""
    from searchcore.evaluate.protocols import PROTOCOLS

    print("\nevaluation protocols (evaluate: --protocol / a sweep's protocol:)")
    for name, protocol in PROTOCOLS.items():
        fits = f" [{', '.join(protocol.families)} spaces]" if protocol.families else ""
        print(f"  {name}{fits}: {protocol.summary}")
        print("    " + ", ".join(f"{k}={v}" for k, v in protocol.overrides.items()))
        for key, source in protocol.sources.items():
            print(f"    source [{key}]: {source}")
