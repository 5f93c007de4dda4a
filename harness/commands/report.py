"""``dartsweep report RESULTS_ROOT``: every paper artifact whose sweeps have results, rendered beside the paper's
numbers (analysis/artifacts), and the ``dartsweep run`` command of each one that has none yet."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis.artifacts import ARTIFACTS, for_paper, render
from analysis.artifacts import results as artifact_results
from analysis.artifacts.render import markdown
from harness.errors import CliError

INDEX = "index.md"


def register(sub: argparse._SubParsersAction) -> None:
    papers = sorted({a.paper for a in ARTIFACTS.values()})
    p = sub.add_parser("report", help="render the papers' tables and figures from a results root, ours beside "
                       "the paper's",
                       description="For every registered paper artifact (docs/reproduce.md) whose sweeps have "
                       "trials.parquet under RESULTS_ROOT, write DIR/<paper>_<artifact>.{md,csv,tex} (tables: ours, "
                       "the paper's number, the difference) or .{png,pdf,csv,md} (figures, 95% CI bands) and "
                       "DIR/index.md; list the others with the dartsweep run command that produces them.")
    p.add_argument("root", metavar="RESULTS_ROOT", help="results root (the --storage of dartsweep run): a local path, "
                   "or an s3:// / gs:// URI read in place")
    p.add_argument("--paper", choices=papers, default=None, help="only this paper's artifacts")
    p.add_argument("--out", default=None, metavar="DIR", help="local output folder (default: RESULTS_ROOT/report, "
                   "or ./report for a URI root)")
    p.set_defaults(func=run)


def check_root(root: str) -> None:
    try:
        found = artifact_results.is_root(root)
    except artifact_results.ResultsRootError as err:
        raise CliError(str(err)) from None
    if not found:
        raise CliError(f"{root}: no such results root (the --storage of `dartsweep run`)")


def default_out(root: str) -> Path:
    """Where the files go without --out: beside the results for a local root, ./report for a URI."""
    return Path("report") if "://" in root else Path(root) / "report"


def render_artifact(root: str, key: str, out: Path | None, kind: str) -> list[Path]:
    """One artifact (``dartsweep table/plot --artifact KEY``): its files under ``out`` (default ROOT/report), or a
    one-line error naming what is missing."""
    artifact = ARTIFACTS.get(key)
    if artifact is None:
        allowed = ", ".join(k for k, a in ARTIFACTS.items() if a.kind == kind)
        raise CliError(f"--artifact {key!r}: no such {kind}; allowed: {allowed}")
    if artifact.kind != kind:
        raise CliError(f"--artifact {key}: a {artifact.kind}; use `dartsweep {'plot' if kind == 'table' else 'table'}`")
    check_root(root)
    absent = artifact_results.missing(root, artifact)
    if absent:
        raise CliError(f"{key}: no results for {', '.join(absent)} under {root}; run: "
                       f"{artifact_results.command(root, absent)}")
    return write_files(artifact, root, out or default_out(root))


def write_files(artifact, root: str, out: Path) -> list[Path]:
    """The artifact rendered from the results under ``root`` into ``out``; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    trials, epochs = artifact_results.load(root, artifact)
    base = artifact.key.replace("/", "_")
    written = []
    for ext, content in render(artifact, trials, epochs).items():
        path = out / f"{base}.{ext}"
        if isinstance(content, bytes):  # a figure's PNG / PDF
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


def run(args: argparse.Namespace) -> int:
    root = args.root
    check_root(root)
    out = Path(args.out) if args.out else default_out(root)
    out.mkdir(parents=True, exist_ok=True)
    rendered, missing = [], []
    for artifact in for_paper(args.paper):
        absent = artifact_results.missing(root, artifact)
        if absent:
            missing.append((artifact, artifact_results.command(root, absent)))
            continue
        written = write_files(artifact, root, out)
        rendered.append((artifact, artifact.key.replace("/", "_"), [p.suffix[1:] for p in written]))
    index = ["# Paper artifacts", "", f"results: {root}", ""]
    if rendered:
        index.append(markdown(pd.DataFrame(
            [(a.paper, a.number, a.caption, " ".join(f"[{ext}]({b}.{ext})" for ext in exts))
             for a, b, exts in rendered],
            columns=["paper", "artifact", "what", "files"])))
    if missing:
        index += ["## Missing", "", *(f"* {a.paper} {a.number}: `{cmd}`" for a, cmd in missing)]
    (out / INDEX).write_text("\n".join(index) + "\n", encoding="utf-8")
    for a, b, exts in rendered:
        print(f"rendered {a.paper} {a.number} -> {out / b}.{{{','.join(exts)}}}")
    for a, cmd in missing:
        print(f"missing {a.paper} {a.number}: {cmd}")
    print(f"{len(rendered)} rendered, {len(missing)} missing -> {out / INDEX}")
    return 0
