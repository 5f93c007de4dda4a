"""MobileNet-like chains (ProxylessNAS' GPU-setting space): the chain's layout, architectures and their text.

The chain (Cai et al. 2019, ProxylessNAS; mit-han-lab/proxylessnas ``search/imagenet_arch_search.py``):
a fixed stem (3×3 conv, stride 2, 32 channels), a fixed first MBConv (expansion 1, 3×3, 16 channels), six
stages of searchable layers (widths 24, 40, 80, 96, 192, 320; first-layer strides 2, 2, 2, 1, 2, 1; 4, 4, 4,
4, 4, 1 layers) and a fixed head (1×1 conv to 1280, global average pool, linear). A searchable layer
chooses one of six MBConvs (kernel 3/5/7 × expansion 3/6); a layer that keeps its shape (stride 1 and
equal widths: every layer but the first of each stage) may also be skipped (``skip_connect``: ProxylessNAS'
``Zero`` candidate inside a residual block, i.e. the identity), and its MBConvs carry the identity
shortcut (``MobileInvertedResidualBlock`` with ``IdentityLayer``).

Text form: ``mobilenet:`` then the layers' ops, ``,`` between layers and ``|`` between stages, e.g.
``mobilenet:mbconv_k5_e3,skip_connect,skip_connect,skip_connect|mbconv_k7_e3,...``; a width multiplier
other than 1 is written after the name (``mobilenet@1.35:...``): published networks such as
ProxylessNAS-GPU are a choice of ops *and* a width.
"""

from __future__ import annotations

from dataclasses import dataclass

from searchcore.mbconv import MBCONV_OPS, make_divisible

SKIP = "skip_connect"
"""The identity choice of a skippable layer (ProxylessNAS ``Zero`` + shortcut); counted as ``n_skip``."""
PREFIX = "mobilenet"


@dataclass(frozen=True)
class Stage:
    width: int
    depth: int
    stride: int
    """Stride of the stage's first layer; the others have stride 1."""


@dataclass(frozen=True)
class Layer:
    """One searchable layer at the chain's base widths."""

    c_in: int
    c_out: int
    stride: int

    @property
    def skippable(self) -> bool:
        """Shape-keeping layers may be skipped and their MBConvs have the shortcut (ProxylessNAS
        ``super_proxyless.py``: ``Zero`` and ``IdentityLayer`` iff ``stride == 1 and input_channel == width``)."""
        return self.stride == 1 and self.c_in == self.c_out

    @property
    def candidates(self) -> tuple[str, ...]:
        return MBCONV_OPS + ((SKIP,) if self.skippable else ())


@dataclass(frozen=True)
class ChainSpec:
    """The fixed parts and the searchable stages of a chain, at width multiplier 1."""

    stem: int
    first: int
    stages: tuple[Stage, ...]
    head: int

    def layers(self) -> list[Layer]:
        out: list[Layer] = []
        c = self.first
        for stage in self.stages:
            for i in range(stage.depth):
                out.append(Layer(c, stage.width, stage.stride if i == 0 else 1))
                c = stage.width
        return out

    @property
    def depths(self) -> tuple[int, ...]:
        return tuple(s.depth for s in self.stages)

    def width(self, base: int, multiplier: float) -> int:
        """A width under ``multiplier`` (ProxylessNAS: ``make_divisible(w · width_mult, 8)``)."""
        return base if multiplier == 1.0 else make_divisible(base * multiplier)

    def head_width(self, multiplier: float) -> int:
        """The feature-mix width: scaled only when the multiplier exceeds 1 (ProxylessNAS ``last_channel``)."""
        return self.width(self.head, multiplier) if multiplier > 1.0 else self.head


PROXYLESS_CHAIN = ChainSpec(
    stem=32, first=16,
    stages=(Stage(24, 4, 2), Stage(40, 4, 2), Stage(80, 4, 2), Stage(96, 4, 1), Stage(192, 4, 2), Stage(320, 1, 1)),
    head=1280,
)
"""ProxylessNAS' search space: ``width_stages 24,40,80,96,192,320``, ``n_cell_stages 4,4,4,4,4,1``,
``stride_stages 2,2,2,1,2,1``, stem 32, first block 16, feature mix 1280 (mit-han-lab/proxylessnas
search/imagenet_arch_search.py defaults and models/super_nets/super_proxyless.py)."""


def layer_name(index: int) -> str:
    """Cell-type name of searchable layer ``index`` (0-based): ``layer01`` ... ``layer21``."""
    return f"layer{index + 1:02d}"


