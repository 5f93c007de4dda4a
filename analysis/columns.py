"""Every result column, named once: its label (as a paper or plot writes it), unit and meaning.

The trainables report metrics by name (``searchcore.search.loop``, ``searchcore.search.metrics``, the
IS-DARTS ``ShrinkHook``, the DARTS-PT selection rows); the harness adds labels, status and provenance
(``harness.parquet``). Plots, tables, progress lines and CLI summaries take labels, units and number
formats from here, so a column reads the same everywhere. Families of columns (``nb201_<column>``,
``shrink_remaining_<cell>``, ``versions.<package>``, ``source.<key>``) are matched by prefix; any other
name (a dotted config key such as ``optim.lr``) gets a plain :class:`Column` named after itself.

Pure Python on purpose: the harness imports it for progress lines without pulling in pandas, and
``analysis`` stays free of torch and Ray.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

TIGHT_UNITS = ("%", "s")
"""Units written straight after the number (``38.28%``, ``3.8s``); others after a space (``812 img/s``)."""


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    unit: str = ""
    description: str = ""
    short: str | None = None
    """Label in one-line progress output (``val 38.28%``); ``""`` shows the value alone (``3.8s``)."""
    fmt: str = ""
    """Format spec of a value (``.2f``); empty: 4 significant digits for floats, ``str`` otherwise."""

    @property
    def axis_label(self) -> str:
        """``supernet validation acc. (%)``: the label with its unit, for plot axes and table headers."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def format(self, value: object) -> str:
        """The value in this column's format, with its unit (``38.28%``)."""
        try:
            text = format(value, self.fmt) if self.fmt else (f"{value:.4g}" if isinstance(value, float) else str(value))
        except (TypeError, ValueError):  # e.g. a string in a numeric column
            text = str(value)
        if not self.unit or value is None or isinstance(value, str):
            return text
        return f"{text}{self.unit}" if self.unit in TIGHT_UNITS else f"{text} {self.unit}"

    def show(self, value: object) -> str:
        """``val 38.28%``: short label and value, for progress lines."""
        short = self.name if self.short is None else self.short
        return f"{short} {self.format(value)}" if short else self.format(value)


COLUMNS: dict[str, Column] = {}


def _add(name: str, label: str, unit: str = "", description: str = "", short: str | None = None,
         fmt: str = "") -> None:
    if name in COLUMNS:
        raise ValueError(f"column {name!r} is defined twice")
    COLUMNS[name] = Column(name, label, unit, description, short, fmt)


# ---------------------------------------------------------------- labels the harness adds to every row

_add("trial_id", "trial", description="deterministic id: index plus swept values (t003_seed=1)")
_add("trial_index", "trial index", description="position of the trial in the expanded sweep")
_add("sweep", "sweep", description="the sweep's name (its results directory)")
_add("seed", "seed", description="search seed: data split, α init and batch order")
_add("method", "method", description="method preset (dartsweep methods)")
_add("space", "search space", description="registered search space (dartsweep spaces)")
_add("dataset", "data set", description="registered data set of the search")
_add("source", "search trial", description="chained trials: the trial they start from (a search trial's checkpoint; "
     "for evaluations the final genotype of a search, selection or random trial)")
_add("status", "status", description="PENDING, RUNNING, TERMINATED, ERROR or DIVERGED (a non-finite loss or α; "
     "the trial's own status.json)")
_add("error", "error", description="the exception that ended an ERROR trial")
_add("attempts", "attempts", description="times the trial started (retries and resumes count)")
_add("attempt", "attempt", description="the attempt that reported this row")
_add("time", "report time", "s", "Unix time at which the trial reported this row", fmt=".0f")
_add("wall_seconds", "wall time", "s", "seconds the trial ran, summed over its attempts", short="", fmt=".1f")
_add("host", "host", description="the machine the trial last ran on")
_add("epochs_done", "rows reported", description="rows kept in metrics.jsonl: epochs of a search; decisions "
     "plus tuning epochs of a selection")

# ---------------------------------------------------------------- provenance (harness.provenance)

_add("git_commit", "git commit", description="commit of the code that ran the sweep")
_add("git_dirty", "uncommitted changes", description="tracked files differed from the commit")
_add("git_source", "commit from", description="where the commit was read: git, or the stamp of a copy of the tree "
     "without .git (`dartsweep stamp`; 'the tree changed since' when it no longer matched)")
_add("driver_host", "driver host", description="machine that started the sweep")
_add("platform", "platform", description="OS and architecture of the driver")
_add("argv", "command", description="the command line that started the sweep")
_add("created", "created", description="when the sweep was saved (ISO 8601)")

# ---------------------------------------------------------------- search epochs (searchcore.search.loop)

_add("epoch", "epoch", description="epochs done (searches); tuning epochs done (selections)")
_add("epochs", "epochs", description="total epochs of the run (tuning epochs for selections)")
_add("lr", "weight lr", description="learning rate of the network weights this epoch", short="lr", fmt=".4g")
_add("lr_alpha", "α lr", description="learning rate of the architecture parameters (0: α fixed or absent)",
     fmt=".4g")
