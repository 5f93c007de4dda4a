"""Typed config of an evaluation: train one discrete architecture from scratch and test it.

The defaults are DARTS' CIFAR-10 evaluation protocol (quark0/darts ``cnn/train.py``, reference-notes §3.3;
DARTS-PT 001_… §5.1 keeps it "identical to DARTS"), so a default that a paper changes is overridden by an
evaluation protocol (``searchcore.evaluate.protocols``) that cites its source. Like the search config, it is
a tree of pydantic models that reject unknown keys, round-trips to YAML and takes dotted overrides.

``architecture`` is the literature's text form (an NB201 arch string, a ``Genotype(...)``, or a registered
genotype name such as ``DARTS_V2``), read by the space's family (``SpaceFamily.parse_architecture``) and
checked against the space when the config is validated. A chained sweep fills it in when the trial starts
(from the source trial's final ``genotype``), so it may be absent until then.
"""

from __future__ import annotations

from typing import Annotated, Literal

import yaml
from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from searchcore.config import StrictModel, known_keys, registry_name
from searchcore.yaml_io import load_yaml

LRScheduleName = Annotated[str, registry_name("searchcore.evaluate.schedules:LR_SCHEDULES")]


class EvalDataConfig(StrictModel):
    dataset: Annotated[str, registry_name("searchcore.data:DATASETS")] = "cifar10"
    """Registered data set: the network trains on its whole training split and is tested on its test split
    (DA ``train.py``: 50k train / 10k test, reference-notes §3.3)."""
    root: str | None = None
    """Data root; ``None`` uses the data set's default root (none for CIFAR/SVHN/ImageNet16)."""
    batch_size: int = Field(96, ge=2)
    """96: DA ``train.py`` (reference-notes §3.3). EM-DARTS uses 128 (000_… A.5.2)."""
    cutout: int = Field(16, ge=0)
    """Cutout length 16 (DA ``train.py --cutout``, the papers' CIFAR results use it; reference-notes §3.3)."""
    limit_train_images: int | None = Field(None, ge=4)
    """Train on the first N images of a seeded permutation of the training split (CPU runs and tests)."""
    max_batches: int | None = Field(None, ge=1)
    """Cap on training batches per epoch (quick runs); ``None`` = a full pass."""
    eval_batches: int | None = Field(None, ge=1)
    """Cap on test batches per epoch; ``None`` = the whole test split."""
    resolution: int | None = Field(None, ge=8)
    """Streaming data sets (ImageNet): the training crop (RandomResizedCrop) and the test centre crop, the test
    resize being resolution·256/224; ``None`` = the data set's size, 224 for ImageNet (DA
    ``train_imagenet.py``). In-memory sets keep their images' size and refuse another value."""
    workers: int = Field(4, ge=0)
    """DataLoader worker processes decoding a streaming data set: 4 (DA ``train_imagenet.py`` num_workers=4);
    0 decodes in the training process. In-memory sets need none and ignore it."""


class EvalNetworkConfig(StrictModel):
    layers: int | None = Field(None, ge=1)
    """Cells (DARTS family; NB201: cells per stage); ``None`` = the family's paper value for the data set
    (``SpaceFamily.network_defaults``: DARTS CIFAR 20, ImageNet 14; NB201 5)."""
    channels: int | None = Field(None, ge=2)
    """Initial channels; ``None`` = the family's paper value (DARTS CIFAR 36, ImageNet 48; NB201 16)."""
    auxiliary: bool = True
    """Auxiliary head after cell 2·layers//3 (DA ``model.py``; networks without one ignore it)."""
    auxiliary_weight: float = Field(0.4, ge=0)
    """Weight of the auxiliary loss: 0.4 (DA ``train.py``; EM-DARTS 000_… A.5.2)."""
    drop_path: float = Field(0.2, ge=0, lt=1)
    """Maximum drop-path probability, ramped linearly as drop_path·epoch/epochs and never applied to
    identity edges (DA ``train.py`` / ``model.py``, reference-notes §3.3)."""


