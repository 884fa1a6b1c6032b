"""The values traced code sees: tensors that report traced sizes, and ints that record arithmetic.

NOTE: [Traced sizes]
Ops reach the tracer through the dispatch hook, but `x.size(0)` or `x.shape[1]` are plain
metadata reads that no op table entry sees. So every tensor the tracer hands to user code (the
example inputs, every op result) is a `TracedTensor`: a `Tensor` subclass with no extra state
whose `size()`/`shape` return `TracedInt`s while a trace is running. A TracedInt is a real
`int` (numpy and kernels take it as is) that also carries the IR value it was computed as;
arithmetic between traced and plain ints records `aten::add.int`-style ops, and when one is
passed to an op (``x.view(x.size(0), -1)``) the recorder uses its IR value, so the trace keeps
the size symbolic. Conversions of tensors to Python values (`bool`, `int`, `float`, `item`,
`len`, iteration) warn with a TracerWarning instead. Outside a trace all of this behaves
exactly like `Tensor` and `int`.

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
        if ACTIVE[0] is not None and _basic_with_sizes(index):
            return _index_by_sizes(self, index if isinstance(index, tuple) else (index,))
        return Tensor.__getitem__(self, index)

    def __setitem__(self, index, value):
        if ACTIVE[0] is not None and _basic_with_sizes(index) and _plain_value(value):
            view = _index_by_sizes(self, index if isinstance(index, tuple) else (index,))
            if isinstance(value, Tensor):
                dispatch.call("aten::copy_", view, value)
            else:
                dispatch.call("aten::fill_.Scalar", view, value)
            return
        Tensor.__setitem__(self, index, value)

    def __bool__(self):
        if ACTIVE[0] is not None:
            warn_example_specific("bool")
        return Tensor.__bool__(self)

    def __int__(self):
        if ACTIVE[0] is not None:
            warn_example_specific("int")
        return Tensor.__int__(self)

    def __index__(self):
        if ACTIVE[0] is not None:
            warn_example_specific("int")
        return Tensor.__index__(self)

    def __float__(self):
        if ACTIVE[0] is not None:
            warn_example_specific("float")
        return Tensor.__float__(self)

    def item(self):
        if ACTIVE[0] is not None:
            warn_example_specific("number")
        return Tensor.item(self)

    def tolist(self):
        if ACTIVE[0] is not None:
            warn_example_specific("list")
        return Tensor.tolist(self)

    def __len__(self):
        if ACTIVE[0] is not None:
            warn_example_specific("len")
        return Tensor.__len__(self)

    def __iter__(self):
        if ACTIVE[0] is not None:
            warn_example_specific("iter")
        return Tensor.__iter__(self)


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
