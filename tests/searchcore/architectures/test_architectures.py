import pytest
import torch

from searchcore.architectures import Architecture, architecture_ops
from searchcore.architectures.darts import GENOTYPES, derive_darts_cell, genotype_from_masks, parse_genotype
from searchcore.architectures.nb201 import NB201Arch, nb201_arch_str, parse_nb201_arch
from searchcore.spaces import get_space

OPTIMUM = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def test_arch_string_round_trip_and_errors():
    ops = parse_nb201_arch(OPTIMUM)
    assert ops == ["nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "skip_connect", "nor_conv_3x3", "nor_conv_3x3"]
    assert nb201_arch_str(ops) == OPTIMUM
    with pytest.raises(ValueError, match="node 2"):
        parse_nb201_arch("|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    with pytest.raises(ValueError, match="bad edge"):
        parse_nb201_arch(OPTIMUM.replace("skip_connect~0", "conv~0"))


def test_genotype_text_round_trip():
    v2 = GENOTYPES.get("DARTS_V2")
    assert parse_genotype(v2.to_str()) == v2 and parse_genotype("DARTS_V2") == v2
    with pytest.raises(ValueError, match="DARTS_V1"):
        parse_genotype("not a genotype")


def test_nb201_argmax_can_pick_none_unless_excluded():
    space = get_space("nb201")
    w = torch.full((6, 5), 0.1)
    w[:, 0] = 0.5  # 'none' strongest everywhere
    w[:, 3] = 0.3
    derive = space.family.derive
    assert derive(space, {"cell": w}, exclude_none=False).ops == ("none",) * 6
    assert derive(space, {"cell": w}, exclude_none=True).to_str() == nb201_arch_str(["nor_conv_3x3"] * 6)


def test_darts_parse_keeps_two_strongest_non_none_inputs_and_skips_removed_edges():
    space = get_space("darts")
    cell = space.cell("normal")
    w = torch.full((14, 8), 0.01)
    w[:, 0] = 0.9  # 'none' never counts
    w[0, 4], w[1, 5] = 0.5, 0.4  # node 2: sep3 from 0, sep5 from 1
    w[2, 3], w[3, 6], w[4, 7] = 0.2, 0.6, 0.3  # node 3: dil3 from 1 and dil5 from 2
    w[5:9] = 0.0
    w[6, 4], w[8, 4] = 0.7, 0.6  # node 4: inputs 0 and 2 removed; keep 1 and 3
    w[6, 0] = 0.0
    w[13] = torch.tensor([1.0, 0, 0, 0, 0, 0, 0, 0])  # decided to 'none': never kept
    gene = derive_darts_cell(cell, space.edges, w)
    assert gene[:2] == [("sep_conv_3x3", 0), ("sep_conv_5x5", 1)]
    assert gene[2:4] == [("dil_conv_3x3", 1), ("dil_conv_5x5", 2)]
    assert gene[4:6] == [("sep_conv_3x3", 1), ("sep_conv_3x3", 3)]
    assert ("none", 4) not in gene and all(op != "none" for op, _ in gene)


def test_both_kinds_follow_the_architecture_protocol():
    nb = NB201Arch.parse(OPTIMUM)
    v2 = GENOTYPES.get("DARTS_V2")
    for arch in (nb, v2):
        assert isinstance(arch, Architecture)
    assert nb.to_str() == OPTIMUM and nb.benchmark_key() == OPTIMUM and nb.cell_ops() == {"cell": list(nb.ops)}
    assert v2.benchmark_key() is None and list(v2.cell_ops()) == ["normal", "reduce"]
    assert architecture_ops(v2)[:2] == ["sep_conv_3x3", "sep_conv_3x3"] and len(architecture_ops(v2)) == 16


def test_genotype_from_masks_keeps_every_survivor_even_on_one_input():
    space = get_space("s2")  # skip_connect, sep_conv_3x3
    masks = {c: torch.zeros(14, 2) for c in ("normal", "reduce")}
    for c in masks:
        masks[c][0] = 1.0  # node 2: both ops from input 0
        for node in (3, 4, 5):
            masks[c][space.node_edges(node)[0], 1] = 1.0
            masks[c][space.node_edges(node)[1], 0] = 1.0
    g = genotype_from_masks(space, masks)
    assert g.normal[:2] == [("skip_connect", 0), ("sep_conv_3x3", 0)] and len(g.normal) == 8
