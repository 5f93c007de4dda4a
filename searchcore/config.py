"""Typed search configuration. Every default that comes from a paper or reference code says which.

The config is a tree of pydantic models that reject unknown keys; it round-trips to YAML
(:func:`to_yaml` / :func:`from_yaml`) and takes dotted overrides (``method.mutation.p_max=0.3``).
Paper presets (``searchcore.methods.presets``) are dictionaries of overrides on top of these defaults.
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from searchcore.yaml_io import load_yaml


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_attribute_docstrings=True)


def unknown_name(message: str) -> PydanticCustomError:
    """A validation error whose message is exactly ``message`` (a plain ValueError would be prefixed with
    pydantic's "Value error, ")."""
    return PydanticCustomError("unknown_name", message)


def registry_name(registry: str) -> AfterValidator:
    """A validator that accepts the names registered in ``registry`` (``module:ATTRIBUTE``), read when a
    config is validated, so entries registered later (plugins, tests) are accepted and the registry stays
    the one place where the allowed names live. The registry module is imported lazily: registries of
    method parts import this module for their config types."""
    module, _, attr = registry.partition(":")

    def check(value: str) -> str:
        reg = getattr(importlib.import_module(module), attr)
        if value not in reg:
            raise unknown_name(f"unknown {reg.kind} {value!r}; allowed: {', '.join(reg.names())}")
        return value

    return AfterValidator(check)


def _search_stage_rule(value: str) -> str:
    from searchcore.selection.rules import SELECTION_RULES

    allowed = [n for n, r in SELECTION_RULES.items() if r.stage == "search"]
    if value not in allowed:
        later = [n for n, r in SELECTION_RULES.items() if r.stage != "search"]
        raise unknown_name(f"unknown search-time selection rule {value!r}; allowed: {', '.join(allowed)} "
                         f"({', '.join(later)} run after the search: trainable 'select')")
    return value


Growth = Annotated[str, registry_name("searchcore.methods.schedules:SCHEDULES")]
RegularizerKind = Annotated[str, registry_name("searchcore.methods.regularizers:REGULARIZERS")]
ActivationName = Annotated[str, registry_name("searchcore.methods.activations:ACTIVATIONS")]
SearchSelectionRule = Annotated[str, AfterValidator(_search_stage_rule)]


def _in_memory_dataset(value: str) -> str:
    from searchcore.data import DATASETS

    if DATASETS.get(value).streaming:
        raise unknown_name(f"data set {value!r} is streamed from disk and only evaluation reads it; a search holds "
                           "its data in memory: search on an in-memory set ("
                           + ", ".join(n for n, s in DATASETS.items() if not s.streaming) + ")")
    return value


class DataConfig(StrictModel):
    dataset: Annotated[str, registry_name("searchcore.data:DATASETS"), AfterValidator(_in_memory_dataset)] = "digits"
    """Registered dataset (``searchcore.data.DATASETS``); ``digits`` is the embedded default. Streaming sets
    (ImageNet) are refused: the search's weight/α split lives in memory (``searchcore.search.data``)."""
    root: str | None = None
    """Data root; ``None`` uses the dataset's default root (none for CIFAR/SVHN/ImageNet16)."""
    batch_size: int = Field(64, ge=2)
    """64: DARTS, AutoDL DARTS-V1, DARTS-PT (reference-notes §2.1, §3.2). EM-DARTS' argparse says 128."""
    train_portion: float = Field(0.5, gt=0.0, lt=1.0)
    """Weights train on this share of the training set, α on the rest (DARTS ``train_portion`` 0.5)."""
    split: Literal["seeded", "ordered"] = "seeded"
    """``ordered`` = first/second half by index, as DARTS/PT/EM (reference-notes §1.1)."""
    use_full_train: bool = False
    """Weight steps without α steps pass once per epoch over the whole training set, the 'full' split
    (IS-DARTS' "train+val", 002_… Eq. 17; reference-notes §6). With α steps the α half stays held out."""
    cutout: int = Field(0, ge=0)
    """Cutout length; search scripts of DARTS/PT/EM use none."""
    limit_train_images: int | None = Field(None, ge=4)
    """Use only the first N images of the (seeded-shuffled) training set: CPU-scale studies and tests."""
    max_batches: int | None = Field(None, ge=1)
    """Cap on search iterations per epoch (quick runs); ``None`` = a full pass."""
    eval_batches: int | None = Field(None, ge=1)
    """Cap on validation batches in the per-epoch evaluation; ``None`` = the whole split."""
    resolution: int | None = Field(None, ge=8)
    """Resize the search images once, in memory, to R x R (antialiased bilinear) before the search; ``None`` = the
    data set's own size. A CPU-scale knob (not in the papers): compute falls with R², and resolution is one of
    the settings that decide whether DARTS drifts within a CPU budget (docs/collapse.md)."""



class SupernetConfig(StrictModel):
    channels: int = Field(16, ge=2)
    """C = 16 for both the NB201 (AutoDL) and the DARTS (model_search.py) supernets."""
    cells_per_stage: int = Field(5, ge=1)
    """NB201: N = 5 cells per stage (AutoDL)."""
    layers: int = Field(8, ge=3)
    """DARTS space: 8 cells, reductions at layers//3 and 2*layers//3 (model_search.py)."""
    track_running_stats: bool | None = None
    """BN running stats in search cells; ``None`` = family default: NB201 False (AutoDL BN=0, IS, EM),
    DARTS True (quark0/darts)."""
    channels_last: bool = True
    """NHWC memory format: faster convolutions on CPU and tensor cores; numerically the same network."""
    pool_bn: bool | None = None
    """BN(affine=False) after pooling candidates; ``None`` = family default: DARTS True (quark0/darts
    model_search.py, DA issue #10), NB201 False (AutoDL). IS-DARTS' DARTS supernet has none (xautodl
    NASNet search cells, reference-notes §6), so its IIM sees the pools' raw outputs."""
    final_bn_relu: bool | None = None
    """BN + ReLU before global pooling; ``None`` = family default: NB201 True (AutoDL ``lastact``),
    DARTS False (quark0/darts). IS-DARTS' DARTS supernet has it (xautodl NASNet ``lastact``)."""


class WeightOptimConfig(StrictModel):
    lr: float = Field(0.025, gt=0)
    """SGD lr 0.025, cosine to 0.001 (DARTS §3 / reference-notes §3.2)."""
    lr_min: float = Field(0.001, ge=0)
    """Cosine floor 0.001 (DARTS train_search.py ``learning_rate_min``, AutoDL eta_min)."""
    momentum: float = Field(0.9, ge=0, lt=1)
    """SGD momentum 0.9 (DARTS train_search.py)."""
    weight_decay: float = Field(3e-4, ge=0)
    """3e-4: DARTS, PT, EM. AutoDL DARTS-V1 uses 5e-4 with nesterov (preset ``darts-autodl``)."""
    nesterov: bool = False
    """Plain SGD (DARTS); AutoDL's and IS-DARTS' configs use nesterov."""
    grad_clip: float | None = Field(5.0, gt=0)
    """Gradient-norm clip 5 (DARTS)."""


class ArchOptimConfig(StrictModel):
    optimizer: Literal["adam", "sgd"] = "adam"
    """Adam (DARTS); ``sgd`` for Single-DARTS' optimiser ablation (003_… Table 5)."""
    lr: float = Field(3e-4, gt=0)
    """Adam lr 3e-4, betas (0.5, 0.999), weight decay 1e-3 (DARTS; reference-notes §3.2)."""
    betas: tuple[float, float] = (0.5, 0.999)
    """Adam betas (0.5, 0.999) (DARTS architect.py)."""
    momentum: float = Field(0.9, ge=0, lt=1)
    """Momentum when ``optimizer: sgd`` (003_… §5.3 uses 0.9)."""
    weight_decay: float = Field(1e-3, ge=0)
    """α weight decay 1e-3 (DARTS ``arch_weight_decay``); Single-DARTS sets 0 (003_… §5.1.2)."""
    fix_alpha: bool = False
    """α never updated (DARTS-PT's ``blank`` fixed-α supernet, reference-notes §5.1)."""


class MutationConfig(StrictModel):
    p_max: float = Field(0.0, ge=0.0, le=1.0)
    """Largest mutation probability; 0 = no mutation. EM-DARTS' values live with the families (README,
    Table 5)."""
    growth: Growth = "linear"
    """A registered schedule (``searchcore.methods.schedules``): linear (the paper's main setting),
    exponential, cosine, fixed, early/middle/late (EM-DARTS ablation appendix)."""
    ramp_epochs: int = Field(50, ge=1)
    """p reaches p_max after 50 epochs and is held (EM-DARTS ablation appendix; reference-notes §9)."""
    epoch_offset: Literal[0, 1] = 0
    """0: p from the 0-indexed epoch e, p = p_max·e/50 (EM train_search.py: 0 in the first epoch); 1: from
    t = e + 1 as in Algorithm 1 of 000_… (p = t/T·p_max, p_max reached in epoch 50)."""
    compute_unselected: bool = False
    """A mutated edge computes only its drawn op (False), or every op times 0 as EM's MixedOp does (True):
    then the unselected ops' weights get zero gradients, so SGD's weight decay and momentum still move
    them and their BNs still update running statistics (reference-notes §9)."""


class RegularizerConfig(StrictModel):
    kind: RegularizerKind = "none"
    """A registered regulariser (``searchcore.methods.regularizers``): none, entropy (BER), beta_decay."""
    lam: float = Field(0.0, ge=0.0)
    """Regulariser weight λ; 0 = off. r-DARTS: 0.5 (NB201, Table 1), 1 (DARTS space, Tables 2 and 4)."""
    schedule: Literal["constant", "linear"] = "constant"
    """``linear``: λ·min(1, epoch/ramp_epochs) (β-DARTS ramps 50·epoch/100)."""
    ramp_epochs: int = Field(100, ge=1)
    """Epochs of the linear λ ramp (β-DARTS: 100)."""
    sign: Literal[1, -1] = 1
    """+1 adds λ·term to the α loss (r-DARTS 004_… Eq. 15: L*_val = L_val + λ·r(α))."""


class ShrinkConfig(StrictModel):
    """IS-DARTS information-based shrinking (reference-notes §6; ``searchcore.selection.shrink``), used by
    the ``shrink`` selection rule (``method.selection: shrink``)."""

    steps: int = Field(4, ge=1)
    """Pruning steps: NB201 4, DARTS 7 (isdarts_nasbench.sh / isdarts_darts.sh)."""
    interval: int = Field(2, ge=1)
    """Epochs between pruning steps: NB201 2, DARTS 3; pruning ends ``interval`` epochs before the end."""
    samples: int | None = Field(200, ge=1)
    """Images over which the IIM is averaged: the paper's 200 (NB201) / 600 (DARTS); ``None`` = the
    whole training loader, as the released code does."""
    measure: Annotated[str, registry_name("searchcore.selection.iim:IIM_MEASURES")] = "code"
    """``code``: 3(x − μ)²/σ⁶ per element (IS-DARTS shrink_metric.py, followed here); ``eq11``: Σ σ²/3, the
    paper's Eq. 11 (002_…). Both prune the highest score (reference-notes §6)."""


class MethodConfig(StrictModel):
    name: str = "darts"
    """The preset this method came from (informational; the axes below define the method)."""
    forward: Literal["mixed", "edge_mutation"] = "mixed"
    """Weight-step forward: the mixed op of every edge (DARTS Eq. 2), or EM-DARTS' edge mutation (000_… Eq.
    3-4: with probability p an edge becomes one random parametric op in weight steps)."""
    level: Literal["bilevel", "single", "same_subset"] = "bilevel"
    """``bilevel``: α on the α split, weights on the weight split (DARTS Eq. 3-4). ``single``: one batch of
    the weight split updates both (Single-DARTS 003_… Eq. 16). ``same_subset``: α on a different batch of
    the weight split (Single-DARTS Table 4, middle row)."""
    single_update: Literal["combined", "two_optimizers"] = "combined"
    """Single level: one gradient of L_train w.r.t. (α, w) and both optimisers step (003_… Eq. 16), or an α
    step then a weight step on the same batch (``two_optimizers``, an ablation)."""
    order: Literal["alpha_first", "weights_first"] = "alpha_first"
    """DARTS/PT/EM take the α step first; AutoDL's DARTS-V1 the weight step (reference-notes §2.1)."""
    activation: ActivationName = "softmax"
    """A registered activation (``searchcore.methods.activations``); ``uniform`` = α-free, every op weighted
    1/|O| (IS-DARTS, reference-notes §6)."""
    alpha_init: Literal["normal", "constant"] = "normal"
    """``normal``: α ~ std·N(0, 1) (DARTS); ``constant``: every α = ``alpha_init_value`` (Single-DARTS)."""
    alpha_init_std: float = Field(1e-3, ge=0)
    """α ~ 1e-3·N(0, 1) (DARTS model_search.py, AutoDL)."""
    alpha_init_value: float | None = None
    """Constant init; ``None`` with sigmoid = −ln(|O|−1) so that σ = 1/|O| (Single-DARTS, −ln 7 on 8 ops)."""
    selection: SearchSelectionRule = "argmax"
    """How the search's architecture is read off the supernet: a search-time rule of
    ``searchcore.selection.rules`` — ``argmax`` (DARTS), ``argmax-no-none`` (EM-DARTS' genotype rule,
    reference-notes §2.2), ``shrink`` (IS-DARTS). DARTS-PT rules run after the search (trainable ``select``)."""
    mutation: MutationConfig = MutationConfig()
    regularizer: RegularizerConfig = RegularizerConfig()
    arch_optim: ArchOptimConfig = ArchOptimConfig()
    shrink: ShrinkConfig = ShrinkConfig()
    arch_gradient: Literal["first_order", "second_order"] = "first_order"
    """How the α gradient sees the weights (DARTS, Liu et al. 2019 §2.3): ``first_order`` holds w (ξ = 0 in
    Eq. 6, DARTS' own "first-order approximation", the default of quark0/darts train_search.py);
    ``second_order`` differentiates L_val through one virtual weight step with the finite-difference
    Hessian-vector product of Eq. 7-8 (``--unrolled``; ``searchcore.search.unrolled``). Bi-level with a
    trainable α only; declared last so that its check sees the other axes."""

    @field_validator("arch_gradient")
    @classmethod
    def _second_order_needs_bilevel_trainable_alpha(cls, value: str, info: ValidationInfo) -> str:
        """Eq. 6 unrolls the inner (weight) problem of the bi-level objective (Eq. 3-4): single level has
        none (``same_subset`` is left out as untested), and a fixed or absent α has no gradient to take."""
        if value != "second_order":
            return value
        from searchcore.methods.activations import ACTIVATIONS

        conflicts = []
        level = info.data.get("level")
        if level is not None and level != "bilevel":
            conflicts.append(f"method.level={level} (needs bilevel)")
        arch_optim = info.data.get("arch_optim")
        if arch_optim is not None and arch_optim.fix_alpha:
            conflicts.append("method.arch_optim.fix_alpha=true")
        activation = info.data.get("activation")
        if activation in ACTIVATIONS and not ACTIVATIONS.get(activation).trainable:
            conflicts.append(f"method.activation={activation} (α-free)")
        if conflicts:
            raise PydanticCustomError(
                "incompatible_axes",
                "method.arch_gradient=second_order needs a bi-level search with a trainable α; got "
                + ", ".join(conflicts))
        return value


class ProbeConfig(StrictModel):
    """Diagnostics for the papers' figures (``searchcore.probes``); none of them runs unless named here."""

    names: list[Annotated[str, registry_name("searchcore.probes:PROBES")]] = []
    """Probes to attach (``dartsweep methods`` lists them): off by default, an artifact's sweep names its own."""
    cell: str | None = None
    """Cell type the edge probes watch (``None``: the space's first; 003_… Figure 3 shows a normal cell)."""
    edge: int = Field(0, ge=0)
    """Edge the edge probes watch (index into the cell type's edges; 003_… Figure 3: edge 3←2, NB201's index 5)."""
    instance: int | None = None
    """Cell instance the edge probes watch, negative from the end (−1: the last; 003_… Figure 3: the 15th cell of
    NB201's 15, i.e. −1); ``None``: the gradient of the weights every instance shares (the α gradient's source)."""


class SearchConfig(StrictModel):
    space: Annotated[str, registry_name("searchcore.spaces:SPACES")] = "nb201"
    """A registered search space (``dartsweep spaces``); NB201 is the papers' common benchmark."""
    seed: int = Field(0, ge=0)
    """Seeds α init, weights, data order, augmentation and mutation draws (all runs reproduce)."""
    epochs: int = Field(50, ge=1)
    """50 epochs: DARTS, AutoDL DARTS-V1, EM-DARTS."""
    device: str = "auto"
    """``auto`` = CUDA when available, else CPU."""
    amp: bool = False
    """bfloat16 autocast on CUDA (none of the papers used it; off by default)."""
    threads: int | None = Field(None, ge=1)
    """torch intra-op threads; ``None`` = torch's default (Ray sets it from the trial's CPUs)."""
    nb201_table: str | None = None
    """NAS-Bench-201 table (``dartsweep nb201 import``) for per-epoch lookups of the derived cell."""
    checkpoint_every: int = Field(1, ge=1)
    """Epochs between checkpoints (every epoch: exact resume after any interruption)."""
    data: DataConfig = DataConfig()
    supernet: SupernetConfig = SupernetConfig()
    optim: WeightOptimConfig = WeightOptimConfig()
    method: MethodConfig = MethodConfig()
    probes: ProbeConfig = ProbeConfig()


# ---------------------------------------------------------------- dotted keys, YAML


def set_dotted(tree: dict[str, Any], key: str, value: Any) -> None:
    """Set ``a.b.c`` in a nested dict, creating the intermediate dicts."""
    parts = key.split(".")
    node = tree
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ValueError(f"{key}: {part!r} is not a section")
    node[parts[-1]] = value


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in flat.items():
        set_dotted(tree, key, value)
    return tree


def known_keys(model: type[BaseModel] = SearchConfig, prefix: str = "") -> list[str]:
    """Every dotted key a config accepts (for sweep validation and ``--set`` help)."""
    keys: list[str] = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            keys.extend(known_keys(ann, f"{prefix}{name}."))
        else:
            keys.append(f"{prefix}{name}")
    return keys


def parse_value(text: str) -> Any:
    """``--set`` values are YAML 1.2 scalars: ``1e-3`` -> float, ``true`` -> bool, ``null`` -> None."""
    return load_yaml(text)


def to_yaml(config: SearchConfig) -> str:
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False)


def from_yaml(text: str) -> SearchConfig:
    return SearchConfig.model_validate(load_yaml(text))
