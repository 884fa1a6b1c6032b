"""Traced code is archive code: `.code` of a traced function compiles again through the
compiler's CodeUnit (as `ember.jit.load` will read it) and runs like the eager function on
inputs of another batch size."""

import math

import numpy as np
import pytest
from tests.loading import load_function

import ember
import ember.jit
from ember.compiler.modules.archive import CodeUnit
from ember.ir.code_printer import code_text

SCALE = ember.tensor([1.0, -2.0, 0.5, 3.0])

FUNCTIONS = {
    "sizes": lambda x: x.view(x.size(0) * 2 // 2, -1) + x.shape[1],
    "max_of_chunks": lambda x: ember.max(ember.stack(x.chunk(2, 1), 0).sum(0), 1),
    "cat_zeros": lambda x: ember.cat([x, ember.zeros(x.size(0), 1)], 1).contiguous(),
    "size_over_tensor": lambda x: x.size(0) / (x.abs() + 1) + x.size(0) // (x.abs() + 3),
    "keepdim_dtype": lambda x: x.sum(0, keepdim=True).to(ember.float64),
    "indexing": lambda x: x[1:, None][..., 0].t() @ x[1:],
    "constant": lambda x: x * SCALE - SCALE.sum(),
    "pair": lambda x: (x.relu(), x.softmax(1)),
    "float_sizes": lambda x: x * (x.size(0) * 0.5) + x.size(1) / 2 - x.size(1) ** 0.5,
    "int_operators": lambda x: x[: math.floor(x.size(0) * 0.5)] * abs(-x.size(1)),
    "index_tensors": lambda x: x[x.sum().long() % 3] + x[: x.size(0) >> 1].sum(),
    "truncation": lambda x: x[: math.trunc(x.size(0) / 3) & 7],
    "whole_list": lambda x: ember.cat(x.chunk(x.size(0)), 1),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_traced_code_compiles_again_and_generalises(name):
    fn = FUNCTIONS[name]

    def traced_fn(x):
        return fn(x)

    traced_fn.__name__ = name
    traced = ember.jit.trace(traced_fn, ember.randn(4, 4))
    constants = []
    source = code_text(traced.graph, constants=constants)
    unit = CodeUnit({"__torch__": source}.get, constants=constants)
    again = load_function(unit, f"__torch__.{name}")
    x = ember.randn(6, 4)
    expected, got = fn(x), again(x)
    if not isinstance(expected, tuple):
        expected, got = (expected,), (got,)
    for e, g in zip(expected, got, strict=True):
        assert g.dtype == e.dtype
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-6, atol=1e-6)
