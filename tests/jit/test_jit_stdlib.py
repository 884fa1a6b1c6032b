"""Python's standard types and `math` in scripted code: ember's scripted results equal its
eager ones and torch.jit.script's for the same source (`tests/corpus/stdlib.py`)."""

import copy
import math

import numpy as np
import pytest
from tests.corpus import stdlib
from tests.corpus.bind import bound

import ember

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

INPUTS = {
    "math_floats": [(0.5, 3), (0.0, 2), (-0.0, 1), (2.0, -4), (-1.0, 5), (1e3, 7)],
    "math_ints": [(2.5, 5), (-2.5, -3), (0.0, 0)],
    "list_methods": [([3, 1, 2], 2), ([5, 5, 4], 5)],
    "dict_methods": [({"a": 1}, {1: 2.0}), ({"b": 2, "zz": 9}, {})],
    "string_methods": [("Banana split", ["a", "b"]), ("", [])],
    "string_iteration": [
        ("abcd", "d", 0, -1),
        ("abcd", "d", 0, -2),
        ("abcd", "c", -3, 4),
        ("", "x", 0, 9),
        ("bc", "bc", 1, 10),
    ],
    "chained": [(0, 3, [1, 2]), (5, 2, [1]), (1, 10, [4, 0]), (-1, 4, [2])],
    "isinstance_refines": [(3, None), (None, "t"), (2, "t")],
    "shifts": [(5, 2), (-9, 3), (0, 0)],
    "chained_tensor": [("small",), ("big",), ("neg",)],
}
TENSORS = {"t": [1.0, 2.0], "small": [1.0, 2.5], "big": [50.0, 60.0], "neg": [-3.0, -1.0]}


@pytest.fixture(scope="module")
def both(torch):
    return bound(stdlib, ember, "stdlib_ember"), bound(stdlib, torch, "stdlib_torch")


def _args(args, lib):
    return tuple(
        lib.tensor(TENSORS[a]) if isinstance(a, str) and a in TENSORS else copy.deepcopy(a)
        for a in args
    )


def _plain(v):
    if isinstance(v, tuple | list):
        return type(v)(_plain(x) for x in v)
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if hasattr(v, "numpy"):
        return ("tensor", np.asarray(v.numpy()).tolist())
    return v


def _same(a, b):
    a, b = _plain(a), _plain(b)
    if isinstance(a, float) and isinstance(b, float):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12), (a, b)
        assert math.copysign(1, a) == math.copysign(1, b) or a != a, (a, b)
    elif isinstance(a, tuple | list):
        assert type(a) is type(b) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert type(a) is type(b) and a == b, (a, b)


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_matches_torch_script(both, torch, name):
    ours = ember.jit.script(getattr(both[0], name))
    theirs = torch.jit.script(getattr(both[1], name))
    for args in INPUTS[name]:
        mine, want = _args(args, ember), _args(args, torch)
        _same(ours(*mine), theirs(*want))  # (torch copies list/dict arguments in)


@pytest.mark.parametrize("name", sorted(set(INPUTS) - {"math_floats"}))
def test_matches_eager(both, name):
    fn = getattr(both[0], name)
    for args in INPUTS[name]:
        if name == "string_iteration" and args[3] < 0:
            continue  # str.find with end < 0 counts from one past the end, as TorchScript's
        eager, scripted = _args(args, ember), _args(args, ember)
        _same(fn(*eager), ember.jit.script(fn)(*scripted))
        _same(eager, scripted)


def test_math_gives_c_results_where_python_raises(both):
    f = ember.jit.script(both[0].math_floats)
    out = f(-1.0, 0)
    assert math.isnan(out[0]) and out[3] != out[3]  # sqrt(-1), log10(-1)
    assert f(0.0, 0)[2] == -math.inf and f(1e3, 1)[1] == math.inf


def test_chained_comparison_evaluates_each_operand_once():
    def f(x):
        return 0 < x.sum() < 100

    s = ember.jit.script(f)
    assert s(ember.tensor([1.0, 2.0])) is True and s(ember.tensor([-1.0])) is False
    assert s.code.count("torch.sum(x)") == 1, s.code


def test_list_augmented_assignment_extends_in_place():
    def f(xs: list[int]) -> list[int]:
        ys = xs
        ys += [3]
        return xs

    xs = [1]
    assert ember.jit.script(f)(xs) == [1, 3] and xs == [1, 3]
    assert "torch.add_(xs, [3])" in ember.jit.script(f).code


def test_isinstance_of_optional_refines_in_the_graph():
    s = ember.jit.script(bound(stdlib, ember, "stdlib_graph").isinstance_refines)
    kinds = [op.kind for op in s.graph.walk()]
    assert "aten::__isnot__" in kinds and "prim::unchecked_cast" in kinds


@pytest.mark.parametrize(
    "src, message",
    [
        ("def f(x: int):\n    return ~x\n",
         "'~' on int is not supported in scripted code (TorchScript has it for tensors only)"),
        ("def f(x: float):\n    return math.hypot(x, x)\n",
         "math.hypot is not supported in scripted code"),
        ("def f(x: str):\n    return math.sqrt(x)\n",
         "math.sqrt does not accept arguments (str)"),
        ("def f(xs: List[int]):\n    xs.append(1.5)\n",
         "expected int, found float in argument 1 of list.append"),
        ("def f(d: Dict[str, int]):\n    return d.items_sorted()\n",
         "'Dict[str, int]' has no method 'items_sorted' in scripted code"),
        ("def f(x: int):\n    print(x, end='')\n",
         "print() takes no keyword arguments in scripted code"),
    ],
)  # fmt: skip
def test_errors(tmp_path, src, message):
    path = tmp_path / "m.py"
    path.write_text("import math\nfrom typing import Dict, List\n" + src)
    ns = {}
    exec(compile(path.read_text(), str(path), "exec"), ns)
    with pytest.raises(ember.CompileError) as info:
        ember.jit.script(ns["f"])
    assert str(info.value).splitlines()[0].endswith(": " + message)


# chained_tensor evaluates x.sum() once (torch twice); isinstance on Optional is a None test
# (torch prints prim::isinstance as `isinstance(x, int)`)
SAME_CODE = sorted(set(INPUTS) - {"chained_tensor", "isinstance_refines"})


@pytest.mark.parametrize("name", SAME_CODE)
def test_code_matches_torch(both, torch, name):
    ours = ember.jit.script(getattr(both[0], name)).code
    assert ours == torch.jit.script(getattr(both[1], name)).code


QUOTED = """
from typing import List, Optional, Tuple
import ember

def f(x: "Optional[int]", t: "ember.Tensor", xs: "List[float]") -> "Tuple[int, float]":
    return (0 if x is None else x), float(t.sum()) + xs[0]
"""


def test_quoted_annotations_read_like_unquoted_ones(tmp_path):
    path = tmp_path / "quoted.py"
    path.write_text(QUOTED)
    ns = {}
    exec(compile(QUOTED, str(path), "exec"), ns)
    s = ember.jit.script(ns["f"])
    assert s.code.startswith("def f(x: Optional[int],\n    t: Tensor,\n    xs: List[float])")
    assert s(None, ember.ones(2), [0.5]) == (0, 2.5)
