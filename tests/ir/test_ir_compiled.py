"""The IR tools on real compiler output: every graph of the jit corpus prints as `.code`,
survives dead-code elimination, cloning and inlining as valid IR, and still runs correctly."""

import numpy as np
import pytest
from tests.corpus import CASES

import ember
from ember.ir import verify
from ember.ir.code_printer import code_text
from ember.ir.passes import eliminate_dead_code


def _same(a, b):
    if isinstance(a, ember.Tensor):
        np.testing.assert_allclose(a._np, b._np, rtol=1e-6, atol=1e-6)
    elif isinstance(a, tuple | list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert a == b


_SEEN: set = set()


def _new_graphs():
    from ember.compiler.driver import default_compiler

    fresh = [g for g in default_compiler().unit.graphs() if id(g) not in _SEEN]
    _SEEN.update(id(g) for g in fresh)
    return fresh


@pytest.mark.parametrize("make, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_passes_on_compiled_graphs(make, inputs):
    obj = make()
    args = inputs()
    scripted = ember.jit.script(obj)
    for g in _new_graphs():
        before = code_text(g)
        eliminate_dead_code(g)
        verify(g)
        assert code_text(g).startswith(before.split("\n", 1)[0])  # same signature
    _same(obj(*args), scripted(*args))


def test_clone_and_inline_on_compiled_graphs():
    from ember.compiler.driver import default_compiler, reset
    from ember.ir.inline import clone_graph, inline_calls

    for _, make, _ in CASES:
        ember.jit.script(make())
    unit = default_compiler().unit
    inlined = 0
    for g in unit.graphs():
        copy = clone_graph(g)
        verify(copy)
        assert str(copy) == str(g)
        inlined += inline_calls(g, unit)
        verify(g)
    assert inlined > 0
    try:
        for _, make, inputs in CASES:
            obj, args = make(), inputs()
            scripted = ember.jit.script(obj)  # before running obj: some cases keep state
            _same(obj(*args), scripted(*args))
    finally:
        reset()  # later tests compile afresh instead of reusing the inlined graphs
