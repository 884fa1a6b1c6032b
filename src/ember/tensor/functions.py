"""The `ember.*` functions: faces of the op table (one table -> many faces).

Each public function runs table ops through `ember.tensor.dispatch` and carries
`__ember_op__`, the op name (without overload) it maps to, so the compiler can map Python
callables to ops and pick the overload by schema.

Example:
    >>> import ember
    >>> ember.add(ember.ones(2), 1, alpha=2)
    tensor([3., 3.])
    >>> ember.add.__ember_op__
    'aten::add'
"""

from __future__ import annotations

from ember import dtypes
from ember.ops import table as registry
from ember.ops.kernels import create as k_create
from ember.tensor import ops_names as names
from ember.tensor.dispatch import call, function_invoker, resolve
from ember.tensor.tensor import Tensor

_SINGLE = names.FUNCTIONS_ONE_OP
_OVERLOADED = names.FUNCTIONS_OVERLOADED
_TUPLE_RESULT = {"unbind"}
_ALIASES = {
    "true_divide": "div",
    "multiply": "mul",
    "subtract": "sub",
    "concat": "cat",
    "concatenate": "cat",
}


_TENSORS_ONLY = {"maximum", "minimum", "logical_and", "logical_or", "logical_xor"}


def _tensors_only(name: str, inv):
    """A binary face that, like PyTorch's, refuses Python numbers for `other`."""

    def fn(input, other):
        if not isinstance(other, Tensor):
            raise TypeError(
                f"{name}(): argument 'other' (position 2) must be Tensor, "
                f"not {type(other).__name__}"
            )
        return inv(input, other)

    fn.__name__ = name
    fn.__doc__ = inv.__doc__
    return fn


def _op_face(name: str):
    """A function calling the op `aten::name`, resolving its overload from the arguments."""
    qualified = "aten::" + name
    ops = registry.overloads(qualified)
    tuple_result = name in _TUPLE_RESULT
    if name in _TENSORS_ONLY:
        fn = _tensors_only(name, function_invoker(ops[0]))
    elif len(ops) == 1 and not tuple_result:
        fn = function_invoker(ops[0])
    else:

        def fn(*args, **kwargs):
            if "input" in kwargs:
                kwargs["self"] = kwargs.pop("input")
                if not args:
                    args = (kwargs.pop("self"),)
            r = call(resolve(qualified, args, kwargs), *args, **kwargs)
            return tuple(r) if tuple_result else r

        fn.__name__ = name
        fn.__doc__ = "\n".join(str(o.schema) for o in ops)
    if name.endswith("_like"):
        fn = _with_requires_grad(name, fn)
    fn.__ember_op__ = qualified
    return fn


def _with_requires_grad(name: str, inv):
    """A factory face that also takes PyTorch's `requires_grad=` (a stored flag in ember)."""

    def fn(*args, requires_grad=False, **kwargs):
        t = inv(*args, **kwargs)
        t._set_requires_grad(requires_grad)
        return t

    fn.__name__ = name
    fn.__doc__ = inv.__doc__
    return fn


def _face(op_name: str):
    def mark(fn):
        fn.__ember_op__ = "aten::" + op_name
        return fn

    return mark


def _size_args(size) -> list:
    if len(size) == 1 and not isinstance(size[0], int):
        return list(size[0])
    return list(size)


def _creation(name: str):
    op = registry.get("aten::" + name)

    def fn(
        *size,
        generator=None,
        out=None,
        dtype=None,
        layout=None,
        device=None,
        requires_grad=False,
        pin_memory=False,
    ):
        if not size:
            raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
        t = call(op, _size_args(size), dtype=dtype, device=_device(device))
        t._set_requires_grad(requires_grad)
        return t

    fn.__name__ = name
    fn.__doc__ = f"ember.{name}(*size, dtype=None): {op.doc}"
    fn.__ember_op__ = op.name
    return fn


def _device(device):
    if device is not None and str(device) != "cpu":
        raise RuntimeError(f"ember runs on the CPU only, got device={device!r}")
    return None


zeros = _creation("zeros")
ones = _creation("ones")
rand = _creation("rand")
randn = _creation("randn")


@_face("empty")
def empty(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    memory_format=None,
):
    """A tensor of the given size (ember zero-fills it)."""
    if not size:
        raise TypeError('empty() missing 1 required positional arguments: "size"')
    t = call("aten::empty.memory_format", _size_args(size), dtype=dtype, device=_device(device))
    t._set_requires_grad(requires_grad)
    return t


