"""Evaluation protocols: how each paper trains a found architecture from scratch, as named override sets.

A protocol is to an evaluation what a method preset is to a search (``searchcore.methods.presets``): dotted
overrides of :class:`~searchcore.evaluate.config.EvalConfig`, each with the source that fixes it, plus the
space families it is meant for. Keys a protocol leaves alone keep the config defaults (DARTS' CIFAR
protocol, cited in ``config.py``). ``resolve_eval_config`` applies a protocol, then the user's overrides.
Where a value could not be checked against a paper or script, its source says ``UNVERIFIED``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from searchcore.config import deep_merge, set_dotted
from searchcore.evaluate.config import EvalConfig
from searchcore.registry import Registry, UnknownNameError
from searchcore.spaces import get_space


@dataclass(frozen=True)
class Protocol:
    name: str
    summary: str
    overrides: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)
    """dotted key (or ``key.*`` for a group) -> where the value comes from."""
    families: tuple[str, ...] | None = None
    """Space families whose evaluation network the protocol describes (None: any)."""


PROTOCOLS: Registry[Protocol] = Registry("evaluation protocol")


def register_protocol(protocol: Protocol) -> Protocol:
    return PROTOCOLS.register(protocol.name, protocol)


_DA = "quark0/darts cnn/train.py, the DARTS CIFAR evaluation (reference-notes §3.3)"
_EM = "EM-DARTS 000_… App. A.5.2"
_EM_REDUCED = "EM-DARTS 000_… App. A.5.3"
_RD = "RobustDARTS appendix C via reference-notes §4.2 (RD src/evaluation/args.py, PT exp_scripts/eval-c100.sh)"
_PC = "PC-DARTS train_imagenet.py (yuhuixu1993/PC-DARTS 5680491), the setting EM-DARTS A.5.2 cites (Xu et al. 2020)"
_IS = "IS-DARTS configs/archs/NAS-CIFAR-ISDARTS.config + configs/opts/NAS-CIFAR.config (reference-notes §3.3)"
_DA_IN = "quark0/darts cnn/train_imagenet.py (the DARTS mobile-setting ImageNet script)"
_PT_IN = "DARTS-PT 001_… App. A.8 / Table 5 ('strictly follow the training protocols ... of DARTS')"
_IS_IN = ("IS-DARTS basic-main-distributed.sh (imagenet-1k: batch 128, no cutout) + configs/archs/"
          "NAS-IMAGENET-ISDARTS.config (C 48, N 4, aux, drop-path 0) + configs/opts/NAS-IMAGENET.config as in "
          "D-X-Y/AutoDL-Projects cfb462e (cos to 0, 245 epochs + 5 warm-up, SGD 0.1 nesterov, wd 3e-5, label "
          "smoothing 0.1, aux 0.4)")
_IS_NO_CLIP = ("none: IS-DARTS basic-main.py trains with xautodl/procedures/basic_main.py, whose step is "
               "zero_grad, loss (+ aux), backward, optimizer.step: no gradient clipping (HY-HE/IS-DARTS 317d1d8)")
_PD = "P-DARTS (chenxin061/pdarts) train_cifar.py / train_imagenet.py, the setting Single-DARTS 003_… §5.1.2 follows"
_NB = ("AutoDL configs/nas-benchmark/hyper-opts/200E.config (D-X-Y/AutoDL-Projects 6effb6f), NAS-Bench-201's "
       "200-epoch schedule")

DARTS_CIFAR: dict[str, Any] = {
    "network.layers": 20, "network.channels": 36, "epochs": 600, "data.batch_size": 96,
    "optim.lr": 0.025, "optim.schedule": "cosine", "optim.lr_min": 0.0, "optim.momentum": 0.9,
    "optim.weight_decay": 3e-4, "optim.grad_clip": 5.0, "network.drop_path": 0.2, "data.cutout": 16,
    "network.auxiliary": True, "network.auxiliary_weight": 0.4,
}
"""DARTS' CIFAR protocol, spelled out (equal to the config defaults) so a protocol listing shows it whole."""

