import pytest

from searchcore.architectures.darts import DARTS_EDGES
from searchcore.architectures.nb201 import NB201_EDGES
from searchcore.families import FAMILIES
from searchcore.ops import OPS
from searchcore.registry import UnknownNameError
from searchcore.spaces import SPACES, get_space


@pytest.mark.parametrize("name", SPACES.names())
def test_every_space_belongs_to_a_registered_family_and_is_rectangular(name):
    space = get_space(name)
    assert FAMILIES.get(space.family.name) is space.family
    for cell in space.cells:
        assert cell.num_edges == len(space.edges) and {len(ops) for ops in cell.edge_ops} == {cell.num_ops}


def test_unknown_space_names_the_allowed_ones():
    with pytest.raises(UnknownNameError, match="allowed: darts, darts7, mobilenet, nb201, s1"):
        get_space("s9")


def test_nb201_layout_is_the_official_one():
    space = get_space("nb201")
    assert NB201_EDGES == ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))
    assert space.cells[0].edge_ops[0] == ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
    assert (space.cells[0].num_edges, space.cells[0].num_ops) == (6, 5)


def test_darts_edges_run_node_by_node():
    assert len(DARTS_EDGES) == 14
    assert DARTS_EDGES[:5] == ((2, 0), (2, 1), (3, 0), (3, 1), (3, 2))
    assert DARTS_EDGES[-1] == (5, 4)


@pytest.mark.parametrize(
    ("name", "ops"),
    [
        ("darts", 8), ("darts7", 7), ("s2", 2), ("s3", 3), ("s4", 2), ("s5", 4),
    ],
)
def test_darts_family_sizes(name, ops):
    space = get_space(name)
    assert space.family.name == "darts" and space.edges == DARTS_EDGES
    assert space.cell_types == ("normal", "reduce")
    assert all(c.num_edges == 14 and c.num_ops == ops for c in space.cells)


def test_s1_per_edge_sets_match_robustdarts():
    s1 = get_space("s1")
    normal, reduce = s1.cell("normal").edge_ops, s1.cell("reduce").edge_ops
    assert normal[0] == ("skip_connect", "dil_conv_3x3")
    assert normal[5] == ("max_pool_3x3", "skip_connect")
    assert normal[13] == ("dil_conv_3x3", "dil_conv_5x5")
    assert reduce[1] == ("max_pool_3x3", "dil_conv_3x3")
    assert reduce[6] == ("max_pool_3x3", "sep_conv_3x3")
    # edges with no parametric op never mutate in EM-DARTS (reference-notes §9)
    no_param = lambda cell: [e for e, row in enumerate(cell.parametric_mask()) if not any(row)]  # noqa: E731
    assert no_param(s1.cell("normal")) == [5, 10]
    assert no_param(s1.cell("reduce")) == [0, 2, 3, 5, 9, 10]


def test_s4_has_the_noise_op_and_s5_is_parametric_only():
    assert get_space("s4").cells[0].edge_ops[0] == ("noise", "sep_conv_3x3")
    assert all(all(row) for row in get_space("s5").cells[0].parametric_mask())


def test_parametric_is_a_property_of_the_op():
    assert [OPS.get(n).parametric for n in ("none", "skip_connect", "noise", "avg_pool_3x3", "max_pool_3x3")] == [
        False] * 5
    assert all(OPS.get(n).parametric for n in ("nor_conv_1x1", "nor_conv_3x3", "sep_conv_3x3", "dil_conv_5x5"))
