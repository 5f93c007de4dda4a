"""Typed config of a selection trial (DARTS-PT), which starts from a search trial's supernet checkpoint.

Defaults are the DARTS-PT scripts' (``exp_scripts/darts-201.sh``, ``darts-sota.sh``: ``--proj_crit acc
--proj_intv 5 --edge_decision random``; reference-notes §5). The search config stored beside the
checkpoint rebuilds the supernet and the data; ``search`` overrides any of its keys (e.g. data caps for
quick runs). Sweeps may give keys flat and dotted: :func:`select_config` sorts them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from searchcore.config import StrictModel, flatten, known_keys, set_dotted, unknown_name


def _select_stage_rule(value: str) -> str:
    from searchcore.selection.rules import SELECTION_RULES, rule_names

    allowed = rule_names("select")
    if value not in allowed:
        raise unknown_name(f"unknown selection rule {value!r} for the select trainable; allowed: {', '.join(allowed)}"
                         + (f" ({value} is a search-time rule: method.selection)" if value in SELECTION_RULES else ""))
    return value


class SelectConfig(StrictModel):
    checkpoint: str
    """Directory holding ``state.pt`` + ``config.yaml`` written by a search trial (any method)."""
    rule: Annotated[str, AfterValidator(_select_stage_rule)] = "pt"
    """A selection-stage rule of ``searchcore.selection.rules``: ``pt``: perturbation (DARTS-PT ``darts-proj``,
    the scripts' default); ``pt-fix-alpha``: the same on a supernet trained with α fixed, α never updated
    (``blank-proj``); ``pt-mag``: progressive tuning, op chosen by the largest weight (magnitude ablation)."""
    criterion: Literal["acc", "loss"] = "acc"
    """Op whose removal gives the lowest accuracy / highest loss (``--proj_crit acc`` in the scripts)."""
    tune_epochs: int = Field(5, ge=1)
    """Tuning epochs between decisions (``--proj_intv 5``; sota/cnn's own default 10 is not what ran)."""
    topology: Literal["iterative", "one_shot"] = "iterative"
    """Topology step: delete the least useful input edge, re-score, repeat until 2 remain (sota/cnn/
    projection.py, followed here), or score each edge's removal once and keep the 2 that hurt most
    (Algorithm 2 of 001_…)."""
    lr: float = Field(0.0025, gt=0)
    """The weight optimiser is reset to lr 0.025/10 (projection.py), same momentum and weight decay."""
    lr_min: float = Field(0.001, ge=0)
    """DARTS spaces: cosine from ``lr`` to 0.001 over the tuning epochs (sota/cnn/projection.py)."""
    lr_schedule: Literal["auto", "constant", "cosine"] = "auto"
    """``auto``: constant on NB201 (nasbench201/projection.py has no scheduler), cosine on DARTS spaces."""
    eval_batches: int | None = Field(None, ge=1)
    """Validation batches per candidate evaluation; ``None`` = the whole α split, as the reference."""
    eval_augment: bool = False
    """Score on augmented α-split images, as the reference's valid_queue (train transform, reference-notes
    §1.1); the same draws for every candidate. ``False``: plain images in a fixed order (less noise)."""
    eval_after_tune: bool = True
    """Score the supernet after every tuning epoch too (``val_acc``; one more evaluation per epoch)."""
    bn_train_mode: bool = True
    """Evaluate with ``model.train()`` under no_grad, i.e. batch statistics in BN (the reference's proj_queue)."""
    seed: int | None = Field(None, ge=0)
    """Seed of the random edge / node order; ``None`` = the search trial's seed."""
    update_alpha: bool | None = None
    """α keeps training on undecided edges (``darts-proj``); ``None`` = yes unless α is fixed or absent."""
    nb201_table: str | None = None
    """NB201 table for looking up the selected architecture (NB201 spaces)."""
    discretize_edge: int | None = Field(None, ge=0)
    """Instead of selecting: discretise this one edge to ``discretize_op`` and tune the rest ``tune_epochs`` epochs,
    i.e. measure that op's "discretization accuracy at convergence" (001_… §3.1, Figures 1 and 2; the last tuning
    epoch's ``val_acc``). ``None``: the selection schedule of the space's family."""
    discretize_op: str | None = None
    """The op ``discretize_edge`` is committed to (a candidate of that edge)."""
    discretize_cell: str | None = None
    """Cell type of ``discretize_edge``; ``None``: the space's first (the normal cell of DARTS spaces)."""
    search: dict[str, Any] = {}
    """Overrides of the checkpoint's search config, dotted or nested (``{"data.max_batches": 2}``)."""

    @model_validator(mode="after")
    def _fixed_alpha_never_updates(self) -> SelectConfig:
        from searchcore.selection.rules import SELECTION_RULES

        if SELECTION_RULES.get(self.rule).fixed_alpha and self.update_alpha:
            raise ValueError(f"rule {self.rule} never updates α; drop update_alpha or use a rule that does")
        if (self.discretize_edge is None) != (self.discretize_op is None):
            raise ValueError("discretize_edge and discretize_op go together: give both or neither")
        if self.discretize_cell is not None and self.discretize_edge is None:
            raise ValueError("discretize_cell needs discretize_edge and discretize_op")
        return self

    def search_overrides(self) -> dict[str, Any]:
        """The ``search`` overrides as a nested dict (either spelling accepted)."""
        tree: dict[str, Any] = {}
        for key, value in flatten(self.search).items():
            set_dotted(tree, key, value)
        return tree


SELECT_KEYS = tuple(SelectConfig.model_fields)


def select_config(config: dict[str, Any]) -> SelectConfig:
    """Validate a trial config. Top-level keys may be SelectConfig fields, ``search.<key>`` or any search
    config key (``data.max_batches``), which is routed into ``search``; anything else is rejected."""
    search_keys = set(known_keys())
    tree: dict[str, Any] = {}
    search: dict[str, Any] = dict(flatten(config.get("search") or {}))
    for key, value in config.items():
        if key == "search":
            continue
        if key.startswith("search."):
            search[key[len("search."):]] = value
        elif key in SELECT_KEYS:
            tree[key] = value
        elif key in search_keys:
            search[key] = value
        else:
            tree[key] = value  # unknown: let the model reject it with a clear message
    tree["search"] = search
    return SelectConfig.model_validate(tree)
