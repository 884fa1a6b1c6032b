"""The values traced code sees: tensors that report traced sizes, and ints that record arithmetic.

NOTE: [Traced sizes]
Ops reach the tracer through the dispatch hook, but `x.size(0)` or `x.shape[1]` are plain
metadata reads that no op table entry sees. So every tensor the tracer hands to user code (the
example inputs, every op result) is a `TracedTensor`: a `Tensor` subclass with no extra state
whose `size()`/`shape` return `TracedInt`s while a trace is running. A TracedInt is a real
`int` (numpy and kernels take it as is) that also carries the IR value it was computed as;
arithmetic between traced and plain ints records `aten::add.int`-style ops, and when one is
passed to an op (``x.view(x.size(0), -1)``) the recorder uses its IR value, so the trace keeps
the size symbolic (float arithmetic on sizes gives `TracedFloat`s, ``ember.tracer.floats``).
Indexing with 0-d integer tensors records ``aten::Int`` and indexes by that traced int.
Conversions of tensors to Python values (`bool`, `int`, `float`, `complex`, `item`,
`tolist`, `numpy`, `len`, iteration) warn with a TracerWarning instead. Outside a trace all
of this behaves exactly like `Tensor` and `int`.

Example:
    >>> import numpy as np
    >>> t = TracedTensor._make(np.zeros((2, 3), np.float32))
    >>> t.size(0), type(t.size(0)).__name__    # no trace running: plain ints
    (2, 'int')
"""

from __future__ import annotations

from ember.tensor import dispatch
from ember.tensor.tensor import Size, Tensor
from ember.tracer.diagnostics import warn_example_specific
from ember.tracer.ints import ACTIVE, TracedInt

__all__ = ["TracedTensor", "TracedInt", "ACTIVE", "retag"]


class TracedTensor(Tensor):
    """A Tensor seen by traced code: sizes are recorded, Python conversions warn."""

    __slots__ = ()

    def size(self, dim: int | None = None):
        tracer = ACTIVE[0]
        if tracer is None:
            return Tensor.size(self, dim)
        if dim is None:
            return Size(tracer.size_of(self, d) for d in range(self._np.ndim))
        return tracer.size_of(self, dim)

    @property
    def shape(self):
        return self.size()

    def numel(self):
        if ACTIVE[0] is None:
            return Tensor.numel(self)
        sizes = self.size()
        n = sizes[0] if sizes else 1
        for s in sizes[1:]:
            n = n * s
        return n

    nelement = numel

    def __getitem__(self, index):
        if ACTIVE[0] is not None:
            index = _index_tensors_as_ints(index)
            if _basic_with_sizes(index):
                return _index_by_sizes(self, index if isinstance(index, tuple) else (index,))
        return Tensor.__getitem__(self, index)

    def __setitem__(self, index, value):
        if ACTIVE[0] is not None:
            index = _index_tensors_as_ints(index)
            if _basic_with_sizes(index) and _plain_value(value):
                view = _index_by_sizes(self, index if isinstance(index, tuple) else (index,))
                if isinstance(value, Tensor):
                    dispatch.call("aten::copy_", view, value)
                else:
                    dispatch.call("aten::fill_.Scalar", view, value)
                return
        Tensor.__setitem__(self, index, value)

    def __bool__(self):
        return _convert(self, "bool", Tensor.__bool__)

    def __int__(self):
        return _convert(self, "int", Tensor.__int__)

    def __index__(self):
        return _convert(self, "int", Tensor.__index__)

    def __float__(self):
        return _convert(self, "float", Tensor.__float__)

    def __complex__(self):
        return _convert(self, "complex", Tensor.__complex__)

    def item(self):
        return _convert(self, "number", Tensor.item)

    def tolist(self):
        return _convert(self, "list", Tensor.tolist)

    def numpy(self, *, force: bool = False):
        return _convert(self, "numpy", lambda t: Tensor.numpy(t, force=force))

    def __array__(self, dtype=None, copy=None):
        return _convert(self, "numpy", lambda t: Tensor.__array__(t, dtype, copy))

    def __len__(self):
        return _convert(self, "len", Tensor.__len__)

    def __iter__(self):
        return _convert(self, "iter", Tensor.__iter__)


_QUIET = [0]  # > 0 while one conversion runs: its inner conversions (bool -> item) stay quiet


def _convert(t: Tensor, kind: str, plain):
    """`plain(t)`, warning once (MESSAGES[kind]) if a trace runs: the value is baked in."""
    if ACTIVE[0] is None:
        return plain(t)
    if _QUIET[0]:
        return plain(t)
    warn_example_specific(kind)
    _QUIET[0] += 1
    try:
        return plain(t)
    finally:
        _QUIET[0] -= 1


def _index_tensors_as_ints(index):
    """`index` with 0-d integer tensors (``x[t]``, ``x[: t]``) replaced by traced ints
    (``aten::Int``), as PyTorch's tracer records them, instead of baking their values."""
    items = index if isinstance(index, tuple) else (index,)
    if not any(_is_int_scalar(i) or isinstance(i, slice) for i in items):
        return index
    out = []
    for item in items:
        if isinstance(item, slice):
            item = slice(*(_as_int(b) for b in (item.start, item.stop, item.step)))
        out.append(_as_int(item))
    return tuple(out) if isinstance(index, tuple) else out[0]


def _is_int_scalar(item) -> bool:
    return isinstance(item, Tensor) and item._np.ndim == 0 and item._np.dtype.kind in "iu"


def _as_int(item):
    return ACTIVE[0].int_of(item) if _is_int_scalar(item) else item


def _basic_with_sizes(index) -> bool:
    """A basic index (ints, slices, None, ...) holding a traced size somewhere."""
    items = index if isinstance(index, tuple) else (index,)
    found = False
    for item in items:
        if isinstance(item, slice):
            found = found or any(b.__class__ is TracedInt for b in (item.start, item.stop))
        elif item.__class__ is TracedInt:
            found = True
        elif not (item is None or item is Ellipsis or item.__class__ is int):
            return False
    return found


def _plain_value(value) -> bool:
    """A value `t[...] = value` writes with copy_/fill_ (others take Tensor's own path)."""
    return isinstance(value, Tensor | bool | int | float)


def _index_by_sizes(t: Tensor, items: tuple):
    """Basic indexing as select/slice/unsqueeze ops taking the traced sizes themselves
    (Tensor indexing reads bounds as plain ints, which would bake them in)."""
    consumed = sum(1 for i in items if i is not None and i is not Ellipsis)
    result, dim = t, 0
    for item in items:
        if item is Ellipsis:
            dim += t._np.ndim - consumed
        elif item is None:
            result = dispatch.call("aten::unsqueeze", result, dim)
            dim += 1
        elif isinstance(item, slice):
            step = 1 if item.step is None else item.step
            result = dispatch.call("aten::slice.Tensor", result, dim, item.start, item.stop, step)
            dim += 1
        else:
            result = dispatch.call("aten::select.int", result, dim, item)
    return result


def retag(x) -> None:
    """Make a fresh op result a TracedTensor (only exact Tensors: never Parameters)."""
    if x.__class__ is Tensor:
        x.__class__ = TracedTensor


def untag(x) -> None:
    """Turn a TracedTensor back into a plain Tensor (outputs handed back to the user)."""
    if x.__class__ is TracedTensor:
        x.__class__ = Tensor
