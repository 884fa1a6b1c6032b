"""Lowering calls: op-table functions, builtins, methods and modules.

A Python callable maps to operators through the op table: a face of an op (``ember.add``,
``F.relu``, ``Tensor.view``) carries ``__ember_face__`` and calls one of the overloads with
that face; a helper carrying ``__ember_op__`` (and archive code's ``torch.add``) names an
operator and calls any of its overloads. The overload is picked by matching the argument
types against the schemas (`ember.ir.registry.match_among`). Functions without either are
compiled from source and called with ``prim::CallFunction``; module methods and submodules
are called with ``prim::CallMethod``.
"""

from __future__ import annotations

import builtins
import inspect
import warnings

from ember import grad_mode
from ember.compiler import overloads
from ember.compiler.lowering.operators import is_num
from ember.compiler.lowering.special_calls import SpecialCallLowering
from ember.compiler.lowering.values import (
    BoundMethod,
    Known,
    ModuleRef,
    PyObj,
    TensorMethod,
    ValueMethod,
)
from ember.compiler.named_tuples import is_named_tuple_class
from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.dtypes import CONVERSION_METHODS
from ember.errors import VerifyError
from ember.ir import registry
from ember.ir import types as T  # noqa: N812

__all__ = ["CallLowering"]

_SIZE_METHODS = {"view", "reshape", "expand", "repeat", "permute", "flip", "tile"}
_ARITY = {"len": (1, 1), "int": (0, 1), "float": (0, 1), "bool": (0, 1), "str": (1, 1),
          "abs": (1, 1), "isinstance": (2, 2), "getattr": (2, 2), "hasattr": (2, 2),
          "range": (1, 3), "min": (1, 99), "max": (1, 99), "enumerate": (1, 2),
          "annotate": (2, 2), "unchecked_cast": (2, 2), "uninitialized": (1, 1),
          "is_scripting": (0, 0), "is_tracing": (0, 0), "assert": (1, 2),
          "warn": (1, 3), "any": (1, 1), "all": (1, 1),
          "is_grad_enabled": (0, 0)}  # fmt: skip


