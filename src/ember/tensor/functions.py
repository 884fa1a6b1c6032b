"""The `ember.*` functions: the op table's ``ember.`` faces.

Every face is generated from the table (`ember.tensor.faces`), except where PyTorch's Python
signature is not the op's schema: those are written here, each marked as the face it stands
for (`adapter`). Each carries ``__ember_face__``, so the compiler maps a call to the op.

Example:
    >>> import ember
    >>> ember.add(ember.ones(2), 1, alpha=2)
    tensor([3., 3.])
    >>> ember.add.__ember_face__, ember.zeros.__ember_face__
    ('ember.add', 'ember.zeros')
"""

from __future__ import annotations

from ember import dtypes
from ember.ops import table
from ember.ops.kernels import create as k_create
from ember.tensor import faces
from ember.tensor.dispatch import call
from ember.tensor.faces import adapter
from ember.tensor.tensor import Tensor


def _size_args(size) -> list:
    if len(size) == 1 and not isinstance(size[0], int):
        return list(size[0])
    return list(size)


def _creation(name: str):
    face = f"ember.{name}"
    op = table.by_face(face)[0]

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
    return adapter(face)(fn)


def _device(device):
    if device is not None and str(device) != "cpu":
        raise RuntimeError(f"ember runs on the CPU only, got device={device!r}")
    return None


zeros = _creation("zeros")
ones = _creation("ones")
rand = _creation("rand")
randn = _creation("randn")


@adapter("ember.empty")
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


@adapter("ember.full")
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


@adapter("ember.arange")
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


@adapter("ember.linspace")
def linspace(
    start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
):
    """`steps` values evenly spaced from start to end inclusive."""
    t = call(
        "aten::linspace", _scalar(start), _scalar(end), steps, dtype=dtype, device=_device(device)
    )
    t._set_requires_grad(requires_grad)
    return t


@adapter("ember.logspace")
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


@adapter("ember.eye")
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


@adapter("ember.randint")
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


@adapter("ember.cat")
def cat(tensors, dim=0, *, out=None):
    """Concatenate tensors along an existing dimension."""
    return call("aten::cat", list(tensors), dim)


@adapter("ember.stack")
def stack(tensors, dim=0, *, out=None):
    """Join equal-shaped tensors along a new dimension."""
    return call("aten::stack", list(tensors), dim)


@adapter("ember.split")
def split(tensor, split_size_or_sections, dim=0):
    """Pieces of one size (int) or of the listed sizes along `dim`, as a tuple of views."""
    if isinstance(split_size_or_sections, int):
        return tuple(call("aten::split.Tensor", tensor, split_size_or_sections, dim))
    return tuple(call("aten::split_with_sizes", tensor, list(split_size_or_sections), dim))


@adapter("ember.gelu")
def gelu(input, approximate="none"):
    """x * Phi(x), or its tanh approximation."""
    return call("aten::gelu", input, approximate=approximate)


_ADAPTERS = {
    name: fn
    for name, fn in dict(globals()).items()
    if getattr(fn, "__ember_face__", "").startswith("ember.")
}
__all__ = [*faces.install("ember", _ADAPTERS, globals().__setitem__), "manual_seed"]