register_protocol(Protocol(
    "darts-cifar", "DARTS CIFAR-10 evaluation: 20 cells, C=36, 600 epochs, batch 96, SGD 0.025 cosine to 0",
    DARTS_CIFAR,
    {"*": _DA, "epochs": f"600: {_DA}; DARTS-PT 001_… §5.1 keeps 'retrain settings identical to DARTS'"},
    families=("darts",),
))

register_protocol(Protocol(
    "em-darts-cifar", "EM-DARTS CIFAR-10/100 evaluation: DARTS' protocol with batch 128",
    {**DARTS_CIFAR, "data.batch_size": 128},
    {"*": f"20 cells, C=36, 600 epochs, SGD 0.025 cosine to 0, momentum 0.9, wd 3e-4, clip 5, drop-path 0.2, "
          f"cutout, aux 0.4: {_EM}", "data.batch_size": f"128: {_EM}",
     "data.cutout": f"16: cutout length not stated in {_EM}; DA's 16 (UNVERIFIED for EM-DARTS)"},
    families=("darts",),
))

register_protocol(Protocol(
    "reduced-cifar10", "S1-S4 on CIFAR-10 (RobustDARTS / DARTS-PT / EM-DARTS): DARTS' protocol, 20 cells, C=36",
    DARTS_CIFAR,
    {"*": f"CIFAR-10 at 20 cells / C=36, otherwise DARTS: {_RD}; {_EM_REDUCED}; DARTS-PT 001_… Table 3"},
    families=("darts",),
))

register_protocol(Protocol(
    "reduced-small", "S1-S4 on CIFAR-100 / SVHN (RobustDARTS appendix C): 8 cells, C=16, otherwise DARTS'",
    {**DARTS_CIFAR, "network.layers": 8, "network.channels": 16},
    {"*": f"600 epochs, batch 96, auxiliary, cutout (RD evaluation defaults): {_RD}",
     "network.*": f"8 cells, C=16 on CIFAR-100 and SVHN: {_RD}; {_EM_REDUCED} ('16 initial channels and 8 cells')"},
    families=("darts",),
))

register_protocol(Protocol(
    "darts-imagenet", "ImageNet mobile setting: 14 cells, C=48, 250 epochs, batch 1024, lr 0.5 linear to 0, "
    "5 warm-up epochs, label smoothing 0.1",
    {"network.layers": 14, "network.channels": 48, "epochs": 250, "data.batch_size": 1024, "optim.lr": 0.5,
     "optim.schedule": "linear-pc-darts", "optim.lr_min": 0.0, "optim.momentum": 0.9, "optim.weight_decay": 3e-5,
     "optim.label_smoothing": 0.1, "optim.warmup_epochs": 5, "optim.warmup": "scale", "optim.grad_clip": 5.0,
     "network.auxiliary": True, "network.auxiliary_weight": 0.4, "network.drop_path": 0.0, "data.cutout": 0},
    {"*": f"14 cells, C=48, 250 epochs, batch 1024, SGD 0.5 linear to 0, momentum 0.9, wd 3e-5, label "
          f"smoothing, aux 0.4, 5 warm-up epochs: {_EM}",
     "optim.label_smoothing": f"0.1: {_PC} (--label_smooth; EM-DARTS gives no value)",
     "optim.schedule": f"adjust_lr (linear to 0, slower over the last 5 epochs): {_PC}",
     "optim.warmup": f"lr·(epoch+1)/5 for the first 5 epochs when the batch exceeds 256: {_PC}",
     "optim.grad_clip": f"5: {_PC}", "network.drop_path": f"0 (--drop_path_prob default): {_PC}",
     "data.cutout": f"none on ImageNet: {_PC}"},
    families=("darts",),
))

register_protocol(Protocol(
    "is-darts-cifar", "IS-DARTS CIFAR-10 evaluation (AutoDL style): 5 warm-up + 595 cosine epochs, nesterov",
    {**DARTS_CIFAR, "optim.nesterov": True, "optim.warmup_epochs": 5, "optim.warmup": "prepend",
     "optim.grad_clip": None},
    {"*": f"20 cells (N=6 per stage), C=36, aux 0.4, drop-path 0.2, 595 epochs + 5 linear warm-up, nesterov SGD "
          f"0.025 cosine to 0, wd 3e-4, batch 96, cutout 16: {_IS}. The paper (002_… §4.2) defers to its "
          "appendix, which is not in the text; the values are the released code's",
     "optim.warmup": f"the warm-up epochs come before the 595 cosine epochs (AutoDL schedulers): {_IS}; AutoDL "
                     "ramps per iteration, here per epoch",
     "optim.grad_clip": _IS_NO_CLIP},
    families=("darts",),
))

