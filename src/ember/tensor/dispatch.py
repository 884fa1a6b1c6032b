"""Dispatch: running table ops on ember tensors, and the hook the tracer uses.

`call(op, *args, **kwargs)` binds Python arguments to the op's schema, converts tensors to the
numpy arrays its kernel takes, runs the kernel and wraps the results (alias-annotated results
share the input's storage; in-place ops return the input tensor itself).

Each op gets a caller generated once from its schema (plain Python source compiled with
`exec`, like torch.fx's codegen), so a call costs one Python function call plus the kernel:
no per-call schema walk, no `inspect.signature` binding.

`dispatch_hook(hook)` installs `hook(opdef, args, kwargs)` for every op call made through the
table: `args` holds every positional schema argument (defaults filled in), `kwargs` the
keyword-only ones. The hook returns the op's result, usually by calling `call` again, which
is not intercepted while the hook runs.

Example:
    >>> import ember
    >>> from ember.tensor import dispatch
    >>> seen = []
    >>> def hook(op, args, kwargs):
    ...     seen.append(op.qualified_name)
    ...     return dispatch.call(op, *args, **kwargs)
    >>> with dispatch.dispatch_hook(hook):
    ...     y = ember.ones(2) + 1
    >>> seen
    ['aten::ones', 'aten::add.Scalar']
"""

from __future__ import annotations

import keyword
import re
from contextlib import contextmanager

import numpy as np

from ember import dtypes
from ember.ops import table
from ember.ops.schema import NO_DEFAULT
from ember.tensor.ops_resolve import resolve
from ember.tensor.return_types import return_type
from ember.tensor.tensor import Tensor, wrap, wrap_view

__all__ = ["call", "dispatch_hook", "invoker", "resolve", "call_overloaded"]

_hook: list = [None]
_TABLE = table._TABLE
_ndarray = np.ndarray
_make = Tensor._make
_PY_SCALARS = (bool, int, float, complex)


def _quiet_floating_point():
    """(enter, exit, state): silence numpy's floating-point warnings around one kernel call.

    PyTorch never warns on 1/0, log(0), inf - inf, ...; numpy does. `np.errstate` costs ~2 us
    a call, so the dispatcher sets numpy's error-state context variable directly (~0.1 us),
    falling back to `np.errstate` where that private variable is missing.
    """
    try:
        from numpy._core import _ufunc_config, umath

        var = _ufunc_config._extobj_contextvar
        return var.set, var.reset, umath._make_extobj(all="ignore")
    except (ImportError, AttributeError):  # pragma: no cover - other numpy versions
        return _errstate_enter, _errstate_exit, None


def _errstate_enter(_state):  # pragma: no cover - fallback
    ctx = np.errstate(all="ignore")
    ctx.__enter__()
    return ctx


def _errstate_exit(ctx):  # pragma: no cover - fallback
    ctx.__exit__(None, None, None)


_QUIET_ENTER, _QUIET_EXIT, _QUIET = _quiet_floating_point()


def call(op, *args, **kwargs):
    """Run `op` (an OpDef or a qualified name like 'aten::add.Tensor') on tensors/values.

    >>> import ember
    >>> call("aten::add.Tensor", ember.ones(2), ember.ones(2), alpha=3)
    tensor([4., 4.])
    """
    if op.__class__ is str:
        op = _TABLE.get(op) or table.get(op)
    return (op._invoke or invoker(op))(*args, **kwargs)


@contextmanager
def dispatch_hook(hook):
    """Install `hook(opdef, args, kwargs)` around every table op call (nestable).

    >>> import ember
    >>> x = ember.ones(1)
    >>> with dispatch_hook(lambda op, args, kwargs: op.name):
    ...     x.relu()
    'aten::relu'
    """
    previous = _hook[0]
    _hook[0] = hook
    try:
        yield hook
    finally:
        _hook[0] = previous


def _run_hook(op, args, kwargs):
    hook = _hook[0]
    _hook[0] = None
    try:
        return hook(op, args, kwargs)
    finally:
        _hook[0] = hook


# -- argument conversion (slow paths of the generated callers) ----------------------------------


def _tensor_arg(x):
    if isinstance(x, Tensor):
        return x._np
    if x is None or x.__class__ in _PY_SCALARS:
        return x
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"expected a Tensor, got {type(x).__name__}")


def _strict_tensor(x, where):
    """A faces' Tensor argument: numbers refused, as PyTorch's Python bindings refuse them."""
    if isinstance(x, Tensor) or x is None:
        return _tensor_arg(x)
    fn, name, position = where
    raise TypeError(
        f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {type(x).__name__}"
    )


