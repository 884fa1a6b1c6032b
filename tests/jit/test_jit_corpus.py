"""Every corpus case runs eagerly and scripted with equal results, and its IR verifies."""

import numpy as np
import pytest
from tests.corpus import CASES

import ember
from ember.ir import verify


def _same(a, b):
    if isinstance(a, ember.Tensor):
        assert isinstance(b, ember.Tensor)
        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a._np, b._np, rtol=1e-6, atol=1e-6)
    elif isinstance(a, tuple | list):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert type(a) is type(b) and a == b


def test_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("make, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_scripted_matches_eager(make, inputs):
    obj = make()
    args = inputs()
    scripted = ember.jit.script(obj)
    verify(scripted.graph)
    _same(obj(*args), scripted(*args))


def test_every_compiled_graph_verifies():
    from ember.compiler.driver import default_compiler

    for _, make, _ in CASES:
        ember.jit.script(make())
    graphs = default_compiler().unit.graphs()
    assert len(graphs) >= 30
    for g in graphs:
        verify(g)