@_face("full")
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of `size` filled with `fill_value` (dtype from the value: int -> int64, ...).

    >>> import ember
    >>> ember.full((2,), 7).dtype
    ember.int64
    """
    t = call(
        "aten::full",
        list(size) if not isinstance(size, int) else [size],
        fill_value,
        dtype=dtype,
        device=_device(device),
    )
    t._set_requires_grad(requires_grad)
    return t


@_face("arange")
def arange(
    start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
):
    """Values from start (0 if only one bound is given) to end, exclusive, by step.

    >>> import ember
    >>> ember.arange(5)
    tensor([0, 1, 2, 3, 4])
    """
    start, end, step = (_scalar(v) for v in (start, end, step))
    if end is None:
        t = call("aten::arange", start, dtype=dtype, device=_device(device))
    elif step == 1 and not isinstance(step, float):
        t = call("aten::arange.start", start, end, dtype=dtype, device=_device(device))
    else:
        t = call("aten::arange.start_step", start, end, step, dtype=dtype, device=_device(device))
    t._set_requires_grad(requires_grad)
    return t


def _scalar(v):
    return v.item() if isinstance(v, Tensor) else v


@_face("linspace")
def linspace(
    start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
):
    """`steps` values evenly spaced from start to end inclusive."""
    t = call(
        "aten::linspace", _scalar(start), _scalar(end), steps, dtype=dtype, device=_device(device)
    )
    t._set_requires_grad(requires_grad)
    return t


@_face("logspace")
def logspace(
    start,
    end,
    steps,
    base=10.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """base ** linspace(start, end, steps)."""
    t = call(
        "aten::logspace",
        _scalar(start),
        _scalar(end),
        steps,
        base,
        dtype=dtype,
        device=_device(device),
    )
    t._set_requires_grad(requires_grad)
    return t


@_face("eye")
def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """An n x m matrix with ones on the diagonal.

    >>> import ember
    >>> ember.eye(2, 3, dtype=ember.int32)
    tensor([[1, 0, 0],
            [0, 1, 0]], dtype=ember.int32)
    """
    if m is None:
        t = call("aten::eye", n, dtype=dtype, device=_device(device))
    else:
        t = call("aten::eye.m", n, m, dtype=dtype, device=_device(device))
    t._set_requires_grad(requires_grad)
    return t


@_face("randint")
def randint(
    low,
    high=None,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """Random integers in [low, high) (or [0, low) when high is omitted), int64 by default."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        high, low = low, 0
    t = call("aten::randint.low", low, high, list(size), dtype=dtype or dtypes.int64)
    t._set_requires_grad(requires_grad)
    return t


class _SeedState:
    """What `ember.manual_seed` returns (PyTorch returns its Generator)."""

    def __init__(self, seed: int):
        self._seed = seed

    def initial_seed(self) -> int:
        return self._seed

    def __repr__(self) -> str:
        return f"<ember generator seeded with {self._seed}>"


def manual_seed(seed: int) -> _SeedState:
    """Seed ember's random number generator (values differ from PyTorch's for the same seed).

    >>> import ember
    >>> _ = ember.manual_seed(0); a = ember.rand(3)
    >>> _ = ember.manual_seed(0); bool((a == ember.rand(3)).all())
    True
    """
    k_create.manual_seed(seed)
    return _SeedState(int(seed))


@_face("cat")
def cat(tensors, dim=0, *, out=None):
    """Concatenate tensors along an existing dimension."""
    return call("aten::cat", list(tensors), dim)


@_face("stack")
def stack(tensors, dim=0, *, out=None):
    """Join equal-shaped tensors along a new dimension."""
    return call("aten::stack", list(tensors), dim)


@_face("split")
def split(tensor, split_size_or_sections, dim=0):
    """Pieces of one size (int) or of the listed sizes along `dim`, as a tuple of views."""
    if isinstance(split_size_or_sections, int):
        return tuple(call("aten::split.Tensor", tensor, split_size_or_sections, dim))
    return tuple(call("aten::split_with_sizes", tensor, list(split_size_or_sections), dim))


@_face("chunk")
def chunk(input, chunks, dim=0):
    """At most `chunks` views of equal size along `dim`."""
    return tuple(call("aten::chunk", input, chunks, dim))


@_face("div")
def div(input, other, *, rounding_mode=None, out=None):
    """input / other: true division, or rounded with rounding_mode 'trunc' / 'floor'.

    >>> import ember
    >>> ember.div(ember.tensor([-7, 7]), 2, rounding_mode="trunc")
    tensor([-3,  3])
    """
    scalar = not isinstance(other, Tensor)
    if rounding_mode is None:
        return call("aten::div.Scalar" if scalar else "aten::div.Tensor", input, other)
    name = "aten::div.Scalar_mode" if scalar else "aten::div.Tensor_mode"
    return call(name, input, other, rounding_mode=rounding_mode)


@_face("where")
def where(condition, input=None, other=None):
    """Elements of input where condition holds, else of other; or the indices of non-zeros."""
    if input is None and other is None:
        return tuple(call("aten::where", condition))
    kinds = (isinstance(input, Tensor), isinstance(other, Tensor))
    name = {(True, True): "self", (True, False): "ScalarOther", (False, True): "ScalarSelf"}
    return call("aten::where." + name.get(kinds, "Scalar"), condition, input, other)


@_face("softmax")
def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along dim."""
    return call("aten::softmax.int", input, dim, dtype)


@_face("log_softmax")
def log_softmax(input, dim, dtype=None):
    """log(softmax(x)) along dim."""
    return call("aten::log_softmax.int", input, dim, dtype)


@_face("gelu")
def gelu(input, approximate="none"):
    """x * Phi(x), or its tanh approximation."""
    return call("aten::gelu", input, approximate=approximate)


@_face("silu")
def silu(input):
    """x * sigmoid(x)."""
    return call("aten::silu", input)


@_face("linear")
def linear(input, weight, bias=None):
    """input @ weight.T + bias."""
    return call("aten::linear", input, weight, bias)


def _export():
    out = {}
    for name in _SINGLE + _OVERLOADED:
        out[name] = _op_face(name)
    for alias, target in _ALIASES.items():
        out[alias] = out.get(target) or globals()[target]
    return out


globals().update(_export())

__all__ = sorted(
    set(_SINGLE + _OVERLOADED + list(_ALIASES))
    | {
        "zeros", "ones", "rand", "randn", "empty", "full", "arange", "linspace", "logspace",
        "eye", "randint", "manual_seed", "cat", "stack", "split", "chunk", "div", "where",
        "softmax", "log_softmax", "gelu", "silu", "linear",
    }
)  # fmt: skip
