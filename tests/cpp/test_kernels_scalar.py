"""The C++ kernels on plain values (ints, floats, bools, strs, lists, dicts, tuples, devices)
against ember's Python kernels of the same operators.

Every operator of the op table whose arguments and results hold no tensor is run on argument
tuples drawn from samples of its schema's argument types (negative numbers, zeros, infinities,
NaN, int64 extremes, empty and non-ASCII strings, empty lists and dicts, out-of-range indices),
through `ember.cpp._call_op` and through the op's Python kernel. Results must be equal (floats
bit for bit, math functions within 1e-12 relative), and where Python raises the C++ kernel must
raise with Python's message. Where the two runtimes mean to differ the expectation says so:
ints wrap at 64 bits in C++ (TorchScript's ints), Python's float ** overflow gives inf.
"""

from __future__ import annotations

import copy
import itertools
import math
import random

import pytest

import ember
import ember.cpp
import ember.nn as nn
from ember.ops import table
from ember.ops.kernels import load

load()

_STRUCTURAL = ["prim::ListConstruct", "prim::ListUnpack", "prim::TupleConstruct",
               "prim::TupleUnpack", "prim::DictConstruct", "prim::RaiseException",
               "prim::Uninitialized", "prim::unchecked_cast"]  # fmt: skip
# aten::warn and prim::Print have tests of their own.
VALUE_OPS = sorted(
    op.qualified_name for op in table.all_ops() if op.value_only and "structural" not in op.traits
)
_OWN_TESTS = {"aten::warn", "prim::Print"}
NAN, INF = math.nan, math.inf
INTS = [0, 1, -1, 2, 3, -7, 7, 10, 63, 64, 2**53 + 1, 2**62, 2**63 - 1, -(2**63)]
FLOATS = [0.0, -0.0, 0.5, -1.5, 2.0, 3.0, -7.25, 0.1, 1e-310, 1e16, 1e300, -1e300, INF, -INF, NAN]
STRS = ["", "a", "abc", "a b  c ", " \t x\ny  ", "héllo wörld", "aXa", "12", "--", "日本語"]
SAMPLES = {
    "int": INTS,
    "float": FLOATS,
    "bool": [True, False],
    "str": STRS,
    "Scalar": [0, 3, -7, 2**62, True, False, 0.0, -2.5, INF, NAN],
    "int?": [None, 0, 1, -1, 2, -3, 5, 100, -100],
    "str?": [None, " ", "a", "", "b c"],
    "int[]": [[], [3], [1, 2, 3, 2], [-5, 0, 7, 0, -5]],
    "float[]": [[], [0.0], [1.5, -0.0, 2.5, 1.5], [-INF, 1e-310]],
    "bool[]": [[], [True], [False, True, False]],
    "str[]": [[], [""], ["b", "a", "é", "a"]],
    "t[]": [[], [1, 2, 3, 4, 5], ["x", "y"], [[1], [2.5]]],
    "t": [None, 0, -2, 2.5, "x", True, [1, 2]],
    "Any": [(), (1,), (1, "a", 2.5), [4, 5]],
    "t1": [None, 1, 2.5, "s", True, [1]],
    "t2": [None, 1, 2.5, "s", False, [1]],
    "Dict(str, t)": [{}, {"a": 1, "b": 2.5}, {"x": [1], "a": None}],
    "Dict(int, t)": [{}, {1: "x", -2: "y"}, {0: 0, 7: 7.5}],
    "Device": [ember.device("cpu"), ember.device("cpu", 0)],
}
INT_TEXTS = ["12", " -3_0 ", "+7", "abc", "", "1.5", "007", "1__0", "_1", "99999999999999999999",
             "-9223372036854775808", "\t42\n"]  # fmt: skip
FLOAT_TEXTS = ["1.5", " -2 ", "1_000.5", "inf", "-Infinity", "nAn", "abc", "", "1e5", ".5", "5.",
               "1__0", "_1", "0x10", "1e", "1e-3_0", "-.5e+2"]  # fmt: skip
