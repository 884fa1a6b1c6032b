"""In-place ops write through to shared storage; PyTorch's cast and shape rules hold."""

import numpy as np
import pytest

import ember
from ops_helpers import both, sample, to_ember


def _inplace(fn):
    """Apply in-place `fn` to a view of a base tensor; return (base, returned-is-view)."""

    def run(m, base, *args):
        view = base.narrow(0, 1, 2)
        out = fn(m, view, *args)
        return base, out is view

    return run


INPLACE = {
    "iadd": lambda m, v, o: v.__iadd__(o),
    "isub": lambda m, v, o: v.__isub__(o),
    "imul": lambda m, v, o: v.__imul__(o),
    "itruediv": lambda m, v, o: v.__itruediv__(o),
    "ifloordiv": lambda m, v, o: v.__ifloordiv__(o),
    "imod": lambda m, v, o: v.__imod__(o),
    "ipow": lambda m, v, o: v.__ipow__(o),
    "add_": lambda m, v, o: v.add_(o, alpha=2),
    "sub_": lambda m, v, o: v.sub_(o),
    "mul_": lambda m, v, o: v.mul_(o),
    "div_": lambda m, v, o: v.div_(o),
    "div_floor": lambda m, v, o: v.div_(o, rounding_mode="floor"),
    "copy_": lambda m, v, o: v.copy_(o),
    "clamp_": lambda m, v, o: v.clamp_(-1, 1),
    "relu_": lambda m, v, o: v.relu_(),
    "zero_": lambda m, v, o: v.zero_(),
    "fill_": lambda m, v, o: v.fill_(3),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_writes_through_views(torch, name):
    fn = _inplace(lambda m, v, o: INPLACE[name](m, v, o))
    for self_d, other_d in [
        ("float32", "float32"),
        ("int64", "int64"),
        ("float64", "int32"),
        ("int32", "float32"),
        ("uint8", "int64"),
        ("float16", "float32"),
    ]:
        base = sample(self_d, (4, 3), seed=1)
        other = sample(other_d, (3,), seed=2)
        if name in ("itruediv", "ifloordiv", "imod", "div_", "div_floor"):
            other[other == 0] = 3
        if name == "ipow":
            other = np.abs(other) % 3
        rtol = 2e-3 if "float16" in (self_d,) else 1e-6 if name == "ipow" else 0
        try:
            both(torch, fn, base, other, rtol=rtol, atol=rtol)
        except AssertionError as exc:
            raise AssertionError(f"{name} {self_d} {other_d}: {exc}") from None


def test_inplace_with_scalars_and_broadcast_errors(torch):
    both(torch, _inplace(lambda m, v: v.__iadd__(2.5)), sample("float32", (4, 3)))
    both(torch, _inplace(lambda m, v: v.__iadd__(2.5)), sample("int64", (4, 3)))
    both(torch, _inplace(lambda m, v: v.__imul__(True)), sample("int8", (4, 3)))
    both(
        torch,
        _inplace(lambda m, v, o: v.add_(o)),
        sample("float32", (4, 3)),
        sample("float32", (5, 2, 3)),
    )
    both(
        torch,
        _inplace(lambda m, v, o: v.copy_(o)),
        sample("float32", (4, 3)),
        sample("float64", (1, 3)),
    )
    both(
        torch,
        _inplace(lambda m, v, o: v.copy_(o)),
        sample("int32", (4, 3)),
        sample("float32", (2, 3)),
    )
    for target in ("uint8", "int8", "int64"):  # bfloat16 -> integer wraps as torch's does
        both(
            torch,
            _inplace(lambda m, v, o: v.copy_(o)),
            sample(target, (4, 3)),
            sample("bfloat16", (2, 3)) * 40,
        )
    both(torch, _inplace(lambda m, v: v.fill_(2.7)), sample("int64", (4, 3)))
    both(torch, _inplace(lambda m, v: v.clamp_(min=0.5)), sample("int64", (4, 3)))


def test_index_put(torch):
    def put(m, x, i, v):
        x.index_put_((i,), v)
        return x

    def acc(m, x, i, v):
        x.index_put_([i], v, accumulate=True)
        return x

    base = sample("float32", (5, 2))
    both(torch, put, base, np.array([0, 3], np.int64), sample("float32", (2, 2)))
    both(torch, put, base, np.array([4], np.int64), np.array(9.0, np.float32))
    both(torch, acc, base, np.array([1, 1, 2], np.int64), sample("float32", (3, 2)))
    both(torch, put, base, np.array([True, False, True, False, False]), np.array(0.0, np.float32))
    both(torch, put, sample("int64", (5,)), np.array([0]), np.array([2.5], np.float32))


def test_operators_return_same_object_and_share():
    x = to_ember(sample("float32", (3,)))
    y = x
    x += 1
    assert x is y
    z = x.t()
    z *= 2
    assert np.array_equal(x.numpy(), z.numpy())
    v = ember.zeros(4).expand(2, 4)
    assert v.stride() == (0, 1)


def test_remaining_inplace_ops(torch):
    def run(name, *extra):
        def fn(m, x, *args):
            getattr(x, name)(*args, *extra)
            return x

        return fn

    ints = sample("int64", (3, 4))
    both(torch, lambda m, x, y: x.__iand__(y), ints, sample("int64", (4,), seed=4))
    both(torch, lambda m, x, y: x.__ior__(y), ints, sample("int64", (4,), seed=4))
    both(torch, lambda m, x: x.__ixor__(3), ints)
    both(torch, lambda m, x: x.__iand__(True), sample("bool", (3, 4)))
    both(torch, lambda m, x: x.__iand__(1.5), sample("float32", (3, 4)))
    floats = sample("float32", (3, 4))
    both(torch, run("clamp_min_", 0.5), floats)
    both(torch, run("clamp_max_", 0.5), floats)
    both(torch, run("neg_"), floats)
    both(torch, run("fmod_", 1.5), floats)
    both(torch, run("remainder_", -1.5), floats)
    both(torch, run("pow_", 2), floats)
    both(torch, run("fill_"), floats, np.array(4.0, np.float32))
    both(torch, run("fill_"), floats, np.array([4.0], np.float32))
    both(torch, run("floor_divide_", 2), ints)


def test_random_fills():
    ember.manual_seed(1)
    x = ember.zeros(4000)
    assert x.uniform_(-2, 2) is x
    assert float(x.min()) >= -2 and float(x.max()) < 2 and abs(float(x.mean())) < 0.1
    x.normal_(3, 0.5)
    assert abs(float(x.mean()) - 3) < 0.05 and abs(float(x.std()) - 0.5) < 0.05


@pytest.mark.parametrize("accumulate", [False, True])
@pytest.mark.parametrize("pair", [("float32", "float64"), ("float32", "int64"), ("int64", "int32")])
def test_index_put_refuses_other_value_dtypes_like_torch(torch, accumulate, pair):
    dest, src = pair
    for m in (torch, ember):
        t = m.zeros(3, dtype=getattr(m, dest))
        v = m.ones(1, dtype=getattr(m, src))
        with pytest.raises(RuntimeError, match="Index put requires the source and destination"):
            t.index_put_((m.tensor([0]),), v, accumulate=accumulate)
        with pytest.raises(RuntimeError, match="Index put requires the source and destination"):
            t[m.tensor([0])] = v