register_protocol(Protocol(
    "darts-imagenet-da", "DARTS' own ImageNet training: 14 cells, C=48, 250 epochs, batch 128, SGD 0.1 decayed "
    "x0.97 per epoch, label smoothing 0.1",
    {"network.layers": 14, "network.channels": 48, "epochs": 250, "data.batch_size": 128, "optim.lr": 0.1,
     "optim.schedule": "exponential-0.97", "optim.lr_min": 0.0, "optim.momentum": 0.9, "optim.nesterov": False,
     "optim.weight_decay": 3e-5, "optim.label_smoothing": 0.1, "optim.warmup_epochs": 0, "optim.grad_clip": 5.0,
     "network.auxiliary": True, "network.auxiliary_weight": 0.4, "network.drop_path": 0.0, "data.cutout": 0},
    {"*": f"batch 128, SGD 0.1 momentum 0.9, wd 3e-5, StepLR(1, gamma 0.97), label smoothing 0.1, aux 0.4, clip 5, "
          f"drop-path 0: {_DA_IN} argparse defaults; used by {_PT_IN}",
     "epochs": f"250: the DARTS paper's mobile setting (the script's argparse default is 1000); {_PT_IN}",
     "network.*": f"14 cells, C=48: the DARTS paper's mobile setting (the script's argparse default C is 50); "
                  f"auxiliary head (--auxiliary) weight 0.4: {_DA_IN}",
     "optim.schedule": f"lr x 0.97 after every epoch: {_DA_IN} (--gamma 0.97 --decay_period 1)",
     "data.cutout": f"none; RandomResizedCrop, flip, ColorJitter(0.4, 0.4, 0.4, 0.2): {_DA_IN}"},
    families=("darts",),
))

register_protocol(Protocol(
    "is-darts-imagenet", "IS-DARTS ImageNet evaluation (AutoDL style): 14 cells, C=48, 5 warm-up + 245 cosine "
    "epochs, SGD 0.1 nesterov, label smoothing 0.1, batch 128",
    {"network.layers": 14, "network.channels": 48, "epochs": 250, "data.batch_size": 128, "optim.lr": 0.1,
     "optim.schedule": "cosine", "optim.lr_min": 0.0, "optim.momentum": 0.9, "optim.nesterov": True,
     "optim.weight_decay": 3e-5, "optim.label_smoothing": 0.1, "optim.warmup_epochs": 5, "optim.warmup": "prepend",
     "optim.grad_clip": None, "network.auxiliary": True, "network.auxiliary_weight": 0.4, "network.drop_path": 0.0,
     "data.cutout": 0},
    {"*": f"{_IS_IN}. IS-DARTS 002_… Table 3 defers its settings to an appendix that is not in the text",
     "network.layers": "14 = 3 stages of N=4 cells + 2 reduction cells (xautodl DXYs/ImageNet.py, N 4)",
     "data.batch_size": "128 per process (basic-main-distributed.sh; how many GPUs ran is not stated: UNVERIFIED)",
     "optim.warmup": "5 linear warm-up epochs before the 245 cosine epochs (AutoDL schedulers, per iteration there, "
                     "per epoch here)",
     "optim.grad_clip": _IS_NO_CLIP},
    families=("darts",),
))

register_protocol(Protocol(
    "single-darts-cifar", "Single-DARTS' CIFAR-10 transfer (P-DARTS setting): 14 cells, C=36, 600 epochs, batch 128, "
    "drop-path 0.3",
    {**DARTS_CIFAR, "network.layers": 14, "data.batch_size": 128, "network.drop_path": 0.3},
    {"*": "14 cells ('shorten the number of layers from 20 to 14' for the mobile setting), C=36, 600 epochs, batch "
          "128, SGD 0.025 cosine to 0, momentum 0.9, wd 3e-4, cutout 16, drop-path 0.3, aux 0.4: Single-DARTS 003_… "
          "§5.1.2 (Table 3)",
     "optim.grad_clip": f"5: not stated in 003_…; {_PD} (--grad_clip 5)"},
    families=("darts",),
))