# Argument pools for operators whose Python kernel would build enormous ints or lists.
SMALL = [0, 1, 2, 3, 5, 13, 20, 21, 62, 63, 64, 65, 66, 67, -1, -3]
POOLS = {
    **{f"aten::pow.{o}": {"b": [0, 1, 2, 3, 5, 40, 63, 64, -1, -2]}
       for o in ("int", "float_int")},
    "aten::__lshift__.int": {"b": SMALL},
    "aten::__rshift__.int": {"b": SMALL},
    "aten::factorial.int": {"a": SMALL},
    "aten::mul.left_t": {"n": [-2, 0, 1, 3]},
    "aten::mul.right_": {"n": [-2, 0, 1, 3]},
    "aten::device": {"a": ["cpu", "cpu:0", "cuda:12", "cpu:x", "tpu", "cpu:", "cpu:007"]},
    "aten::device.with_index": {"type": ["cpu", "cuda", "cpu:0", "gpu"], "index": [0, 3]},
    "aten::Int.str": {"a": INT_TEXTS},
    "aten::Float.str": {"a": FLOAT_TEXTS},
    "aten::format": {"self": ["", "{}", "a{}b{}c", "{0} {x} {}", "{{}}"]},
    "aten::sort.float": {"self": [[], [2.0, -0.0, 0.0, -1.5, 2.0], [NAN, 1.0], [1.0, INF, -INF]]},
    "aten::str": {"elem": [1.0, 0.1, -0.0, 1e20, 1e-7, 123456789.125, NAN, INF, -INF, -(2.0**63),
                           2.0**63, 7, None, True, "s", [10.0, "a", None], ("a",), (1.0,), (),
                           {"k": [2.5]}, {1: (False, [])}, 1 + 2j, 2j, complex(-0.0, 1),
                           complex(1.5, -0.5), complex(NAN, INF), complex(1e16, 0),
                           ember.device("cpu", 1)]},
}  # fmt: skip
# Python kernels whose int results TorchScript computes modulo 2**64.
WRAPS = {"aten::add.int", "aten::sub.int", "aten::mul.int", "aten::floordiv.int",
         "aten::neg.int", "prim::abs.int", "aten::__lshift__.int", "aten::__derive_index",
         "aten::factorial.int", "aten::gcd.int"}  # fmt: skip
# Results compared within 1e-12 relative: libm and Python's math may differ in the last bits.
APPROX = {"gamma", "lgamma", "erf", "erfc", "pow", "log", "log10", "log1p", "expm1", "exp",
          "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
          "atanh", "atan2"}  # fmt: skip
# lower()/upper() in C++ change ASCII letters only (as TorchScript's do).
ASCII_ONLY = {"aten::lower", "aten::upper"}
MAX_CASES = 240


def _wrap(i: int) -> int:
    return (i + 2**63) % 2**64 - 2**63


def _cases(op):
    pools = []
    for arg in op.schema.arguments:
        pool = POOLS.get(op.qualified_name, {}).get(arg.name) or SAMPLES[arg.type]
        if op.qualified_name in ASCII_ONLY:
            pool = [s for s in pool if s.isascii()]
        pools.append(pool)
    if op.qualified_name == "aten::format":
        pools += [[1, 2.5, "s", None, [1.0], (True,)]] * 2
    cases = list(itertools.product(*pools))
    if len(cases) > MAX_CASES:
        cases = random.Random(op.qualified_name).sample(cases, MAX_CASES)
    if op.qualified_name == "aten::format":
        cases += [("{} and {}", 1), ("{}",)]
    return cases


def _python(op, args):
    try:
        return "ok", op.kernel(*args)
    except Exception as e:  # the C++ kernel must raise with the same message
        return "raise", e


def _same(a, b, approx=False) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if approx and a != b:
            return math.isclose(a, b, rel_tol=1e-12)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y, approx) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k], approx) for k in a)
    return a == b


def _expected(name, outcome, value):
    """What C++ should give when Python gave (outcome, value)."""
    is_int = outcome == "ok" and isinstance(value, int) and not isinstance(value, bool)
    if is_int and not -(2**63) <= value < 2**63:
        return ("ok", _wrap(value)) if name in WRAPS else ("raise", None)
    if outcome == "raise" and isinstance(value, OverflowError) and "pow" in name:
        return "inf", None  # C's pow overflows to an infinity where Python raises
    return outcome, value


def _run_cpp(name, args):
    try:
        return "ok", ember.cpp._call_op(name, *args)
    except Exception as e:
        return "raise", e


