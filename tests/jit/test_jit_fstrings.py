"""f-strings anywhere an expression goes (``aten::format``), and their messages."""

import pytest
from tests.corpus.gaps import describe

import ember


def test_fstring_graph():
    g = str(ember.jit.script(describe).graph)
    assert 'str = prim::Constant[value="{}-d"]()' in g
    assert 'prim::Constant[value="n={}, {}, {literal} {}"]()' in g  # as torch
    assert g.count("aten::format(") == 4


def test_fstring_messages_match_eager():
    s = ember.jit.script(describe)
    x = ember.ones(2, 3)
    assert s(x, 4) == describe(x, 4) == "n=4, 2-d, {literal} 5!3"
    with pytest.raises(ValueError, match="n too big: 101"):
        describe(x, 101)
    with pytest.raises(ValueError, match="n too big: 101"):
        s(x, 101)


def test_assert_message_is_formatted():
    def f(n: int):
        assert n > 0, f"n must be positive, got {n}"
        return n

    with pytest.raises(AssertionError, match="n must be positive, got -1"):
        ember.jit.script(f)(-1)


def test_format_spec_is_a_located_error():
    def f(x: float) -> str:
        return f"{x:.2f}"

    with pytest.raises(ember.CompileError) as e:
        ember.jit.script(f)
    text = str(e.value)
    assert "format specs and conversions in f-strings are not supported" in text
    assert 'return f"{x:.2f}"' in text


def test_assert_message_only_computed_on_failure():
    def f(n: int, xs: list[int]):
        assert n > 0, f"bad {xs[5]}"
        return n

    s = ember.jit.script(f)
    assert s(1, [1]) == f(1, [1]) == 1  # xs[5] would raise if the message were built
    with pytest.raises(IndexError):
        s(0, [1])
