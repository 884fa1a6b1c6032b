"""Randomised cross-checks against torch 2.13: broadcast shapes, dtypes, scalars, views."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ops_helpers import DTYPES, both, sample

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


VIEW_STEPS = ["t", "transpose", "unsqueeze", "squeeze", "narrow", "select", "flatten", "view",
              "expand", "permute", "reshape"]  # fmt: skip


def _apply(step, x, k):
    n = x.dim()
    if step == "t":
        return x.t() if n <= 2 else x
    if step == "transpose":
        return x.transpose(k % max(n, 1) - n if n else 0, 0) if n else x
    if step == "unsqueeze":
        return x.unsqueeze(k % (n + 1))
    if step == "squeeze":
        return x.squeeze()
    if step == "narrow":
        if not n or x.shape[k % n] == 0:
            return x
        d = k % n
        return x.narrow(d, k % x.shape[d], 1 if x.shape[d] > 1 else x.shape[d])
    if step == "select":
        if not n or x.shape[k % n] == 0:
            return x
        return x.select(k % n, -1)
    if step == "flatten":
        return x.flatten(min(k % max(n, 1), max(n - 1, 0)))
    if step == "view":
        return x.view(-1) if x.is_contiguous() else x
    if step == "expand":
        return x.unsqueeze(0).expand(2, *x.shape)
    if step == "permute":
        return x.permute(*reversed(range(n))) if n else x
    return x.reshape(-1)


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.tuples(st.sampled_from(VIEW_STEPS), st.integers(0, 7)), max_size=5))
def test_view_chains_match_torch_strides(torch, steps):
    arr = sample("float32", (2, 3, 4), seed=5)
    import ember

    base_e, base_t = ember.from_numpy(arr.copy()), torch.from_numpy(arr.copy())
    e, t = base_e, base_t
    for step, k in steps:
        e, t = _apply(step, e, k), _apply(step, t, k)
        assert tuple(e.shape) == tuple(t.shape), (step, k)
        if t.numel() > 1:
            assert e.stride() == t.stride(), (step, k, e.stride(), t.stride())
        assert e.storage_offset() == t.storage_offset(), (step, k)
        np.testing.assert_array_equal(np.asarray(e.numpy()), t.numpy())
    if 0 not in e.stride() or e.numel() <= 1:
        e.mul_(2).add_(1)
        t.mul_(2).add_(1)
        np.testing.assert_array_equal(base_e.numpy(), base_t.numpy())


shapes = st.lists(st.integers(min_value=0, max_value=3), min_size=0, max_size=3).map(tuple)


@settings(max_examples=60, deadline=None)
@given(
    shape=shapes,
    d=st.sampled_from(DTYPES),
    name=st.sampled_from(["sum", "mean", "prod", "amax", "any", "all", "argmax", "std", "cumsum"]),
    data=st.data(),
)
def test_reductions_over_dims_fuzz(torch, shape, d, name, data):
    a = sample(d, shape, seed=len(shape))
    n = len(shape)
    dim = data.draw(st.integers(min_value=-max(n, 1), max_value=max(n, 1) - 1))
    keep = data.draw(st.booleans())
    calls = {
        "sum": lambda m, x: x.sum(dim, keepdim=keep),
        "mean": lambda m, x: x.mean(dim, keepdim=keep),
        "prod": lambda m, x: x.prod(dim, keepdim=keep),
        "amax": lambda m, x: tuple(x.max(dim, keepdim=keep)),
        "any": lambda m, x: x.any(dim, keepdim=keep),
        "all": lambda m, x: x.all(dim, keepdim=keep),
        "argmax": lambda m, x: x.argmax(dim, keepdim=keep),
        "std": lambda m, x: x.std(dim, keepdim=keep),
        "cumsum": lambda m, x: x.cumsum(dim),
    }
    tol = {"float16": 4e-3, "bfloat16": 3e-2, "float64": 1e-12}.get(d, 1e-5)
    both(torch, calls[name], a, rtol=tol, atol=tol)


@settings(max_examples=50, deadline=None)
@given(
    shape=shapes,
    d=st.sampled_from(DTYPES),
    name=st.sampled_from(["exp", "sqrt", "sigmoid", "tanh", "relu", "neg", "abs", "floor",
                          "sign", "logical_not", "erf", "float", "long", "bool", "half"]),
)  # fmt: skip
def test_unary_fuzz(torch, shape, d, name):
    a = sample(d, shape, seed=len(shape) + 3)
    tol = {"float16": 4e-3, "bfloat16": 3e-2, "float64": 1e-12}.get(d, 4e-6)
    both(torch, lambda m, x: getattr(x, name)(), a, rtol=tol, atol=tol)


@settings(max_examples=50, deadline=None)
@given(
    ra=st.integers(min_value=1, max_value=4),
    rb=st.integers(min_value=1, max_value=4),
    data=st.data(),
)
def test_matmul_fuzz(torch, ra, rb, data):
    k = data.draw(st.integers(min_value=0, max_value=3))
    batch = [data.draw(st.sampled_from([1, 2])) for _ in range(max(ra, rb) - 2)]
    sa = tuple(batch[len(batch) - (ra - 2) :] if ra > 2 else ()) + ((2, k) if ra > 1 else (k,))
    sb = tuple(batch[len(batch) - (rb - 2) :] if rb > 2 else ()) + ((k, 3) if rb > 1 else (k,))
    both(torch, lambda m, x, y: x @ y, sample("float64", sa), sample("float64", sb), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=3),
    dtypes_=st.lists(st.sampled_from(DTYPES), min_size=1, max_size=3),
    dim=st.integers(min_value=-2, max_value=1),
    stack=st.booleans(),
)
def test_cat_stack_fuzz(torch, n, dtypes_, dim, stack):
    arrays = [sample(d, (2, n), seed=i) for i, d in enumerate(dtypes_)]
    if stack:
        both(torch, lambda m, *xs: m.stack(xs, dim), *arrays)
    else:
        both(torch, lambda m, *xs: m.cat(xs, dim), *arrays)


numbers = st.one_of(
    st.integers(min_value=-20, max_value=20),
    st.floats(min_value=-20, max_value=20, allow_nan=False).map(lambda v: round(v, 3)),
)


@settings(max_examples=80, deadline=None)
@given(start=numbers, end=numbers, step=numbers, steps=st.integers(min_value=0, max_value=7))
def test_creation_fuzz(torch, start, end, step, steps):
    if step != 0 and abs((end - start) / step) < 1000:
        both(torch, lambda m: m.arange(start, end, step), rtol=1e-6, atol=1e-6)
    both(torch, lambda m: m.arange(abs(end)), rtol=1e-6)
    both(torch, lambda m: m.linspace(start, end, steps), rtol=1e-5, atol=1e-5)
    both(torch, lambda m: m.full((2,), start))


@settings(max_examples=60, deadline=None)
@given(
    da=st.sampled_from(DTYPES),
    db=st.sampled_from(DTYPES),
    name=st.sampled_from(["__iadd__", "__isub__", "__imul__", "__itruediv__", "copy_"]),
    scalar=st.one_of(st.none(), st.integers(-3, 3), st.floats(-3, 3, allow_nan=False)),
)
def test_inplace_fuzz(torch, da, db, name, scalar):
    base = sample(da, (3, 4), seed=2)
    other = sample(db, (4,), seed=3)

    def run(m, x, y):
        v = x.narrow(0, 1, 2)
        arg = y if scalar is None or name == "copy_" else scalar
        getattr(v, name)(arg)
        return x

    tol = 4e-3 if "float16" in (da, db) or "bfloat16" in (da, db) else 1e-6
    both(torch, run, base, other, rtol=tol, atol=tol)


special = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 7.0, -7.0, 1e30, -1e-30,
                           float("inf"), float("-inf"), float("nan")])  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(
    xs=st.lists(special, min_size=1, max_size=6),
    ys=st.lists(special, min_size=1, max_size=6),
    d=st.sampled_from(["float32", "float64", "float16"]),
    name=st.sampled_from(["truediv", "floordiv", "mod", "fmod", "trunc", "pow", "max", "clamp"]),
)
def test_float_special_values_fuzz(torch, xs, ys, d, name):
    n = min(len(xs), len(ys))
    a, b = np.array(xs[:n], d), np.array(ys[:n], d)
    calls = {
        "truediv": lambda m, x, y: x / y,
        "floordiv": lambda m, x, y: x // y,
        "mod": lambda m, x, y: x % y,
        "fmod": lambda m, x, y: m.fmod(x, y),
        "trunc": lambda m, x, y: m.div(x, y, rounding_mode="trunc"),
        "pow": lambda m, x, y: x**y,
        "max": lambda m, x, y: m.maximum(x, y),
        "clamp": lambda m, x, y: m.clamp(x, min=y),
    }
    both(torch, calls[name], a, b, rtol=1e-6 if name == "pow" else 0)


@settings(max_examples=60, deadline=None)
@given(
    xs=st.lists(st.integers(-9, 9), min_size=1, max_size=6),
    ys=st.lists(st.integers(-3, 3), min_size=1, max_size=6),
    d=st.sampled_from(["int8", "int16", "int32", "int64", "uint8"]),
    name=st.sampled_from(["floordiv", "mod", "fmod", "trunc", "pow", "rshift_like"]),
)
def test_integer_division_family_fuzz(torch, xs, ys, d, name):
    n = min(len(xs), len(ys))
    a = np.array(xs[:n]).astype(d)
    b = np.array(ys[:n]).astype(d)
    calls = {
        "floordiv": lambda m, x, y: x // y,
        "mod": lambda m, x, y: x % y,
        "fmod": lambda m, x, y: m.fmod(x, y),
        "trunc": lambda m, x, y: m.div(x, y, rounding_mode="trunc"),
        "pow": lambda m, x, y: x ** y.abs() if d != "uint8" else x**y,
        "rshift_like": lambda m, x, y: (x & y) | (x ^ y),
    }
    both(torch, calls[name], a, b)


@settings(max_examples=60, deadline=None)
@given(
    xs=st.lists(st.floats(-1e4, 1e4, allow_nan=False, width=32), min_size=1, max_size=8),
    src=st.sampled_from(["float32", "float64", "float16", "bfloat16"]),
    dst=st.sampled_from(["float16", "bfloat16", "float32", "int32", "int16", "bool", "float64"]),
)
def test_conversion_fuzz(torch, xs, src, dst):
    import ember

    a = np.array(xs, np.float64).astype(ember.dtypes.by_name(src).np)
    if dst == "int16":
        a = np.clip(a.astype(np.float64), -3e4, 3e4).astype(a.dtype)
    both(torch, lambda m, x: x.to(getattr(m, dst)), a)
