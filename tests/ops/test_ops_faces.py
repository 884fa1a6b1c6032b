"""Eager and scripted code accept exactly the same calls: every face of the op table (ember.X,
Tensor.X, F.X and the list, dict, str and math methods scripted code may call) exists in
eager Python, and a sample call of each overload gives the same result scripted and eager
(or fails in both). Ops without a face are not methods in either."""

import copy
import importlib.util
import math
import sys

import numpy as np
import pytest
from face_samples import sample_args

import ember
import ember.nn.functional as F
from ember import ops

NAMESPACES = ("ember", "Tensor", "F", "math", "str", "list", "dict")
# Calls TorchScript itself runs otherwise than Python does (torch 2.13 scripts them alike):
TORCHSCRIPT_DIFFERS = {
    "aten::view.dtype": "x.view(dtype) scripts as x.view([the dtype's number])",
    "aten::append.t": "xs.append(x) gives the list back in scripted code",
}
_C_MATH = (ValueError, ZeroDivisionError, OverflowError)  # where C's <math.h> gives nan/inf
CASES = [
    (face, op.qualified_name)
    for face, overloads in sorted(ops.faces().items())
    if face.split(".")[0] in NAMESPACES
    for op in overloads
    if sample_args(op) is not None
]
EAGER = {"ember": ember, "F": F, "math": math}


def _annotation(value) -> str:
    if isinstance(value, ember.Tensor):
        return "Tensor"
    if isinstance(value, bool | int | float | str):
        return type(value).__name__
    if isinstance(value, list):
        return f"List[{_annotation(value[0])}]"
    if isinstance(value, dict):
        key, item = next(iter(value.items()))
        return f"Dict[{_annotation(key)}, {_annotation(item)}]"
    raise TypeError(value)


def _inline(value) -> str | None:
    """Source text for values passed as literals rather than parameters."""
    if value is None:
        return "None"
    if isinstance(value, ember.dtype):
        return f"ember.{value.name}"
    return None


def _call_text(face: str, texts: list[str]) -> str:
    ns, name = face.split(".")
    if ns in ("Tensor", "str", "list", "dict"):
        return f"{texts[0]}.{name}({', '.join(texts[1:])})"
    return f"{ns}.{name}({', '.join(texts)})"


def _source(index: int, face: str, args: list) -> str:
    params, texts = [], []
    for i, value in enumerate(args):
        literal = _inline(value)
        if literal is None:
            params.append(f"a{i}: {_annotation(value)}")
            texts.append(f"a{i}")
        else:
            texts.append(literal)
    return f"def case{index}({', '.join(params)}):\n    return {_call_text(face, texts)}\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """One module holding a function per sampled case (scripting needs real source)."""
    lines = ["import math", "from typing import Dict, List", "import ember",
             "import ember.nn.functional as F", "from ember import Tensor", ""]  # fmt: skip
    samples = {}
    for i, (face, name) in enumerate(CASES):
        args = sample_args(ops.get(name))
        samples[(face, name)] = (i, args)
        lines.append(_source(i, face, args))
    path = tmp_path_factory.mktemp("faces") / "generated_faces.py"
    path.write_text("\n".join(lines))
    spec = importlib.util.spec_from_file_location("generated_faces", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["generated_faces"] = module
    spec.loader.exec_module(module)
    return module, samples


def _eager(face: str, args: list):
    ns, name = face.split(".")
    if ns in ("Tensor", "str", "list", "dict"):
        return getattr(args[0], name)(*args[1:])
    return getattr(EAGER[ns], name)(*args)


def _outcome(fn, args):
    try:
        return True, fn(*args)
    except Exception as e:  # noqa: BLE001 - both sides must fail alike, whatever the error
        return False, e


def _same(a, b, loose: bool) -> bool:
    if isinstance(a, ember.Tensor) and isinstance(b, ember.Tensor):
        if a.dtype != b.dtype or tuple(a.shape) != tuple(b.shape):
            return False
        return loose or np.array_equal(a.numpy(), b.numpy(), equal_nan=a.dtype.kind in "fc")
    if isinstance(a, type({}.keys()) | type({}.values()) | type({}.items())):
        a = list(a)  # dict views are lists in scripted code
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y, loose) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


def _copies(args):
    return [a.clone() if isinstance(a, ember.Tensor) else copy.deepcopy(a) for a in args]


@pytest.mark.parametrize(("face", "name"), CASES, ids=[f"{f}:{n}" for f, n in CASES])
def test_scripted_call_agrees_with_eager(generated, face, name):
    module, samples = generated
    index, args = samples[(face, name)]
    fn = getattr(module, f"case{index}")
    eager_ok, want = _outcome(lambda *a: _eager(face, list(a)), _copies(args))
    try:
        scripted = ember.jit.script(fn)
    except ember.CompileError as e:
        assert not eager_ok, f"{face} works in eager but does not script: {e}"
        return
    params = [a for a in args if _inline(a) is None]
    script_ok, got = _outcome(scripted, _copies(params))
    if name in TORCHSCRIPT_DIFFERS:
        return  # it scripts, and runs as TorchScript runs it
    if face.startswith("math.") and isinstance(want, _C_MATH) and script_ok:
        assert math.isnan(got) or math.isinf(got), (face, want, got)  # C's result
        return
    assert script_ok == eager_ok, (face, want, got)
    loose = "nondeterministic" in ops.get(name).traits
    assert not eager_ok or _same(want, got, loose), (face, want, got)


def test_every_face_has_a_sampled_overload_that_runs_in_eager():
    missing = []
    for face, overloads in sorted(ops.faces().items()):
        if face.split(".")[0] not in NAMESPACES:
            continue
        runs = False
        for op in overloads:
            args = sample_args(op)
            if args is not None and _outcome(lambda *a: _eager(face, list(a)), args)[0]:
                runs = True
                break
        if not runs:
            missing.append(face)
    assert not missing, f"faces without a working sample call (add one to SPECIAL): {missing}"


def test_every_face_exists_in_eager_python():
    for face in ops.faces():
        ns, name = face.split(".")
        owner = {"ember": ember, "F": F, "Tensor": ember.Tensor, "math": math, "str": str,
                 "list": list, "dict": dict}[ns]  # fmt: skip
        assert hasattr(owner, name), face
        if ns in ("ember", "F", "Tensor"):
            claimed = getattr(getattr(owner, name), "__ember_face__", face)
            assert ops.by_face(claimed) == ops.by_face(face), (face, claimed)  # or an alias


def test_eager_faces_are_table_faces():
    faces = ops.faces()
    for ns, owner in (("ember", ember), ("F", F), ("Tensor", ember.Tensor)):
        for name in dir(owner):
            face = getattr(getattr(owner, name), "__ember_face__", None)
            if face is not None:
                assert face in faces, (ns, name, face)
                assert ops.by_face(face) == ops.by_face(f"{ns}.{name}"), (ns, name, face)


def _alias(t):
    return t.alias()


def _silu(t):
    return t.silu()


def _rsub(t):
    return t.rsub(1)


def _linear(t):
    return t.linear(t)


@pytest.mark.parametrize("fn", [_alias, _silu, _rsub, _linear], ids=lambda f: f.__name__)
def test_an_op_without_a_method_face_is_no_method_in_either(fn):
    name = fn.__name__[1:]
    assert ops.overloads(f"aten::{name}") and f"Tensor.{name}" not in ops.faces()
    with pytest.raises(AttributeError):
        fn(ember.ones(2))
    with pytest.raises(ember.CompileError, match=f"Tensor method '{name}' is not supported"):
        ember.jit.script(fn)