def _check(name, args, expected, approx):
    outcome, want = expected
    got_outcome, got = _run_cpp(name, copy.deepcopy(args))
    where = f"{name}{args!r}"
    if outcome == "raise":
        assert got_outcome == "raise", f"{where}: C++ gave {got!r}, Python raised {want!r}"
        if want is not None and not isinstance(want, (TypeError, MemoryError)):
            assert str(got) == str(want), f"{where}: message {str(got)!r} != {str(want)!r}"
    elif outcome == "inf":
        assert got_outcome == "ok" and math.isinf(got), f"{where}: {got!r}"
    else:
        assert got_outcome == "ok", f"{where}: C++ raised {got!r}, Python gave {want!r}"
        if isinstance(want, ember.device):
            want, got = str(want), str(got)
        assert _same(want, got, approx), f"{where}: C++ {got!r} != Python {want!r}"


def test_every_value_operator_has_a_kernel():
    names = set(ember.cpp._kernel_names())
    missing = [n for n in [*VALUE_OPS, *_STRUCTURAL] if n not in names]
    assert not missing


@pytest.mark.parametrize("name", [n for n in VALUE_OPS if n not in _OWN_TESTS])
def test_kernel_matches_python(name):
    op = table.get(name)
    approx = name.split("::")[1].split(".")[0] in APPROX
    cases = _cases(op)
    assert cases
    for args in cases:
        expected = _expected(name, *_python(op, copy.deepcopy(args)))
        _check(name, args, expected, approx)


def test_print(capfd):
    ember.cpp._call_op("prim::Print", 1.0, "a", [2, "b"], None, (0.5,), num_outputs=0)
    ember.cpp._call_op("prim::Print", num_outputs=0)
    table.get("prim::Print").kernel(1.0, "a", [2, "b"], None, (0.5,))
    table.get("prim::Print").kernel()
    out = capfd.readouterr().out
    assert out == "1. a [2, b] None (0.5,)\n\n" * 2


def test_warn():
    for warn in (lambda: ember.cpp._call_op("aten::warn", "careful", 2, num_outputs=0),
                 lambda: table.get("aten::warn").kernel("careful", 2)):  # fmt: skip
        with pytest.warns(UserWarning, match="careful"):
            warn()


def _cpp_error(name, *args, num_outputs=1):
    with pytest.raises(Exception) as info:
        ember.cpp._call_op(name, *args, num_outputs=num_outputs)
    return str(info.value)


def test_containers_are_built():
    call = ember.cpp._call_op
    assert call("prim::ListConstruct", 1, 2.5, "a", None) == [1, 2.5, "a", None]
    assert call("prim::ListConstruct") == []
    assert call("prim::TupleConstruct", 1, "a") == (1, "a")
    assert call("prim::TupleConstruct", [1]) == ([1],)
    assert call("prim::DictConstruct", "a", 1, "b", [2]) == {"a": 1, "b": [2]}
    assert call("prim::DictConstruct", 3, "x", 3, "y") == {3: "y"}
    assert call("prim::DictConstruct") == {}
    assert call("prim::Uninitialized") is None
    assert call("prim::unchecked_cast", [1, "b"]) == [1, "b"]


@pytest.mark.parametrize("name", ["prim::ListUnpack", "prim::TupleUnpack"])
def test_unpack(name):
    seq = [1, "a", 2.5] if name == "prim::ListUnpack" else (1, "a", 2.5)
    assert ember.cpp._call_op(name, seq, num_outputs=3) == (1, "a", 2.5)
    assert ember.cpp._call_op(name, seq[:1], num_outputs=1) == 1
    for n in (2, 4):
        with pytest.raises(ValueError) as want:
            exec(f"{', '.join(f'v{i}' for i in range(n))}, = seq", {"seq": seq})
        assert _cpp_error(name, seq, num_outputs=n) == str(want.value)


@pytest.mark.parametrize(
    "msg, cls",
    [("boom", "builtins.ValueError"), ("AssertionError: x > 0", None), ("plain", None),
     ("Bad: thing", None), ("m", "__torch__.MyError"), ("KeyError: k", "builtins.IndexError")],
)  # fmt: skip
def test_raise_exception(msg, cls):
    from ember.runtime.helpers import raise_exception

    exc = raise_exception(msg, cls)
    assert _cpp_error("prim::RaiseException", msg, cls, num_outputs=0) == (
        f"{type(exc).__name__}: {exc}"
    )