class CallLowering(SpecialCallLowering):
    # -- emitting an op of the op table ----------------------------------------------------------
    def call_op(self, kind, args, kwargs, node, callname=None):
        """Emit the overload accepting `args` among `kind`'s ('aten::add', every overload of
        the operator) or among the signatures `kind` lists (the overloads of a face)."""
        cands = registry.overloads(kind) if isinstance(kind, str) else list(kind)
        label = callname or (kind if isinstance(kind, str) else "this call")
        types = [a.type for a in args]
        kw_types = {k: v.type for k, v in kwargs.items()}
        sig = registry.match_among(cands, types, kw_types)
        if sig is None:
            sig, args, kwargs = self.broadcast_lists(cands, args, kwargs)
        if sig is None:
            raise self.err(node, self.mismatch(cands, types, kw_types, label))
        positional = [p for p in sig.params if not p.kwarg_only]
        args = [self.convert_arg(a, p, node) for a, p in zip(args, positional)] + args[
            len(positional) :
        ]
        by_name = {p.name: p for p in sig.params}
        kwargs = {k: self.convert_arg(v, by_name[k], node) for k, v in kwargs.items()}
        try:
            op = self.b.op(sig.qualified_name, args, kwargs=kwargs)
        except VerifyError as e:
            raise self.err(node, str(e)) from None
        if not op.results:
            return Known(None)
        if len(op.results) == 1:
            return op.results[0]
        return self.b.tuple_construct(op.results)

    def broadcast_lists(self, cands, args, kwargs):
        """Retry with ints passed for ``int[N]?`` parameters wrapped in lists (``dim=1``)."""
        for sig in cands:
            positional = [p for p in sig.params if not p.kwarg_only]
            by_name = {p.name: p for p in sig.params}
            wrap = [_wants_list(a, p) for a, p in zip(args, positional)]
            wrap += [False] * (len(args) - len(wrap))
            kw_wrap = {k: _wants_list(v, by_name.get(k)) for k, v in kwargs.items()}
            if not any(wrap) and not any(kw_wrap.values()):
                continue
            types = [_INT_LIST if w else a.type for a, w in zip(args, wrap)]
            kw_types = {k: _INT_LIST if kw_wrap[k] else v.type for k, v in kwargs.items()}
            if registry.match_among(cands, types, kw_types) is sig:
                args = [self._as_list(a) if w else a for a, w in zip(args, wrap)]
                kwargs = {k: self._as_list(v) if kw_wrap[k] else v for k, v in kwargs.items()}
                return sig, args, kwargs
        return None, args, kwargs

    def _as_list(self, v):
        return self.b.list_construct([v], T.IntType.get())

    def convert_arg(self, v, param, node):
        target = param.type.elem if isinstance(param.type, T.OptionalType) else param.type
        if isinstance(target, T.TensorType) and is_num(v):
            return self.emit("prim::NumToTensor.Scalar", v, node=node)
        return v

    def mismatch(self, cands, types, kw_types, callname):
        if not cands:
            return f"unknown operator (used by {callname})"
        best = None  # (score, message): the overload that got furthest wins
        for sig in cands:
            found = _first_mismatch(sig, types, kw_types, callname)
            if found is not None and (best is None or found[0] > best[0]):
                best = found
        if best is not None:
            return best[1]
        shown = ", ".join(str(t) for t in types)
        return f"no overload of {callname} accepts arguments ({shown})"

    # -- calls -------------------------------------------------------------------------------
    def e_Call(self, node):
        f = self.expr(node.func)
        if isinstance(f, ModuleRef):
            return self.call_method(f, "forward", node)
        if isinstance(f, BoundMethod):
            return self.call_method(f.module, f.name, node)
        if isinstance(f, TensorMethod):
            return self.tensor_method(f, node)
        if isinstance(f, ValueMethod):
            return self.value_method(f, node)
        if isinstance(f, PyObj):
            return self.call_python(f.obj, node)
        raise self.err(node, f"'{_callee(node)}' is not callable in scripted code")

    def args_of(self, node):
        args = [self.value(a) for a in node.args]
        kwargs = {k: self.value(v) for k, v in node.kwargs}
        return args, kwargs

    def call_python(self, obj, node):
        name = _callee(node)
        if type(obj).__name__ == "ScriptFunction" and hasattr(obj, "__wrapped__"):
            obj = obj.__wrapped__
        builtin = getattr(self, "builtin_" + getattr(obj, "__name__", ""), None)
        if builtin is not None and getattr(builtins, obj.__name__, None) is obj:
            self.check_arity(obj.__name__, node)
            return builtin(node)
        special = getattr(obj, "_ember_special", None) or _python_special(obj)
        if special is not None:
            self.check_arity(special, node)
            return getattr(self, "builtin_" + special)(node)
        if isinstance(obj, type) and is_named_tuple_class(obj):
            return self.construct_named_tuple(obj, node)
        declared = getattr(obj, "_ember_named_tuple", None)  # archive code: __torch__.a.Out
        if declared is not None:
            return self.construct_named_tuple(declared, node)
        code_fn = getattr(obj, "_ember_code_function", None)
        if code_fn is not None:
            return self.call_function(code_fn, node)
        if getattr(obj, "__name__", "") == "tensor" and obj.__module__.startswith("ember."):
            return self.scalar_tensor(node)
        cands = _operator_of(obj)
        if cands == [] and hasattr(obj, "__ember_op__"):  # archive code: torch.<op>, ops.ns.op
            raise self.err(node, f"unknown operator {obj.__ember_op__} (called as {name}): "
                                 "ember's op table has no such operator")  # fmt: skip
        if cands is not None:
            args, kwargs = self.face_arguments(obj, cands, node)
            cands = self.inplace_variant(obj, cands, args, kwargs, node)
            if len(args) > 1 and all(isinstance(a.type, T.IntType) for a in args):
                kw_types = {k: v.type for k, v in kwargs.items()}
                if registry.match_among(cands, [a.type for a in args], kw_types) is None:
                    args = [self.b.list_construct(args, T.IntType.get())]  # ember.zeros(2, 3)
            return self.call_op(cands, args, kwargs, node, name)
        if getattr(obj, "__module__", None) == "math" and callable(obj):
            return self.call_math(obj, node)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            raise self.err(node, "exceptions can only be raised in scripted code")
        if callable(obj) and hasattr(obj, "__code__"):
            declared = overloads.function_overloads(obj)
            if declared:
                return self.call_overloaded_function(obj, len(declared), node)
            return self.call_function(obj, node)
        raise self.err(node, f"'{name}' cannot be called in scripted code")

    def face_arguments(self, obj, cands, node):
        """The call's arguments, with keywords the schemas do not name but PyTorch's Python
        function does (``F.dropout(x, p, training=t)`` for the schema's ``train``) moved to
        their positions, earlier gaps filled with the Python function's defaults."""
        args, kwargs = self.args_of(node)
        known = {p.name for sig in cands for p in sig.params} | {"inplace"}
        foreign = [k for k in kwargs if k not in known]
        params = _python_params(obj)
        if not foreign or params is None or not all(k in params for k in foreign):
            return args, kwargs
        names = list(params)
        last = max(names.index(k) for k in foreign)
        for name in names[len(args) : last + 1]:
            if name in kwargs:
                args.append(kwargs.pop(name))
            elif params[name] is not inspect.Parameter.empty:
                args.append(self.b.constant(params[name]))
            else:
                raise self.err(node, f"{_callee(node)} is missing argument '{name}'")
        return args, kwargs

    def inplace_variant(self, obj, cands, args, kwargs, node):
        """PyTorch's ``inplace=`` argument of an nn.functional face with an in-place twin
        (``F.relu(x, inplace=True)`` is ``F.relu_(x)``): taken out of the arguments; a
        constant True picks the twin's overloads."""
        face = getattr(obj, "__ember_face__", "")
        twin = registry.face_overloads(face + "_") if face.startswith("F.") else []
        if not twin:
            return cands
        positional = sum(not p.kwarg_only for p in cands[0].params)
        flag = kwargs.pop("inplace", None)
        if flag is None and len(args) > positional:
            flag = args.pop(positional)
        if flag is None:
            return cands
        value = _constant_value(flag)
        if not isinstance(value, bool):
            raise self.err(node, f"{face}: inplace must be a constant True or False here")
        return twin if value else cands

    def check_arity(self, name, node):
        """Refuse a call of builtin `name` with a number of arguments it does not take."""
        lo, hi = _ARITY.get(name, (0, 99))
        if not lo <= len(node.args) <= hi:
            want = f"{lo} argument" if lo == hi == 1 else f"{lo} to {hi} arguments"
            want = f"{lo} arguments" if lo == hi != 1 else want
            raise self.err(node, f"{name}() takes {want} in scripted code "
                                 f"({len(node.args)} given)")  # fmt: skip

    def call_function(self, fn, node):
        compiled = self.ctx.function(fn, node, self)
        args = self.bind_args(compiled.params, node, _callee(node))
        op = self.b.call_function(compiled.qualified_name, args, [compiled.return_type])
        return op.results[0]

    def call_method(self, ref, name, node):
        if ref.info.container == "ModuleDict" and name in ("keys", "values", "items"):
            return self.module_dict_view(ref, name, node)
        module = getattr(ref.info, "module", None)
        declared = overloads.method_overloads(type(module), name) if module is not None else []
        if declared:
            return self.call_overloaded_method(ref, name, len(declared), node)
        method = self.ctx.method(ref.info, name, node, self)
        args = self.bind_args(method.params, node, f"{ref.info.original_name}.{name}")
        return self.b.call_method(ref.value, name, args, [method.return_type]).results[0]

    def bind_args(self, params, node, callname):
        """Match call arguments to a compiled function's parameters (`ember.ir.Param`)."""
        positional = [p for p in params if not p.kwonly]
        if len(node.args) > len(positional):
            raise self.err(node, f"{callname} takes {len(positional)} positional arguments "
                                 f"but {len(node.args)} were given")  # fmt: skip
        given = {p.name: a for p, a in zip(positional, node.args)}
        for k, a in node.kwargs:
            if k not in {p.name for p in params} or k in given:
                raise self.err(node, f"{callname} got an unexpected keyword argument '{k}'")
            given[k] = a
        return [self.bound_arg(p, i, given, node, callname) for i, p in enumerate(params, 1)]

    def bound_arg(self, p, i, given, node, callname):
        if p.name not in given:
            if p.default is registry.MISSING:
                raise self.err(node, f"{callname} is missing argument '{p.name}'")
            return self.b.constant(p.default, p.type if p.default is None else None)
        v = self.value(given[p.name], p.type)
        if T.is_subtype(v.type, p.type):
            return v
        if isinstance(p.type, T.FloatType) and isinstance(v.type, T.IntType):
            return self.emit("aten::Float.int", v, node=node)
        raise self.err(given[p.name], f"expected {p.type}, found {v.type} in "
                                      f"argument {i} of {callname}")  # fmt: skip

    def scalar_tensor(self, node):
        """``ember.tensor(data, dtype=..., device=..., requires_grad=...)``: ``aten::tensor``
        (the .int/.float/.bool overloads for numbers, the list one for nested lists)."""
        if len(node.args) != 1:
            raise self.err(node, "ember.tensor in scripted code takes one data argument")
        args, kwargs = self.args_of(node)
        return self.call_op("aten::tensor", args, kwargs, node, "ember.tensor")

    def tensor_method(self, f, node):
        callname = f"Tensor.{f.name}"
        if f.name in CONVERSION_METHODS and not node.args and not node.kwargs:
            dtype = self.b.constant(CONVERSION_METHODS[f.name].scalar_type)
            cands = registry.face_overloads("Tensor.to")
            return self.call_op(cands, [f.receiver, dtype], {}, node, callname)
        cands = registry.face_overloads(callname)
        if not cands:
            raise self.err(node, f"Tensor method '{f.name}' is not supported in scripted code")
        args, kwargs = self.args_of(node)
        if args and all(isinstance(a.type, T.IntType) for a in args):
            types = [f.receiver.type, *[a.type for a in args]]
            if f.name in _SIZE_METHODS or registry.match_among(cands, types, {}) is None:
                args = [self.b.list_construct(args, T.IntType.get())]  # x.view(2, 3)
        at = _receiver_position(cands)  # `self` is not always first: x.where(cond, y)
        return self.call_op(cands, [*args[:at], f.receiver, *args[at:]], kwargs, node, callname)