class EvalOptimConfig(StrictModel):
    lr: float = Field(0.025, gt=0)
    """SGD lr 0.025 (DA ``train.py``, reference-notes §3.3)."""
    momentum: float = Field(0.9, ge=0, lt=1)
    """0.9 (DA ``train.py``)."""
    weight_decay: float = Field(3e-4, ge=0)
    """3e-4 (DA ``train.py``)."""
    nesterov: bool = False
    """DA uses plain momentum; AutoDL (NB201, IS-DARTS' evaluation) uses nesterov."""
    grad_clip: float | None = Field(5.0, gt=0)
    """Gradient-norm clip 5 (DA ``train.py``); ``None`` = no clipping."""
    label_smoothing: float = Field(0.0, ge=0, lt=1)
    """0 on CIFAR (DA ``train.py``); 0.1 on ImageNet (DA / PC-DARTS ``train_imagenet.py``)."""
    schedule: LRScheduleName = "cosine"
    """A registered lr schedule (``searchcore.evaluate.schedules``): cosine per epoch (DA), linear,
    linear-pc-darts (PC-DARTS ImageNet), constant."""
    lr_min: float = Field(0.0, ge=0)
    """End of the cosine / linear schedule: 0 (DA ``train.py``: eta_min 0, reference-notes §3.3)."""
    warmup_epochs: int = Field(0, ge=0)
    """Linear lr warm-up epochs: none on CIFAR (DA); 5 on ImageNet (EM-DARTS 000_… A.5.2)."""
    warmup: Literal["scale", "prepend"] = "scale"
    """``scale``: warm-up epoch e multiplies the schedule by (e+1)/W (PC-DARTS); ``prepend``: W warm-up epochs,
    then the schedule over the rest (AutoDL, IS-DARTS). See ``searchcore.evaluate.schedules``."""


class EvalConfig(StrictModel):
    space: Annotated[str, registry_name("searchcore.spaces:SPACES")] = "darts"
    """The space the architecture belongs to; its family parses it and builds the network."""
    architecture: str | None = None
    """NB201 arch string, ``Genotype(normal=[...], ...)`` text or a registered genotype name (``DARTS_V2``)."""
    protocol: str = "darts-cifar"
    """The evaluation protocol this config came from (informational; the keys below define the training)."""
    seed: int = Field(0, ge=0)
    """Seed of the weights' init, the data order and drop-path (DA ``train.py`` default 0)."""
    epochs: int = Field(600, ge=1)
    """600 (DA ``train.py``, reference-notes §3.3)."""
    device: str = "auto"
    amp: bool = False
    """bfloat16 autocast on CUDA (no effect on CPU)."""
    channels_last: bool = True
    """NHWC memory format: faster convolutions on CPU and tensor cores; numerically the same network."""
    sync_bn: bool = False
    """Data-parallel runs (several workers, ``resources.workers`` in a sweep): BatchNorm over the global batch
    (``nn.SyncBatchNorm``; on CPUs ``searchcore.evaluate.distributed.AllReduceBatchNorm``), which trains the
    same network as one process. ``false``: each worker normalises its own shard, as multi-GPU
    ``nn.DataParallel`` training of the papers' ImageNet scripts does (UNVERIFIED: not re-read). No effect on
    one process."""
    threads: int | None = Field(None, ge=1)
    checkpoint_every: int = Field(1, ge=1)
    """Epochs between checkpoints (the last epoch always has one)."""
    nb201_table: str | None = None
    """NB201 spaces: the benchmark table, to report the architecture's table entries beside the trained
    accuracy (``nb201_*`` columns)."""
    data: EvalDataConfig = EvalDataConfig()
    network: EvalNetworkConfig = EvalNetworkConfig()
    optim: EvalOptimConfig = EvalOptimConfig()

    @field_validator("optim")
    @classmethod
    def _warmup_leaves_epochs(cls, value: EvalOptimConfig, info: ValidationInfo) -> EvalOptimConfig:
        epochs = info.data.get("epochs")
        if epochs is not None and value.warmup_epochs >= epochs:
            raise PydanticCustomError("warmup", f"warmup_epochs ({value.warmup_epochs}) must be below epochs "
                                      f"({epochs}): lower optim.warmup_epochs or train longer")
        return value

    @field_validator("architecture")
    @classmethod
    def _architecture_in_space(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or "space" not in info.data:
            return value
        problem = architecture_problem(info.data["space"], value)
        if problem:
            raise PydanticCustomError("architecture", problem)
        return value


def architecture_problem(space_name: str, text: str) -> str:
    """Why ``text`` is not an architecture of ``space_name`` (empty when it is), in one line."""
    from searchcore.spaces import get_space

    space = get_space(space_name)
    try:
        architecture = space.family.parse_architecture(text)
    except (ValueError, KeyError) as err:  # KeyError: an unknown op name; str() of a KeyError adds quotes
        return str(err.args[0]) if err.args else str(err)
    problems = space.family.check_architecture(space, architecture)
    return f"architecture does not fit space {space.name}: " + "; ".join(problems) if problems else ""


EVAL_KEYS = tuple(known_keys(EvalConfig))
"""Every dotted key an evaluation config accepts (sweep validation, ``--set`` help)."""


def eval_to_yaml(config: EvalConfig) -> str:
    return yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False)


def eval_from_yaml(text: str) -> EvalConfig:
    return EvalConfig.model_validate(load_yaml(text))

