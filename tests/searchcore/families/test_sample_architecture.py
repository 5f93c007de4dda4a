"""``SpaceFamily.sample_architecture``: the random-sampling baseline's draw, for every registered space.

Spaces come from the registry, so a space registered later (or by a plugin) is covered without editing
this file; a family that has no sampler is skipped with the reason.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from searchcore.families import SpaceFamily
from searchcore.families.sampling import uniform_index, uniform_subset
from searchcore.spaces import SPACES, SearchSpace


def _space(name: str) -> SearchSpace:
    space = SPACES.get(name)
    if type(space.family).sample_architecture is SpaceFamily.sample_architecture:
        pytest.skip(f"family {space.family.name!r} has no sample_architecture")
    return space


def _draws(space: SearchSpace, n: int, seed: int = 0) -> list:
    generator = torch.Generator().manual_seed(seed)
    return [space.family.sample_architecture(space, generator) for _ in range(n)]


def _darts_spaces() -> list[str]:
    return [n for n in SPACES.names() if SPACES.get(n).family.name == "darts"]


# ---------------------------------------------------------------- every space


@pytest.mark.parametrize("name", SPACES.names())
def test_every_space_samples_architectures_its_family_accepts(name):
    space = _space(name)
    for arch in _draws(space, 50) + [space.family.sample_architecture(space, np.random.default_rng(s))
                                     for s in range(10)]:
        assert space.family.check_architecture(space, arch) == []
        assert space.family.parse_architecture(arch.to_str()) == arch  # the text form reads back
        for ops in arch.cell_ops().values():
            assert set(ops) <= set(space.all_ops())


@pytest.mark.parametrize("name", SPACES.names())
def test_the_same_seed_draws_the_same_architecture_and_other_seeds_differ(name):
    space = _space(name)
    assert _draws(space, 5, seed=3) == _draws(space, 5, seed=3)
    assert len({a.to_str() for a in _draws(space, 20, seed=0)}) > 1
    assert _draws(space, 1, seed=0) != _draws(space, 1, seed=1)


def test_the_draw_ignores_the_global_rng():
    space = SPACES.get("nb201")
    torch.manual_seed(0)
    a = _draws(space, 3, seed=7)
    torch.manual_seed(123)
    torch.rand(10)
    assert _draws(space, 3, seed=7) == a


# ---------------------------------------------------------------- NB201: uniform over the 15,625 cells


def test_nb201_draws_every_op_on_every_edge_uniformly_none_included():
    space = SPACES.get("nb201")
    n = 5000
    draws = _draws(space, n)
    ops = space.cells[0].edge_ops
    for e in range(len(space.edges)):
        counts = Counter(a.ops[e] for a in draws)
        assert set(counts) == set(ops[e]), (e, counts)  # none too: the benchmark's 5 ops
        expected = n / len(ops[e])  # 1000; binomial sd ~28, so +-15% is over 5 sd
        assert all(abs(c - expected) < 0.15 * expected for c in counts.values()), (e, counts)


# ---------------------------------------------------------------- DARTS family: §2.4 cells


@pytest.mark.parametrize("name", _darts_spaces())
def test_darts_cells_have_two_distinct_earlier_inputs_per_node_and_never_none(name):
    space = _space(name)
    for g in _draws(space, 100):
        assert g.normal_concat == g.reduce_concat == [2, 3, 4, 5]
        for pairs in (g.normal, g.reduce):
            assert len(pairs) == 8
            assert all(op != "none" for op, _ in pairs)
            for k, node in enumerate(range(2, 6)):
                inputs = [j for _, j in pairs[2 * k:2 * k + 2]]
                assert len(set(inputs)) == 2 and all(0 <= j < node for j in inputs), (node, inputs)


@pytest.mark.parametrize("name", ["darts", "s1", "s3", "s5"])
def test_darts_inputs_and_ops_are_uniform(name):
    """Each predecessor is an input with probability 2/m (m predecessors); each op of a chosen edge
    (its candidates without none, per edge in S1) appears with probability 1/|ops|."""
    space = _space(name)
    n = 3000
    draws = _draws(space, n)
    for cell in space.cells:
        inputs: Counter = Counter()
        ops_on: dict[int, Counter] = {}
        for g in draws:
            for k, (op, j) in enumerate(getattr(g, cell.name)):
                e = space.edges.index((2 + k // 2, j))
                inputs[e] += 1
                ops_on.setdefault(e, Counter())[op] += 1
        for e, (node, _) in enumerate(space.edges):
            expected = n * 2 / node  # node has `node` predecessors: 0 .. node-1
            assert abs(inputs[e] - expected) < 0.15 * expected, (cell.name, e, inputs[e], expected)
            allowed = [op for op in cell.edge_ops[e] if op != "none"]
            assert set(ops_on[e]) == set(allowed), (cell.name, e, ops_on[e])
            per_op = inputs[e] / len(allowed)
            assert all(abs(c - per_op) < 0.25 * per_op for c in ops_on[e].values()), (cell.name, e, ops_on[e])


# ---------------------------------------------------------------- the generator helpers and the base


@pytest.mark.parametrize("make", [lambda: torch.Generator().manual_seed(0), lambda: np.random.default_rng(0)])
def test_uniform_helpers_take_both_generators(make):
    g = make()
    assert all(0 <= uniform_index(g, 3) < 3 for _ in range(50))
    subsets = [uniform_subset(g, 4, 2) for _ in range(600)]
    assert all(len(set(s)) == 2 and s == sorted(s) for s in subsets)
    assert len(Counter(tuple(s) for s in subsets)) == 6  # every 2-subset of 4 occurs
    with pytest.raises(ValueError, match="distinct"):
        uniform_subset(g, 1, 2)


def test_uniform_helpers_reject_other_generators():
    with pytest.raises(TypeError, match="torch.Generator or numpy"):
        uniform_index(np.random.RandomState(0), 3)  # the legacy global-style API is not accepted


def test_a_family_without_a_sampler_says_so():
    class NoSampler(SpaceFamily):
        name = "no-sampler"
        description = "test"
        build_supernet = derive = from_masks = parse_architecture = network_defaults = build_network = None

    with pytest.raises(NotImplementedError, match="no-sampler.*override NoSampler.sample_architecture"):
        NoSampler().sample_architecture(SPACES.get("nb201"), torch.Generator())