def _python_special(obj):
    """The builtin lowering of a Python function scripted code treats specially, or None:
    ``warnings.warn`` and ``is_grad_enabled`` (``ember._assert`` marks itself)."""
    if obj is warnings.warn:
        return "warn"
    if obj is grad_mode.is_grad_enabled:
        return "is_grad_enabled"
    return None


def _python_params(obj):
    """A Python function's positional-or-keyword parameters and their defaults, or None."""
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY)
    return {p.name: p.default for p in sig.parameters.values() if p.kind in kinds}


def _constant_value(v):
    op = getattr(v, "op", None)
    return op.attrs.get("value") if op is not None and op.kind == "prim::Constant" else None


def _receiver_position(cands) -> int:
    """Where a method's receiver goes among the positional arguments: at `self`."""
    names = [p.name for p in cands[0].params if not p.kwarg_only]
    return names.index("self") if "self" in names else 0


def _operator_of(obj):
    """The overloads a Python callable stands for: its face's, or its operator's; else None."""
    face = getattr(obj, "__ember_face__", None)
    if face is not None:
        return registry.face_overloads(face)
    kind = getattr(obj, "__ember_op__", None)
    return registry.overloads(kind) if kind is not None else None


def _callee(node):
    from ember.compiler.lowering.exprs import _describe

    return _describe(node.func) if isinstance(node, S.Call) else _describe(node)


