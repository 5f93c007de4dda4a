"""``dartsweep select``: DARTS-PT selection from a search checkpoint, on one machine, no Ray."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.errors import CliError
from harness.progress import echo_report
from harness.run_dir import check_checkpoint, read_model
from searchcore.selection.rules import SELECTION_RULES, rule_names


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "select", help="DARTS-PT selection from a supernet checkpoint (no Ray)",
        description="Perturbation-based selection (DARTS-PT) starting from the checkpoint of any search; one "
        "line per decision and tuning epoch, the selected architecture at the end.",
    )
    p.add_argument("--checkpoint", required=True,
                   help="checkpoint directory (state.pt + config.yaml), or a `dartsweep search --out` directory")
    p.add_argument("--rule", default="pt", choices=rule_names("select"),
                   help="; ".join(f"{n}: {SELECTION_RULES.get(n).summary}" for n in rule_names("select")))
    p.add_argument("--criterion", default=None, choices=("acc", "loss"))
    p.add_argument("--tune-epochs", type=int, default=None, help="tuning epochs between decisions (default 5)")
    p.add_argument("--eval-batches", type=int, default=None, help="validation batches per evaluation (default all)")
    p.add_argument("--seed", type=int, default=None, help="seed of the edge order (default: the search's)")
    p.add_argument("--nb201-table", default=None, help="NB201 table (parquet or the shared CSV) for lookups")
    p.add_argument("--out", default=None, help="output directory (default runs/select-<rule>-<checkpoint name>)")
    p.add_argument("--resume", action="store_true", help="continue from the selection checkpoint in --out")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="any select key (lr, bn_train_mode, ...) or search key (data.max_batches) (repeatable)")
    p.set_defaults(func=run)


def select_config_from_args(args: argparse.Namespace):
    from harness.commands.search import parse_overrides, validation_message
    from searchcore.selection.select_config import select_config

    config: dict[str, Any] = {"checkpoint": args.checkpoint, "rule": args.rule}
    for key, value in (("criterion", args.criterion), ("tune_epochs", args.tune_epochs),
                       ("eval_batches", args.eval_batches), ("seed", args.seed), ("nb201_table", args.nb201_table)):
        if value is not None:
            config[key] = value
    config.update(parse_overrides(args.overrides))
    try:
        return select_config(config)
    except ValidationError as err:
        raise CliError(validation_message(err)) from None


def check_source(source: Path) -> None:
    """The search checkpoint a selection starts from: its ``config.yaml`` and ``state.pt`` readable (a damaged
    or truncated one is a one-line error naming the file, not a traceback from deep inside the rebuild)."""
    from searchcore.config import SearchConfig

    config = source / "config.yaml"
    if not config.exists():
        raise CliError(f"no config.yaml beside the checkpoint in {source} (a search run writes both)")
    read_model(config, SearchConfig, "search config")
    check_checkpoint(source)


def run(args: argparse.Namespace) -> int:
    from searchcore.search import LocalReporter
    from searchcore.trainables.select import PTRun, resolve_checkpoint_dir

    scfg = select_config_from_args(args)
    if not getattr(args, "verbose", False):  # the progress lines below say the same as its INFO records
        logging.getLogger("searchcore.trainables.select").setLevel(logging.WARNING)
    source = resolve_checkpoint_dir(scfg.checkpoint)
    if not (source / "state.pt").exists():
        raise CliError(f"no checkpoint (state.pt) in {scfg.checkpoint} or {Path(scfg.checkpoint) / 'checkpoint'}")
    check_source(source)
    name = source.parent.name if source.name == "checkpoint" else source.name
    out = Path(args.out or f"runs/select-{scfg.rule}-{name}")
    if args.resume and (out / "checkpoint" / "state.pt").exists():
        check_checkpoint(out / "checkpoint")
    try:
        selection = PTRun(scfg)  # data, supernet, checkpoint: everything is read before --out is written
    except (ValueError, FileNotFoundError) as err:
        raise CliError(str(err)) from None
    selection.reporter = LocalReporter(out, resume=args.resume, on_report=echo_report)  # a line per decision
    print(f"select: rule={scfg.rule} criterion={scfg.criterion} from {source} ({selection.cfg.method.name}, "
          f"{selection.cfg.space}, epoch {selection.search_epoch}); {len(selection.slots)} decisions over "
          f"{selection.total} tuning epochs -> {out}", flush=True)
    try:
        final = selection.run_all()
    except ValueError as err:  # e.g. --resume with a config whose schedule differs from the checkpoint's
        raise CliError(str(err)) from None
    (out / "select.json").write_text(json.dumps({k: final.get(k) for k in ("genotype", "arch", "trajectory")}))
    print("\nselected")
    print(f"  genotype  {final['genotype']}")
    for key in ("nb201_cifar10_valid", "nb201_cifar10_test", "nb201_cifar100_test", "nb201_imagenet16_test"):
        if final.get(key) is not None:
            print(f"  {key:22s} {final[key]:.2f}")
    print(f"  outputs: {out}/metrics.jsonl, {out}/select.json, checkpoint in {out}/checkpoint")
    return 0
