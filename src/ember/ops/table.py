"""The op table: every operator the IR can name, defined once.

An entry (`OpDef`) is one overload: its schema (PyTorch's name, overload and schema text,
equal to torch 2.13's), the archive version it needs, its traits, its Python faces and its
Python implementation. Tensor ops (``aten::add.Tensor``), TorchScript's scalar and container
builtins (``aten::add.int``, ``aten::append.t``) and the structural prims of the IR
(``prim::If``) all live here; eager tensor methods and functions, the compiler, the tracer,
the runtime, the printers and the archive writers read it.

How to register an op (in a module of `ember.ops.kernels`)::

    @register(
        "relu(Tensor self) -> Tensor",      # torch's schema, verbatim
        traits=("pure", "elementwise"),      # see TRAITS
        version=0,                           # archive version the op needs (0: unversioned)
        faces="ember Tensor F",              # ember.relu, Tensor.relu, nn.functional.relu
        doc="max(x, 0) elementwise",
    )
    def relu(a):                             # the kernel
        return np.maximum(a, 0)

Kernels of ops with Tensor arguments or results take numpy arrays (the dispatcher in
`ember.tensor.dispatch` converts, see its docstring); ops on plain values (ints, lists,
strings) take and return Python values, and may give an `inline` Python template instead of
a kernel (``"({0} + {1})"``, operands numbered in schema order, ``{*}`` for all of them):
the runtime pastes it into generated code and the kernel is compiled from the same text.

Faces are the Python names an op answers to, as dotted names: ``ember.add``,
``Tensor.add``, ``F.relu`` (ember.nn.functional), ``list.append``, ``math.sqrt``. A word
without a dot names a namespace and stands for ``<namespace>.<op name>``.

Example:
    >>> op = get("aten::add.Tensor")
    >>> op.name, op.overload, op.version, sorted(op.traits)
    ('aten::add', 'Tensor', 0, ['elementwise', 'pure'])
    >>> str(op.schema)
    'add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor'
    >>> sorted(o.qualified_name for o in by_face("list.append"))
    ['aten::append.t']
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ember.ops.schema import Schema, parse_schema

__all__ = [
    "OpDef",
    "register",
    "register_lines",
    "unregister",
    "get",
    "overloads",
    "all_ops",
    "by_face",
    "faces",
    "TRAITS",
    "FACE_NAMESPACES",
    "expand_int_list",
]

TRAITS = frozenset(
    {
        "pure",  # no side effects: removable when unused
        "effect",  # a side effect besides writing a tensor (print, raise, list.append)
        "inplace",  # writes a Tensor(a!) argument
        "view",  # a result shares an argument's memory (Tensor(a))
        "elementwise",
        "reduction",
        "creation",  # makes a new tensor from sizes or values (never folded)
        "nondeterministic",  # random: results differ between runs
        "control",  # owns blocks (prim::If, prim::Loop)
        "terminator",  # ends a block (prim::Return, prim::Yield)
        "structural",  # no kernel: the runtime and the printers handle it themselves
    }
)
FACE_NAMESPACES = frozenset({"ember", "Tensor", "F", "list", "dict", "str", "math"})

_TABLE: dict[str, OpDef] = {}
_BY_NAME: dict[str, list[OpDef]] = {}
_BY_FACE: dict[str, list[OpDef]] = {}


class OpDef:
    """One operator overload (see the module docstring).

    `value_only` is true when no argument or result is a Tensor: the kernel then takes the
    IR's values as they are. `_invoke` is filled in lazily by the dispatcher.
    """

    __slots__ = (
        "name", "overload", "qualified_name", "schema", "version", "traits", "kernel", "doc",
        "faces", "inline", "value_only", "_invoke",
    )  # fmt: skip

    def __init__(self, schema: Schema, kernel, version, traits, doc, faces=(), inline=None):
        self.schema = schema
        self.name = schema.name
        self.overload = schema.overload
        self.qualified_name = schema.qualified_name
        self.kernel = kernel
        self.version = version
        self.traits = frozenset(traits)
        self.doc = doc
        self.faces = tuple(faces)
        self.inline = inline
        self.value_only = not any("Tensor" in a.type for a in _typed(schema))
        self._invoke = None

    @property
    def has_side_effects(self) -> bool:
        """Whether removing an unused call could change what a program does."""
        return "pure" not in self.traits

    def __repr__(self) -> str:
        return f"<OpDef {self.qualified_name}: {self.schema}>"


def _typed(schema: Schema):
    return (*schema.arguments, *schema.returns)


def register(
    schema: str,
    kernel: Callable | None = None,
    *,
    traits=("pure",),
    version: int = 0,
    doc: str = "",
    faces: str = "",
    inline: str | None = None,
):
    """Add one op to the table; usable as a decorator (returns the kernel unchanged).

    Raises ValueError for a duplicate qualified name, unknown traits or faces, a bad schema,
    or a kernel missing where the traits do not say "structural".
    """

    def add(fn: Callable | None) -> Callable | None:
        parsed = parse_schema(schema)
        _check_traits(parsed.qualified_name, frozenset(traits))
        if parsed.qualified_name in _TABLE:
            raise ValueError(f"{parsed.qualified_name} is already registered")
        if inline is not None:
            fn = _compile_inline(parsed, inline)
        if fn is None and "structural" not in traits:
            raise ValueError(f"{parsed.qualified_name} needs a kernel (or the structural trait)")
        text = doc or (getattr(fn, "__doc__", None) or "").strip().split("\n")[0]
        op = OpDef(parsed, fn, version, traits, text, _faces(parsed, faces), inline)
        if inline is not None and not op.value_only:
            raise ValueError(f"{op.qualified_name}: inline templates are for ops on plain values")
        _TABLE[op.qualified_name] = op
        _BY_NAME.setdefault(op.name, []).append(op)
        for face in op.faces:
            _BY_FACE.setdefault(face, []).append(op)
        return fn

    return add if kernel is None and inline is None and "structural" not in traits else add(kernel)


def _check_traits(name: str, traits: frozenset) -> None:
    unknown = traits - TRAITS
    if unknown:
        raise ValueError(f"{name}: unknown traits {sorted(unknown)}")
    if "pure" in traits and traits & {"effect", "inplace", "nondeterministic"}:
        raise ValueError(f"{name}: a pure op cannot also be {sorted(traits - {'pure'})}")


def _faces(schema: Schema, text: str) -> tuple[str, ...]:
    short = schema.name.split("::", 1)[1]
    out = []
    for word in text.split():
        face = word if "." in word else f"{word}.{short}"
        if face.split(".", 1)[0] not in FACE_NAMESPACES:
            raise ValueError(f"{schema.qualified_name}: unknown face namespace in {word!r}")
        out.append(face)
    return tuple(out)


def _compile_inline(schema: Schema, template: str) -> Callable:
    """The kernel a template stands for: ``({0} + {1})`` -> ``lambda *_a: (_a[0] + _a[1])``."""
    body = template.replace("{*1}", "*_a[1:]").replace("{*}", "*_a")
    body = body.format(*(f"_a[{i}]" for i in range(len(schema.arguments) + 8)))
    try:
        ast.parse(body, mode="eval")
        source = f"def _kernel(*_a):\n    return {body}\n"
    except SyntaxError:
        source = f"def _kernel(*_a):\n    {body}\n"
    env: dict = {}
    exec(compile(source, f"<ember op {schema.qualified_name}>", "exec"), env)
    kernel = env["_kernel"]
    kernel.__doc__ = template
    return kernel


def register_lines(text: str, kernels: dict | None = None) -> None:
    """Register ops written one per line: ``schema | traits and faces | python | doc``.

    `python` is an inline template (it may contain `` | ``: the first two and the last column
    are split off), or ``kernel:<name>`` for a function in `kernels`, or ``-`` for structural
    ops. A line starting with spaces continues the previous one.

    >>> register_lines("ember::demo.twice(int a) -> int | pure | ({0} * 2) | twice a")
    >>> get("ember::demo.twice").kernel(21)
    42
    >>> _ = unregister("ember::demo.twice")
    """
    for line in _joined_lines(text):
        parts = [p.strip() for p in line.split(" | ")]
        schema, words, python, doc = parts[0], parts[1], " | ".join(parts[2:-1]), parts[-1]
        traits = [w for w in words.split() if "." not in w and w not in FACE_NAMESPACES]
        faces = " ".join(w for w in words.split() if w not in traits)
        kernel, inline = None, None
        if python.startswith("kernel:"):
            kernel = (kernels or {})[python.removeprefix("kernel:")]
        elif python != "-":
            inline = python
        register(schema, kernel, traits=traits, doc=doc, faces=faces, inline=inline)


def _joined_lines(text: str) -> list[str]:
    lines: list[str] = []
    for ln in text.strip("\n").splitlines():
        if ln.startswith(" ") and lines:
            lines[-1] += " " + ln.strip()
        elif ln.strip():
            lines.append(ln.strip())
    return lines


def unregister(qualified_name: str) -> OpDef:
    """Remove an op from the table (for experiments and tests); KeyError if absent."""
    op = get(qualified_name)
    del _TABLE[op.qualified_name]
    _BY_NAME[op.name].remove(op)
    if not _BY_NAME[op.name]:
        del _BY_NAME[op.name]
    for face in op.faces:
        _BY_FACE[face].remove(op)
        if not _BY_FACE[face]:
            del _BY_FACE[face]
    return op


def get(qualified_name: str) -> OpDef:
    """The op called `qualified_name` ('aten::add.Tensor'; 'aten::relu' for no overload).

    Raises KeyError naming the op when it is not in the table.

    >>> get("aten::relu").schema.returns[0].type
    'Tensor'
    """
    op = _TABLE.get(qualified_name)
    if op is None:
        if "::" not in qualified_name:
            return get("aten::" + qualified_name)
        raise KeyError(f"operator {qualified_name} is not in ember's op table")
    return op


def overloads(name: str) -> list[OpDef]:
    """All overloads of `name` ('aten::add'), in registration order (empty if unknown).

    >>> [op.overload for op in overloads("aten::add")]
    ['int', 'float', 'int_float', 'float_int', 't', 'str', 'Tensor', 'Scalar']
    """
    if "::" not in name:
        name = "aten::" + name
    return list(_BY_NAME.get(name, ()))


def by_face(face: str) -> list[OpDef]:
    """The overloads answering to Python name `face` ('Tensor.add'), in registration order.

    >>> [op.qualified_name for op in by_face("ember.relu")]
    ['aten::relu']
    """
    return list(_BY_FACE.get(face, ()))


def faces() -> dict[str, list[OpDef]]:
    """Every face and its overloads."""
    return {face: list(ops) for face, ops in _BY_FACE.items()}


def all_ops() -> list[OpDef]:
    """Every registered op, in registration order.

    >>> any(op.qualified_name == "aten::linear" for op in all_ops())
    True
    """
    return list(_TABLE.values())


def expand_int_list(value, n: int) -> list[int]:
    """An `int[n]` argument as a list of n ints (a bare int is repeated, as PyTorch does).

    >>> expand_int_list(3, 2), expand_int_list([1, 2], 2)
    ([3, 3], [1, 2])
    """
    if isinstance(value, int):
        return [value] * n
    value = list(value)
    return value * n if len(value) == 1 and n > 1 else value