def _first_mismatch(sig, types, kw_types, callname):
    positional = [p for p in sig.params if not p.kwarg_only]
    if len(types) > len(positional) and not sig.variadic:
        return None
    env: dict = {}
    for i, (p, t) in enumerate(zip(positional, types), 1):
        if registry.param_accepts(p, t, env, convert=True):
            continue
        if isinstance(t, T.OptionalType) and registry.accepts(p.type, t.elem, True):
            return (3 * i + 2, f"expected {p.type}, found {t} in argument {i} of {callname} "
                               "(check it with 'is not None' first)")  # fmt: skip
        concrete = not registry.is_type_var(p.type) and not any(
            registry.is_type_var(c) for c in p.type.contained()
        )
        return (3 * i + concrete, f"expected {p.type}, found {t} in argument {i} of {callname}")
    by_name = {p.name: p for p in sig.params}
    for k, t in kw_types.items():
        if k not in by_name:
            return (100, f"{callname} got an unexpected keyword argument '{k}'")
        if not registry.param_accepts(by_name[k], t, env, convert=True):
            return (101, f"expected {by_name[k].type}, found {t} in argument '{k}' of {callname}")
    return None


_INT_LIST = T.ListType(T.IntType.get())


def _wants_list(v, param) -> bool:
    if param is None or not isinstance(v.type, T.IntType):
        return False
    t = param.type.elem if isinstance(param.type, T.OptionalType) else param.type
    return isinstance(t, T.ListType) and isinstance(t.elem, T.IntType)