def _tensor_list(xs):
    if isinstance(xs, Tensor):
        raise TypeError("expected a sequence of Tensors, got a Tensor")
    return [_tensor_arg(x) for x in xs]


def _scalar_arg(x):
    if isinstance(x, Tensor):
        if x._np.size != 1:
            raise RuntimeError("a Tensor with more than one element cannot be a Scalar")
        return x._np.item()
    if isinstance(x, np.generic):
        return x.item()
    return x


def _dtype_arg(x):
    if x is None or isinstance(x, dtypes.dtype):
        return x
    if x.__class__ is int:  # a ScalarType number, as TorchScript passes dtypes
        return dtypes.from_scalar_type(x)
    if isinstance(x, str):
        return dtypes.by_name(x)
    py = {bool: dtypes.bool_, int: dtypes.int64, float: dtypes.float64, complex: dtypes.complex128}
    if x in py:
        return py[x]
    raise TypeError(f"expected an ember.dtype, got {x!r}")


# -- result wrapping ---------------------------------------------------------------------------


def _fresh(r):
    return _make(r) if r.__class__ is _ndarray else wrap(r)


def _root(a):
    """The object owning a's memory (follows numpy's base chain, through as_strided too)."""
    b = a.base
    while b is not None:
        a = b
        b = getattr(b, "base", None)
    return a


def _alias(r, base: Tensor):
    """Result of an op annotated `Tensor(a)`: a view of `base` unless the kernel copied."""
    if r is base._np:
        return base
    if r.__class__ is not _ndarray:
        return wrap(r)
    b = base._np
    if r.base is None or _root(r) is not _root(b):
        return wrap(r)
    return wrap_view(r, base)


# -- errors ------------------------------------------------------------------------------------

_BROADCAST = re.compile(r"could not be broadcast together with shapes? ((?:\([\d, ]*\) ?)+)")


def _translate(error: ValueError) -> Exception:
    """numpy's broadcast failures as PyTorch's RuntimeError; other ValueErrors unchanged."""
    m = _BROADCAST.search(str(error))
    if not m:
        return error
    shapes = [
        tuple(int(v) for v in g.split(",") if v.strip())
        for g in re.findall(r"\(([^)]*)\)", m.group(1))
    ]
    if len(shapes) < 2:
        return RuntimeError(str(error))
    a, b = shapes[0], shapes[1]
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    for dim in range(n - 1, -1, -1):
        if a[dim] != b[dim] and 1 not in (a[dim], b[dim]):
            return RuntimeError(
                f"The size of tensor a ({a[dim]}) must match the size of tensor b ({b[dim]}) "
                f"at non-singleton dimension {dim}"
            )
    return RuntimeError(str(error))


# -- caller generation -------------------------------------------------------------------------


def _conv_expr(arg, var: str, strict=None) -> str:
    t = arg.base_type
    if t == "Tensor" and strict is not None:
        return f"({var}._np if {var}.__class__ is _Tensor else _strict_tensor({var}, {strict!r}))"
    if t == "Tensor":
        return f"({var}._np if {var}.__class__ is _Tensor else _tensor_arg({var}))"
    if t in ("Tensor[]", "Tensor?[]"):
        return f"_tensor_list({var})"
    if t == "Scalar":
        return f"({var} if {var}.__class__ in _PY_SCALARS else _scalar_arg({var}))"
    if t == "ScalarType":
        return f"_dtype_arg({var})"
    return var


def _return_lines(schema, names: dict) -> list[str]:
    """The caller's last lines: wrap the results; a factory's ``requires_grad`` flag set."""
    result = _result_expr(schema, names)
    flag = names.get("requires_grad")
    if flag is None or not any(a.name == "requires_grad" for a in schema.arguments):
        return [f"    return {result}"]
    return [f"    out = {result}", f"    out._set_requires_grad({flag})", "    return out"]


def _result_expr(schema, names: dict) -> str:
    rets = schema.returns
    if not rets:
        return "None"
    parts = [_one_result(r, schema, names, f"r[{i}]") for i, r in enumerate(rets)]
    if len(rets) == 1:
        return _one_result(rets[0], schema, names, "r")
    return "_RT(" + ", ".join(parts) + ")"