register_protocol(Protocol(
    "single-darts-imagenet", "Single-DARTS' ImageNet training (P-DARTS setting scaled by 0.75): 14 cells, C=48, 250 "
    "epochs, batch 768, lr 0.375 linear to 0, 5 warm-up epochs, label smoothing 0.1",
    {"network.layers": 14, "network.channels": 48, "epochs": 250, "data.batch_size": 768, "optim.lr": 0.375,
     "optim.schedule": "linear-pc-darts", "optim.lr_min": 0.0, "optim.momentum": 0.9, "optim.nesterov": False,
     "optim.weight_decay": 3e-5, "optim.label_smoothing": 0.1, "optim.warmup_epochs": 5, "optim.warmup": "scale",
     "optim.grad_clip": 5.0, "network.auxiliary": True, "network.auxiliary_weight": 0.4, "network.drop_path": 0.0,
     "data.cutout": 0},
    {"*": "250 epochs, SGD momentum 0.9, wd 3e-5, batch and lr scaled by 0.75 (1024 -> 768, 0.5 -> 0.375), label "
          "smoothing, auxiliary tower, 5 warm-up epochs, linear decay to 0: Single-DARTS 003_… §5.1.2 (Table 2)",
     "network.*": f"14 cells, C=48, aux weight 0.4: {_PD} (--layers 14 --init_channels 48 --auxiliary_weight 0.4)",
     "optim.label_smoothing": f"0.1: {_PD} (--label_smooth; 003_… gives no value)",
     "optim.schedule": f"adjust_lr of {_PD}: linear to 0 over E-5 epochs, then a flatter tail; P-DARTS' tail rises "
                       "from lr/1225 to 5·lr/1225 over the last 5 epochs, PC-DARTS' (used here) falls: below 0.5% of "
                       "the base lr either way",
     "optim.warmup": f"lr·(epoch+1)/5 in the first 5 epochs when the batch exceeds 256: {_PD}",
     "optim.grad_clip": f"5: {_PD}", "network.drop_path": f"0 (--drop_path_prob default): {_PD}",
     "data.cutout": f"none on ImageNet; RandomResizedCrop, flip, ColorJitter(0.4, 0.4, 0.4, 0.2): {_PD}"},
    families=("darts",),
))

register_protocol(Protocol(
    "nb201", "NAS-Bench-201's own training: 200 epochs, SGD 0.1 nesterov, wd 5e-4, cosine to 0, batch 256",
    {"network.layers": 5, "network.channels": 16, "epochs": 200, "data.batch_size": 256, "optim.lr": 0.1,
     "optim.momentum": 0.9, "optim.nesterov": True, "optim.weight_decay": 5e-4, "optim.schedule": "cosine",
     "optim.lr_min": 0.0, "optim.warmup_epochs": 0, "optim.label_smoothing": 0.0, "optim.grad_clip": None,
     "network.auxiliary": False, "network.drop_path": 0.0, "data.cutout": 0},
    {"*": f"{_NB} (read: cos, eta_min 0, 200 epochs, warmup 0, SGD 0.1, wd 5e-4, momentum 0.9, nesterov, "
          "Softmax criterion, batch 256); Dong & Yang 2020",
     "network.*": "C=16, N=5 cells per stage, no auxiliary head: NAS-Bench-201 network (reference-notes §2.1)",
     "optim.grad_clip": "none: UNVERIFIED (the 200E config has no clip key; AutoDL's training procedure not read)",
     "data.cutout": "none: UNVERIFIED (AutoDL's NB201 transforms not re-read for cutout; reference-notes §1.2 "
                    "lists flip + crop only)"},
    families=("nb201",),
))