@dataclass(frozen=True)
class MobileNetArch:
    """A chain architecture: one op per searchable layer, grouped by stage, and a width multiplier."""

    stages: tuple[tuple[str, ...], ...]
    width: float = 1.0

    @classmethod
    def from_layers(cls, ops: list[str] | tuple[str, ...], depths: tuple[int, ...], width: float = 1.0
                    ) -> MobileNetArch:
        if len(ops) != sum(depths):
            raise ValueError(f"{len(ops)} ops for a chain of {sum(depths)} searchable layers")
        stages, start = [], 0
        for d in depths:
            stages.append(tuple(ops[start:start + d]))
            start += d
        return cls(tuple(stages), width)

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(op for stage in self.stages for op in stage)

    @classmethod
    def parse(cls, text: str) -> MobileNetArch:
        head, sep, body = text.strip().partition(":")
        name, _, width_text = head.partition("@")
        if not sep or name != PREFIX or not body:
            raise ValueError(f"not a mobilenet architecture: {text!r} (expected 'mobilenet:op,op,...|op,...', "
                             "optionally 'mobilenet@<width multiplier>:...')")
        try:
            width = float(width_text) if width_text else 1.0
        except ValueError:
            raise ValueError(f"bad width multiplier {width_text!r} in {text!r}") from None
        if not width > 0:
            raise ValueError(f"the width multiplier must be positive, got {width_text!r}")
        stages = tuple(tuple(op.strip() for op in stage.split(",")) for stage in body.split("|"))
        if any(not op for stage in stages for op in stage):
            raise ValueError(f"empty op in {text!r}")
        return cls(stages, width)

    def to_str(self) -> str:
        head = PREFIX if self.width == 1.0 else f"{PREFIX}@{self.width:g}"
        return head + ":" + "|".join(",".join(stage) for stage in self.stages)

    def cell_ops(self) -> dict[str, list[str]]:
        """One cell type per searchable layer (the space's α layout), each with its one op."""
        return {layer_name(i): [op] for i, op in enumerate(self.layers)}

    def benchmark_key(self) -> str | None:
        return None

    def __str__(self) -> str:
        return self.to_str()


def chain_violations(chain: ChainSpec, architecture: MobileNetArch) -> list[str]:
    """Why ``architecture`` is not a chain of ``chain`` (empty when it is)."""
    if tuple(len(s) for s in architecture.stages) != chain.depths:
        return [f"stages of {tuple(len(s) for s in architecture.stages)} layers; the chain has {chain.depths}"]
    problems = []
    for i, (layer, op) in enumerate(zip(chain.layers(), architecture.layers)):
        if op not in layer.candidates:
            why = " (only shape-keeping layers may be skipped)" if op == SKIP else ""
            problems.append(f"{layer_name(i)}: {op!r} is not a candidate{why}; allowed: {', '.join(layer.candidates)}")
    return problems


def _proxyless_gpu() -> MobileNetArch:
    s = SKIP
    return MobileNetArch((
        ("mbconv_k5_e3", s, s, s),
        ("mbconv_k7_e3", s, s, "mbconv_k3_e3"),
        ("mbconv_k7_e6", s, s, "mbconv_k5_e3"),
        ("mbconv_k5_e6", s, "mbconv_k3_e3", "mbconv_k5_e3"),
        ("mbconv_k7_e6", "mbconv_k7_e6", "mbconv_k7_e6", "mbconv_k5_e6"),
        ("mbconv_k7_e6",),
    ), width=1.35)


PUBLISHED: dict[str, MobileNetArch] = {"ProxylessNAS-GPU": _proxyless_gpu()}
"""Published architectures of the chain, by name (``parse_architecture`` accepts the name).

ProxylessNAS-GPU: the blocks of han-cai/files ``proxylessnas/proxyless_gpu.config`` (the network
``proxyless_gpu`` of mit-han-lab/proxylessnas ``model_zoo.py`` loads; ``ZeroLayer`` + ``IdentityLayer`` =
``skip_connect``). Its widths 40 / 24 / 32, 56, 112, 128, 256, 432 / 1728 are exactly
``make_divisible(1.35 · w, 8)`` of the chain's 32 / 16 / 24, 40, 80, 96, 192, 320 / 1280, hence width 1.35.
Reported: 7.12 M parameters, 465.3 M FLOPs (mit-han-lab/proxylessnas logs/imagenet_gpu_log.txt); r-DARTS
004_… Table 4 lists 7.1 M.
"""