_add("activation", "α activation", description="softmax, sigmoid or uniform (α-free)")
_add("train_loss", "train loss", description="mean cross-entropy of the weight steps (the supernet's in a search, "
     "the network's main head in an evaluation)", fmt=".4f")
_add("train_acc", "train acc.", "%", "accuracy of the weight steps on their batches (the supernet's in a search, "
     "the network's in an evaluation)", "train", ".2f")
_add("arch_loss", "α-step loss", description="mean loss of the architecture steps (bi-level: on the α split)",
     fmt=".4f")
_add("arch_acc", "α-step acc.", "%", "accuracy of the architecture steps on their batches", fmt=".2f")
_add("reg_value", "regulariser value", description="mean value of the arch-loss regulariser (entropy, β-decay)")
_add("val_loss", "supernet validation loss", description="cross-entropy on the α split, eval mode", fmt=".4f")
_add("val_acc", "supernet validation acc.", "%", "accuracy on the α split, eval mode, no mutation", "val", ".2f")
_add("genotype", "genotype", description="the derived architecture (NB201 arch string or DARTS Genotype)")
_add("arch", "architecture", description="NB201 arch string of the derived cell (none for DARTS spaces)")
_add("n_skip", "skip-connections in the derived cell", description="the collapse indicator of the papers "
     "(the normal cell for DARTS spaces)", short="skip")
_add("n_parametric", "parametric ops in the derived cell", description="convolutions among the chosen ops")
_add("n_skip_reduce", "skip-connections in the reduction cell", description="DARTS spaces only")
_add("n_parametric_reduce", "parametric ops in the reduction cell", description="DARTS spaces only")
_add("alpha_entropy", "mean α entropy", "nat", "entropy of each edge's op weights, mean over edges", fmt=".4f")
_add("alpha_entropy_parametric", "α entropy over parametric ops", "nat",
     "entropy of each edge's weights restricted to its parametric ops", fmt=".4f")
_add("alpha_entropy_free", "α entropy over parameter-free ops", "nat",
     "entropy of each edge's weights restricted to its parameter-free ops", fmt=".4f")
_add("alpha_mass_parametric", "weight share of parametric ops",
     description="mean share of each edge's weight on parametric ops: falls as skip-connections take over",
     fmt=".4f")
_add("alphas", "α", description="the architecture parameters per cell type (JSON, edges x ops)")
_add("edge_weights", "op weights", description="activated α per cell type (JSON, edges x ops)")
_add("p", "mutation probability p", description="EM-DARTS edge-mutation probability this epoch", short="p",
     fmt=".3f")
_add("mutation_rate", "realised mutation rate", description="share of edges mutated this epoch", fmt=".3f")
_add("reg_lambda", "regulariser weight λ", description="weight of the arch-loss regulariser this epoch",
     fmt=".4g")
_add("epoch_seconds", "epoch time", "s", "seconds for the epoch: training, evaluation and arch metrics",
     short="", fmt=".1f")
_add("images_per_second", "throughput", "img/s", "training images per second (weight and α batches)",
     short="", fmt=".0f")
_add("peak_memory_mb", "peak memory", "MiB", "peak GPU memory allocated in the epoch (CUDA), else the "
     "process's peak resident set size so far (r-DARTS Table 3)", short="", fmt=".0f")

# ---------------------------------------------------------------- NB201 ground truth of the derived arch

for _data, _name in (("cifar10", "CIFAR-10"), ("cifar100", "CIFAR-100"), ("imagenet16", "ImageNet16-120")):
    for _split in ("valid", "test"):
        _add(f"nb201_{_data}_{_split}", f"{_name} {_split} acc. of derived arch", "%",
             f"NAS-Bench-201 {_split} accuracy of the derived architecture on {_name} (200 epochs, mean over "
             "seeds)", short=f"NB201 {_name} {_split}", fmt=".2f")
del _data, _name, _split

# ---------------------------------------------------------------- IS-DARTS shrinking (ShrinkHook)

_add("shrink_step", "pruning step", description="IS-DARTS: the pruning step that ran after this epoch (none: no step)")
_add("shrink_pruned", "pruned candidates", description="cell:from->to:op of every candidate pruned at this step")
_add("shrink_seconds", "pruning time", "s", "seconds to measure the IIM and prune", short="", fmt=".1f")
_add("shrink_final", "shrinking done", description="every comparison set is down to its kept candidates")

# ---------------------------------------------------------------- selection (DARTS-PT) and shrink decisions

_add("kind", "report kind", description="selection rows: decision or tune; evaluation rows: eval")
_add("phase", "phase", description="selection: operation, topology or tune; IS-DARTS: shrink")
_add("decision", "decision", description="decisions (or IS-DARTS pruning steps) taken so far")
_add("decisions_total", "decisions", description="decisions the selection takes in all")
_add("decision_acc", "supernet acc. after decision", "%",
     "supernet validation accuracy right after the decision (or pruning step)", "supernet val", ".2f")