register_protocol(Protocol(
    "cpu-demo", "tiny CPU demo for the embedded digits data: 6 epochs, 2 cells (NB201: per stage), C=8, batch 32 "
    "(not a paper protocol)",
    {"network.layers": 2, "network.channels": 8, "epochs": 6, "data.batch_size": 32, "optim.lr": 0.05,
     "optim.schedule": "cosine", "optim.lr_min": 0.0, "optim.weight_decay": 3e-4, "optim.grad_clip": 5.0,
     "network.drop_path": 0.1, "network.auxiliary": True, "network.auxiliary_weight": 0.4, "data.cutout": 0,
     "threads": 1},
    {"*": "dartsweep's own choice for CPU minutes on 8x8 digits (cutout 16 would hide most of a digit); DARTS' "
          "training tricks kept at reduced strength"},
))


_PX = ("mit-han-lab/proxylessnas training/README.md (main.py --arch proxyless_gpu --label-smoothing --color-jitter "
       "--epochs 300 on 8 workers) and training/main.py defaults")

register_protocol(Protocol(
    "proxylessnas-imagenet", "ProxylessNAS' ImageNet training of mobile chains: 300 epochs, batch 512, SGD 0.1, "
    "5 warm-up + cosine, wd 5e-5, label smoothing 0.1",
    {"network.layers": None, "network.channels": None, "epochs": 300, "data.batch_size": 512, "optim.lr": 0.1,
     "optim.schedule": "cosine", "optim.lr_min": 0.0, "optim.momentum": 0.9, "optim.nesterov": False,
     "optim.weight_decay": 5e-5, "optim.label_smoothing": 0.1, "optim.warmup_epochs": 5, "optim.warmup": "prepend",
     "optim.grad_clip": None, "network.auxiliary": False, "network.drop_path": 0.0, "data.cutout": 0},
    {"*": f"300 epochs, 8 x 64 images, SGD momentum 0.9 (no nesterov), wd 5e-5 on every weight (BN included), "
          f"no clipping: {_PX}. r-DARTS 004_… Table 4 states no training recipe (its App. A is not in the text); "
          "this is the recipe of the space's own paper (docs/spaces.md)",
     "optim.lr": f"0.1 = base lr 0.0125 x 8 workers (lr = base_lr * hvd.size()): {_PX}",
     "optim.warmup": f"5 warm-up epochs, then cosine to 0 over the other 295: {_PX} adjust_learning_rate; it ramps "
                     "from lr/8 per iteration, here base·(e+1)/5 per epoch",
     "optim.label_smoothing": f"0.1 (bags_of_tricks.label_smoothing eta=0.1): {_PX}",
     "network.*": "width multiplier 1 (channels unset) unless the architecture carries its own (ProxylessNAS-GPU "
                  "@1.35); no auxiliary head, no drop-path: ProxylessNAS nets have neither",
     "data.cutout": f"none; the reference's colour jitter (brightness/contrast/saturation 0.4, hue 0.1) and "
                    f"RandomResizedCrop(224) are not in dartsweep's augmentation: {_PX}"},
    families=("mobilenet",),
))

def resolve_protocol(name: str, space: str) -> Protocol:
    """Protocol ``name``, checked to fit ``space``'s family (unknown names fail with the allowed ones)."""
    protocol = PROTOCOLS.get(name)
    family = get_space(space).family.name
    if protocol.families is not None and family not in protocol.families:
        fits = [n for n, p in PROTOCOLS.items() if p.families is None or family in p.families]
        raise UnknownNameError(f"protocol {name!r} trains {'/'.join(protocol.families)}-family networks, but "
                               f"space {space!r} is {family}-family; protocols for it: {', '.join(fits)}")
    return protocol


def resolve_eval_config(protocol: str = "darts-cifar", space: str = "darts", dataset: str = "cifar10",
                        overrides: dict[str, Any] | None = None) -> EvalConfig:
    """Defaults <- protocol <- user overrides (dotted keys), validated."""
    tree: dict[str, Any] = {"space": space, "protocol": protocol, "data": {"dataset": dataset}}
    for key, value in resolve_protocol(protocol, space).overrides.items():
        set_dotted(tree, key, value)
    user: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        set_dotted(user, key, value)
    return EvalConfig.model_validate(deep_merge(tree, user))
