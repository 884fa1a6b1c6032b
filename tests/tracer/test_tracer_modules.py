"""Module structure in traces: submodules returning sizes, traced and scripted children,
modules reached from traced functions, and submodule keyword arguments."""

import numpy as np
import pytest

import ember
import ember.jit
import ember.nn as nn


class Rows(nn.Module):
    def forward(self, x):
        return x.size(0)


class UsesRows(nn.Module):
    def __init__(self):
        super().__init__()
        self.rows = Rows()

    def forward(self, x):
        return x.view(self.rows(x), -1)


class Inner(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.Linear(3, 3)

    def forward(self, x, scale=1.0):
        return self.l(x).relu() * scale


def test_submodule_returning_a_size_is_a_method_returning_int():
    traced = ember.jit.trace(UsesRows(), ember.ones(2, 3, 4))
    assert "(rows).forward(x, )" in traced.code
    assert traced.rows.code.endswith("-> int:\n  return torch.size(x, 0)\n")
    assert traced(ember.ones(5, 3, 4)).shape == ember.Size([5, 12])


def test_traced_and_scripted_children_are_recorded_inline():
    for child in (ember.jit.trace(Inner(), ember.ones(2, 3)), ember.jit.script(Inner())):

        class Outer(nn.Module):
            def __init__(self, child=child):
                super().__init__()
                self.inner = child
                self.k = nn.Linear(3, 1)

            def forward(self, x):
                return self.k(self.inner(x))

        outer = Outer()
        traced = ember.jit.trace(outer, ember.ones(2, 3))
        x = ember.randn(5, 3)
        np.testing.assert_allclose(traced(x).numpy(), outer(x).detach().numpy(), rtol=1e-6)
        assert "inner.l" in traced.code


def test_modules_called_from_a_traced_function_become_constants():
    m = nn.Linear(3, 2)

    def f(x):
        return m(x)

    traced = ember.jit.trace(f, ember.ones(2, 3))
    assert "torch.linear(x, CONSTANTS.c" in traced.code
    x = ember.randn(4, 3)
    np.testing.assert_allclose(traced(x).numpy(), m(x).detach().numpy(), rtol=1e-6)


def test_submodule_keyword_arguments_bake_non_tensors():
    class KeywordCall(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = Inner()

        def forward(self, x):
            return self.inner(x=x, scale=2.0)

    module = KeywordCall()
    traced = ember.jit.trace(module, ember.ones(2, 3))
    assert "(inner).forward(x, )" in traced.code
    assert "torch.mul" in traced.inner.code and "2." in traced.inner.code
    x = ember.randn(4, 3)
    np.testing.assert_allclose(traced(x).numpy(), module(x).detach().numpy(), rtol=1e-6)


def test_dict_inputs_are_unpacked_by_key():
    class DictInput(nn.Module):
        def forward(self, batch):
            return batch["a"] * batch["b"].size(0) + batch["b"].sum()

    module = DictInput()
    example = {"a": ember.ones(2, 3), "b": ember.ones(4)}
    traced = ember.jit.trace(module, (example,))
    assert "batch: Dict[str, Tensor]" in traced.code
    fresh = {"a": ember.randn(5, 3), "b": ember.randn(6)}
    np.testing.assert_allclose(traced(fresh).numpy(), module(fresh).numpy(), rtol=1e-6)


def test_list_of_tuples_output():
    def pairs(x):
        return [(x, x + 1), (x * 2, x * 3)]

    traced = ember.jit.trace(pairs, ember.ones(2), strict=False)
    assert "-> List[Tuple[Tensor, Tensor]]" in traced.code
    out = traced(ember.ones(3))
    assert [tuple(float(t.sum()) for t in p) for p in out] == [(3.0, 6.0), (6.0, 9.0)]


def test_hooks_are_removed_even_when_the_traced_code_raises():
    from ember.nn import module as nn_module
    from ember.tensor import dispatch
    from ember.tracer import values

    def broken(x):
        raise ValueError(f"boom at {x * 2}")

    with pytest.raises(ValueError, match="boom"):
        ember.jit.trace(broken, ember.ones(2))
    assert dispatch._hook[0] is None and nn_module._call_hook[0] is None
    assert values.ACTIVE[0] is None
    assert type(ember.ones(2).size(0)) is int
    ember.jit.trace(lambda x: x + 1, ember.ones(2))  # a later trace works


def test_tensors_stored_on_modules_while_tracing_are_plain_afterwards():
    class Caches(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("total", ember.zeros(2))

        def forward(self, x):
            self.total = self.total + x
            self.last = x * 2
            return self.total

    module = Caches()
    ember.jit.trace(module, ember.ones(2), check_trace=False)
    assert type(module.total) is ember.Tensor and type(module.last) is ember.Tensor
