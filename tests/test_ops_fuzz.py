"""Randomised cross-checks against torch 2.13: broadcast shapes, dtypes, scalars, views."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from test_ops_helpers import DTYPES, both, sample

OPS = {
    "add": lambda m, a, b: a + b,
    "sub": lambda m, a, b: a - b,
    "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b,
    "floordiv": lambda m, a, b: a // b,
    "mod": lambda m, a, b: a % b,
    "lt": lambda m, a, b: a < b,
    "eq": lambda m, a, b: a == b,
    "max": lambda m, a, b: m.maximum(a, b),
    "where": lambda m, a, b: m.where(a > 0, a, b),
}
EXACT_DTYPES = [d for d in DTYPES if d not in ("float16", "bfloat16")]

dims = st.integers(min_value=0, max_value=3)


@st.composite
def broadcast_pair(draw):
    rank = draw(st.integers(min_value=0, max_value=3))
    shape = [draw(dims) for _ in range(rank)]
    other = [s if draw(st.booleans()) else 1 for s in shape]
    cut = draw(st.integers(min_value=0, max_value=rank))
    return tuple(shape), tuple(other[cut:])


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(OPS)),
    shapes=broadcast_pair(),
    da=st.sampled_from(EXACT_DTYPES),
    db=st.sampled_from(EXACT_DTYPES),
    swap=st.booleans(),
    transpose=st.booleans(),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_binary_ops_fuzz(torch, name, shapes, da, db, swap, transpose, seed):
    a = sample(da, shapes[0], seed=seed)
    b = sample(db, shapes[1], seed=seed + 1)
    if name in ("div", "floordiv", "mod"):
        b = np.where(b == 0, np.ones_like(b), b)
    if swap:
        a, b = b, a
    fn = OPS[name]
    if transpose and a.ndim >= 2:
        both(torch, lambda m, x, y: fn(m, x.transpose(0, 1).transpose(0, 1), y), a, b)
    else:
        both(torch, fn, a, b)


@settings(max_examples=40, deadline=None)
@given(
    d=st.sampled_from(EXACT_DTYPES),
    scalar=st.one_of(
        st.integers(min_value=-300, max_value=300),
        st.floats(min_value=-1e3, max_value=1e3, allow_nan=False),
        st.booleans(),
    ),
    name=st.sampled_from(["add", "sub", "mul", "div", "lt", "eq"]),
    rank=st.integers(min_value=0, max_value=2),
)
def test_scalar_ops_fuzz(torch, d, scalar, name, rank):
    a = sample(d, (3,) * rank, seed=rank)
    both(torch, OPS[name], a, scalar)


@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=4),
    data=st.data(),
)
def test_reductions_fuzz(torch, shape, data):
    a = sample("float64", tuple(shape), seed=len(shape))
    dim = data.draw(st.integers(min_value=-len(shape), max_value=len(shape) - 1))
    keep = data.draw(st.booleans())
    both(torch, lambda m, x: x.sum(dim, keepdim=keep), a, rtol=1e-12)
    both(torch, lambda m, x: tuple(x.max(dim, keepdim=keep)), a)
    both(torch, lambda m, x: x.var(dim, keepdim=keep), a, rtol=1e-10, atol=1e-12)
    both(torch, lambda m, x: x.softmax(dim), a, rtol=1e-12)