def _one_result(ret, schema, names, expr: str) -> str:
    t = ret.base_type
    if t not in ("Tensor", "Tensor[]"):
        return expr
    owner = None
    if ret.alias:
        letter = ret.alias[0]
        for a in schema.arguments:
            if a.alias and a.alias[0] == letter:
                owner = names[a.name]
    if ret.is_write:
        return owner
    if t == "Tensor[]":
        if owner:
            return f"[_alias(x, {owner}) for x in {expr}]"
        return f"[_fresh(x) for x in {expr}]"
    return f"_alias({expr}, {owner})" if owner else f"_fresh({expr})"


def _py_name(name: str) -> str:
    return name + "_" if keyword.iskeyword(name) else name


def invoker(op, first: str | None = None, face: str | None = None):
    """The generated caller of `op` (built once, then cached on the OpDef).

    `first` renames the first parameter (functions call it `input`, methods `self`); `face`
    (the Python name, 'ember.maximum') makes the caller refuse numbers for Tensor
    parameters, as PyTorch's Python bindings do. Such callers are not cached on the OpDef.

    >>> import ember
    >>> invoker(ember.ops.get("aten::relu"), first="input")(input=ember.tensor([-1.0]))
    tensor([0.])
    """
    if op._invoke is not None and first is None and face is None:
        return op._invoke
    schema = op.schema
    names = {a.name: _py_name(a.name) for a in schema.arguments}
    if first is not None and schema.arguments:
        names[schema.arguments[0].name] = first
    env = {
        "__name__": "ember.tensor.dispatch",
        "_Tensor": Tensor,
        "_tensor_arg": _tensor_arg,
        "_strict_tensor": _strict_tensor,
        "_tensor_list": _tensor_list,
        "_scalar_arg": _scalar_arg,
        "_dtype_arg": _dtype_arg,
        "_PY_SCALARS": _PY_SCALARS,
        "_fresh": _fresh,
        "_alias": _alias,
        "_hook": _hook,
        "_run_hook": _run_hook,
        "_kernel": op.kernel,
        "_OP": op,
        "_MISSING": NO_DEFAULT,
        "_translate": _translate,
        "_qenter": _QUIET_ENTER,
        "_qexit": _QUIET_EXIT,
        "_QUIET": _QUIET,
    }
    if len(schema.returns) > 1:
        env["_RT"] = return_type(op)
    params, positional, kwonly, converted, checks = [], [], [], [], []
    star, seen_default = False, False
    for i, a in enumerate(schema.arguments):
        var = names[a.name]
        if a.kwarg_only and not star:
            params.append("*")
            star = True
        if a.has_default:
            env[f"_d{i}"] = a.default
            params.append(f"{var}=_d{i}")
            seen_default = True
        elif seen_default and not a.kwarg_only:
            params.append(f"{var}=_MISSING")
            checks.append(f"    if {var} is _MISSING: raise TypeError('missing argument {a.name}')")
        else:
            params.append(var)
        (kwonly if a.kwarg_only else positional).append(var)
        strict = None if face is None else (face.split(".")[-1], a.name, i + 1 - (first == "self"))
        converted.append(_conv_expr(a, var, strict))
    fname = "op_" + op.qualified_name.replace("::", "_").replace(".", "_")
    kw = ", ".join(f"'{n}': {n}" for n in kwonly)
    pos = "".join(f"{n}, " for n in positional)
    src = "\n".join(
        [f"def {fname}({', '.join(params)}):", *checks]
        + [
            "    if _hook[0] is not None:",
            f"        return _run_hook(_OP, ({pos}), {{{kw}}})",
            *_kernel_call(op, converted),
            *_return_lines(schema, names),
        ]
    )
    exec(compile(src, f"<ember op {op.qualified_name}>", "exec"), env)
    fn = env[fname]
    fn.__doc__ = f"{op.schema}\n\n{op.doc}"
    fn.__ember_op__ = op.name
    if first is None and face is None:
        op._invoke = fn
    return fn


def _computes(op) -> bool:
    """Whether the kernel does arithmetic that numpy may warn about (views and queries don't)."""
    tensor_result = any(r.base_type.startswith("Tensor") for r in op.schema.returns)
    return tensor_result and "view" not in op.traits


def _kernel_call(op, converted: list) -> list:
    lines = [
        "    try:",
        f"        r = _kernel({', '.join(converted)})",
        "    except ValueError as e:",
        "        raise _translate(e) from None",
    ]
    if not _computes(op):
        return lines
    return ["    q = _qenter(_QUIET)", *lines, "    finally:", "        _qexit(q)"]


def call_overloaded(name: str, *args, **kwargs):
    """Resolve the overload of `name` for these arguments, then `call` it."""
    return call(resolve(name, args, kwargs), *args, **kwargs)