def test_floats_print_as_torchscript_prints_them():
    call = ember.cpp._call_op
    text = "[0.10000000000000001, 1., 1.0000000000000001e-05]"
    assert call("aten::str", [0.1, 1.0, 1e-5]) == text
    assert call("aten::format", "{}-{}", 2.0, "x") == "2.-x"


def test_list_methods_return_the_list_they_change():
    call = ember.cpp._call_op
    assert call("aten::append.t", [1, 2], 3) == [1, 2, 3]
    assert call("aten::add_.t", ["a"], ["b", "c"]) == ["a", "b", "c"]
    assert call("aten::_set_item.t", [1, 2, 3], -1, 9) == [1, 2, 9]
    assert _cpp_error("aten::_set_item.t", [1], 1, 0) == "list assignment index out of range"
    assert call("aten::pop.t", [1, 2, 3], 0) == 1
    assert _cpp_error("aten::pop.t", [], -1) == "pop from empty list"
    assert _cpp_error("aten::pop.t", [1], 1) == "pop index out of range"
    assert call("aten::setdefault.str", {"a": 1}, "b", 2) == 2
    assert call("aten::pop.Dict_int", {1: "x", 2: "y"}, 2) == "y"


# Methods that change a list or dict in place return nothing `_call_op` can see: these run
# them inside scripted programs, through the C++ interpreter, against the Python runtime.
class _Mutate(nn.Module):
    def forward(
        self, xs: list[int], fs: list[float], ss: list[str], d: dict[str, int], e: dict[int, str]
    ) -> tuple[list[int], list[float], list[str], dict[str, int], dict[int, str]]:
        xs.extend([4, -5])
        xs.insert(-1, 9)
        xs.insert(100, 7)
        xs.insert(-100, 8)
        xs.reverse()
        xs.remove(9)
        xs.sort()
        xs[0] = 11
        ys = xs.copy()
        ys.clear()
        xs.append(len(ys))
        fs.sort(reverse=True)
        fs.remove(2.5)
        ss.sort()
        ss.remove("b")
        d["z"] = 26
        d.update({"a": 0, "q": 1})
        d.pop("b")
        d.setdefault("n", 5)
        e[3] = "three"
        e.pop(1)
        e.clear()
        e[0] = str(xs.pop(0))
        return xs, fs, ss, d, e


class _Text(nn.Module):
    def forward(self, n: int, x: float, s: str) -> tuple[str, list[str], int, int | None]:
        parts: list[str] = []
        for i in range(n, -n, -2):
            parts.append(f"{i}:{x * i}:{s[i % len(s)]}")
        total = 0
        for k, v in {"a": n, "b": n // 3}.items():
            total += v * len(k)
        found: int | None = None
        if s.find("b") >= 0:
            found = s.find("b")
        print("n", n, [x, 0.1], (s,))
        if n < 0:
            raise ValueError("negative " + str(n))
        return " ".join(parts).upper(), s.split(), total, found


@pytest.mark.parametrize(
    "module, args",
    [
        (_Mutate, ([3, 1, 2], [1.5, 2.5, -0.0, 0.0], ["b", "a", "c"], {"a": 1, "b": 2}, {1: "x"})),
        (_Text, (5, 0.5, "a bc")),
        (_Text, (0, -2.0, "b")),
    ],
)
def test_scripted_programs_agree(module, args, tmp_path, capfd):
    scripted = ember.jit.script(module())
    ember.jit.save(scripted, tmp_path / "m.pt")
    loaded = ember.cpp.load(tmp_path / "m.pt")
    want = scripted(*copy.deepcopy(args))
    printed = capfd.readouterr().out
    assert _same(loaded.forward(*copy.deepcopy(args)), want)
    assert capfd.readouterr().out == printed


def test_scripted_raise(tmp_path):
    scripted = ember.jit.script(_Text())
    ember.jit.save(scripted, tmp_path / "m.pt")
    with pytest.raises(ValueError) as want:
        scripted(-1, 0.5, "abc")
    with pytest.raises(Exception, match=f"ValueError: {want.value}"):
        ember.cpp.load(tmp_path / "m.pt").forward(-1, 0.5, "abc")
