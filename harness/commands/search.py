"""``dartsweep search``: one search on one machine, no Ray."""

from __future__ import annotations

import argparse
import logging
from contextlib import contextmanager
from pathlib import Path

import yaml
from pydantic import ValidationError

from analysis.columns import column
from harness.errors import CliError
from harness.progress import echo_report
from harness.run_dir import check_out, check_resume, clear_out
from searchcore.config import parse_value
from searchcore.registry import UnknownNameError

log = logging.getLogger("dartsweep.search")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="run one architecture search (no Ray)",
                       description="Run one search with any method preset; progress per epoch, summary at the end.")
    p.add_argument("--method", default="darts", help="method preset (see `dartsweep methods`)")
    p.add_argument("--space", default="nb201", help="search space (see `dartsweep spaces`)")
    p.add_argument("--dataset", default="digits", help="dataset (default: the embedded digits set)")
    p.add_argument("--data-root", default=None, help="data root (CIFAR, SVHN, ImageNet16 need one)")
    p.add_argument("--epochs", type=int, default=None, help="number of epochs (default: the preset's)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--nb201-table", default=None, help="NB201 table (parquet or the shared CSV) for lookups")
    p.add_argument("--out", default=None, help="output directory (default runs/<method>-<space>-<dataset>-s<seed>)")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out (same config)")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier run in --out")
    p.add_argument("--keep-epochs", action="store_true", help="keep a checkpoint per epoch")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override any config key, e.g. --set method.mutation.p_max=0.3 (repeatable)")
    p.add_argument("--print-config", action="store_true", help="print the resolved config and exit")
    p.set_defaults(func=run)


def parse_overrides(items: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"--set expects KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = parse_value(value)
        except yaml.YAMLError as err:
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            raise CliError(f"--set {item}: the value is not a YAML scalar ({problem}); quote text with spaces or "
                           "brackets") from None
    return out


def overrides_with_flags(items: list[str], flags: dict[str, object]) -> dict[str, object]:
    """``--set`` overrides plus the dedicated flags that were given; a key given both ways keeps its
    ``--set`` value."""
    overrides = parse_overrides(items)
    for key, value in flags.items():
        if value is not None:
            overrides.setdefault(key, value)
    return overrides


@contextmanager
def config_errors():
    """A config that does not resolve is the user's mistake: one line, no traceback."""
    try:
        yield
    except UnknownNameError as err:
        raise CliError(str(err)) from None
    except ValidationError as err:
        raise CliError(validation_message(err)) from None
    except ValueError as err:  # a dotted key through a non-section (set_dotted)
        raise CliError(str(err)) from None


def resolve_from_args(args: argparse.Namespace):
    from searchcore.methods.resolve import resolve_config

    overrides = overrides_with_flags(args.overrides, {"epochs": args.epochs, "seed": args.seed,
                                                      "data.root": args.data_root, "nb201_table": args.nb201_table})
    with config_errors():
        return resolve_config(args.method, args.space, args.dataset, overrides)


def validation_message(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        parts.append(f"{loc}: {e['msg']}" + (f" (got {e.get('input')!r})" if "input" in e else ""))
    return "invalid config: " + "; ".join(parts)


def run(args: argparse.Namespace) -> int:
    from searchcore.config import to_yaml
    from searchcore.data import DataRootError
    from searchcore.search import LocalReporter, SearchRun

    cfg = resolve_from_args(args)
    if args.print_config:
        print(to_yaml(cfg), end="")
        return 0
    out = Path(args.out or f"runs/{cfg.method.name}-{cfg.space}-{cfg.data.dataset}-s{cfg.seed}")
    check_out(out, args.resume, args.overwrite)
    if args.resume:
        from searchcore.config import SearchConfig

        check_resume(out, SearchConfig, "search config", "search", cfg)
    try:
        run = SearchRun(cfg)  # loads the data first: a bad data root writes nothing
    except (DataRootError, FileNotFoundError, ValueError) as err:  # FileNotFoundError: the NB201 table
        raise CliError(str(err)) from None
    if args.overwrite:
        clear_out(out)
    run.reporter = LocalReporter(out, resume=args.resume, keep_epochs=args.keep_epochs, on_report=echo_report)
    (out / "config.yaml").write_text(to_yaml(cfg))
    print(f"search: method={cfg.method.name} space={cfg.space} dataset={cfg.data.dataset} "
          f"epochs={cfg.epochs} seed={cfg.seed} -> {out}", flush=True)
    final = run.run()
    print_summary(final, out)
    return 0


SUMMARY_KEYS = ("epoch", "train_acc", "val_acc", "alpha_entropy", "n_skip", "n_parametric", "p", "mutation_rate",
                "epoch_seconds", "images_per_second", "nb201_cifar10_valid", "nb201_cifar10_test",
                "nb201_cifar100_test", "nb201_imagenet16_test")
"""The final metrics worth a glance: supernet accuracy, collapse indicators, schedule, speed, NB201 truth."""


def print_summary(m: dict, out: Path) -> None:
    """``val_acc   38.28%   supernet validation acc.``: the column name (what tables and plots take), the
    value with its unit, and what it is."""
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