_add("decision_loss", "supernet loss after decision", description="validation loss right after the decision",
     fmt=".4f")
_add("cell", "cell", description="the cell type of the decision (cell, normal, reduce)")
_add("edge", "edge", description="operation decisions: the edge decided")
_add("node", "node", description="topology decisions: the node whose inputs were chosen")
_add("op", "chosen op", description="operation decisions: the op kept on the edge")
_add("removed_edges", "removed edges", description="topology decisions: the input edges removed (JSON)")
_add("candidates", "candidate scores", description="score of each candidate of the decision (JSON)")
_add("trajectory", "decision trajectory", description="every decision of the selection (JSON), final row only")
_add("select_rule", "selection rule", description="pt (perturbation), pt-mag (magnitude), pt-fix-alpha")
_add("criterion", "selection criterion", description="acc or loss of the supernet with a candidate removed")
_add("supernet_method", "supernet method", description="method preset of the search the selection starts from")
_add("supernet_epoch", "supernet epoch", description="epoch of the search checkpoint the selection starts from")
_add("supernet_fixed_alpha", "supernet α fixed", description="the search never trained α (or had none)")
_add("update_alpha", "α updated while tuning", description="whether tuning epochs also train α")

# ---------------------------------------------------------------- evaluation (searchcore.evaluate.loop)

_add("protocol", "evaluation protocol", description="the protocol an evaluation trained with (docs/evaluation.md)")
_add("test_loss", "test loss", description="evaluation: cross-entropy of the trained network on the test split",
     fmt=".4f")
_add("test_acc", "test acc.", "%", "evaluation: top-1 accuracy of the trained network on the test split (the "
     "papers' test error is 100 minus it)", "test", ".2f")
_add("test_acc_top5", "test top-5 acc.", "%", "evaluation: top-5 accuracy on the test split (ImageNet tables)",
     "top5", ".2f")
_add("drop_prob", "drop-path probability", description="evaluation: drop-path probability of the epoch, "
     "drop_path·epoch/epochs", short="drop", fmt=".3f")
_add("params_m", "params", "M", "evaluation: parameters of the network in millions, auxiliary head excluded "
     "(quark0/darts count_parameters_in_MB)", fmt=".3f")
_add("network", "network", description="evaluation: class of the trained network (NetworkCIFAR, NB201Network, ...)")

# ---------------------------------------------------------------- swept config keys the papers plot

_add("method.mutation.p_max", "p_max", description="EM-DARTS: final edge-mutation probability")
_add("method.regularizer.lam", "λ", description="weight of the arch-loss regulariser (β-DARTS, entropy)")


# ---------------------------------------------------------------- families matched by prefix


def _nb201(rest: str) -> Column:
    return Column(f"nb201_{rest}", f"NB201 {rest}", description=f"NAS-Bench-201 column {rest!r} of the derived arch")


def _remaining(cell: str) -> Column:
    return Column(f"shrink_remaining_{cell}", f"candidates left in the {cell} cell",
                  description=f"IS-DARTS: ops still unpruned in the {cell} cell after this epoch")


def _version(package: str) -> Column:
    return Column(f"versions.{package}", f"{package} version", description=f"version of {package} on the driver")


def _source(key: str) -> Column:
    inner = column(key)
    return Column(f"source.{key}", f"search trial's {inner.label}", inner.unit,
                  f"chained trials: {key} of the search trial they start from", fmt=inner.fmt)


def _weight_grad(op: str) -> Column:
    return Column(f"dL_dp_{op}", f"∂L/∂p of {op}", description=f"probe edge_weight_grad: gradient of the loss "
                  f"w.r.t. the weight of {op} on the watched edge, mean over the epoch's α updates (003_… Figure 3)")


PREFIXES: dict[str, Callable[[str], Column]] = {
    "nb201_": _nb201, "shrink_remaining_": _remaining, "versions.": _version, "source.": _source,
    "dL_dp_": _weight_grad,
}


def family(name: str) -> Column | None:
    """The column of a prefix family (``shrink_remaining_normal``), or None."""
    for prefix, make in PREFIXES.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            return make(name[len(prefix):])
    return None


def is_known(name: str) -> bool:
    """Whether ``name`` has a column of its own or of a family (not the generic fallback)."""
    return name in COLUMNS or family(name) is not None


def column(name: str) -> Column:
    """The column called ``name``; a plain one named after itself when unknown (config keys)."""
    return COLUMNS.get(name) or family(name) or Column(name, name)


def label(name: str) -> str:
    """The label of a column without its unit (``supernet validation acc.``)."""
    return column(name).label


def axis_label(name: str) -> str:
    """The label with its unit (``supernet validation acc. (%)``)."""
    return column(name).axis_label
