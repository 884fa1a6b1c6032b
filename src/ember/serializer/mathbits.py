"""PyTorch's lazy conj/neg bits on loaded tensors, and work that waits for storage bytes.

A torch file stores a lazily conjugated (or negated) tensor as its un-conjugated data plus
metadata `{'conj': True}`. ember has no such bits, so it applies them to a copy of the storage,
which the tensor views with its saved offset and strides. Storages are filled only after
unpickling, so the copying waits in the loader's `after_fill` list (see `deferred`).

Example:
    >>> import numpy as np
    >>> from ember.tensor.tensor import wrap
    >>> z = wrap(np.array([1 + 2j, 3j], np.complex64))
    >>> apply_metadata(z, {"conj": True}).tolist()
    [(1-2j), -3j]
"""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np

from ember import dtypes
from ember.errors import SerializationError
from ember.tensor import Tensor, UntypedStorage
from ember.tensor.tensor import from_storage

__all__ = ["AFTER_FILL", "deferred", "apply_metadata"]


# Loaders fill storages after unpickling; work that reads tensor data waits in this list.
AFTER_FILL: contextvars.ContextVar[list | None] = contextvars.ContextVar("after_fill", default=None)
# The conj/neg copies of storages made during one load, shared by every view that needs one.
_MATH_COPIES: contextvars.ContextVar[_Copies | None] = contextvars.ContextVar(
    "copies", default=None
)

# Copies may total COPY_FACTOR times the bytes of the buffers they copy from, + COPY_SLACK: a
# file's views of one storage (legacy storage views) would otherwise each copy all of it.
COPY_FACTOR, COPY_SLACK = 4, 1 << 20


class _Copies:
    """The copies made during one load, and the bytes they took (the copy budget)."""

    def __init__(self):
        self.made: dict = {}
        self.roots: dict = {}  # id -> (buffer, nbytes) of each buffer copied from
        self.copied = 0

    def charge(self, storage: UntypedStorage) -> None:
        root = storage._buf
        while isinstance(root.base, np.ndarray):
            root = root.base
        if id(root) not in self.roots:
            self.roots[id(root)] = (root, root.nbytes)  # held: its id stays its own
        self.copied += storage.nbytes()
        most = COPY_FACTOR * sum(n for _, n in self.roots.values()) + COPY_SLACK
        if self.copied > most:
            raise SerializationError(
                f"the conj/neg bits of the file's tensors need {self.copied} bytes of storage "
                f"copies; at most {most} may be made ({COPY_FACTOR}x the storages they copy + "
                f"{COPY_SLACK}: the copy budget)"
            )


@contextlib.contextmanager
def deferred(after_fill: list):
    """While unpickling: work reading tensor data is appended to `after_fill` (run it once the
    storages are filled), and storage copies for PyTorch's conj/neg bits are shared."""
    tokens = AFTER_FILL.set(after_fill), _MATH_COPIES.set(_Copies())
    try:
        yield
    finally:
        AFTER_FILL.reset(tokens[0])
        _MATH_COPIES.reset(tokens[1])


def apply_metadata(t: Tensor, metadata) -> Tensor:
    """Materialize PyTorch's lazy conj/neg bits (the file stores the un-conjugated data).

    The bits are applied to a copy of the whole storage, which the tensor then views with its
    saved offset and strides: the copy is never larger than the storage the file holds (an
    expanded view stays a view), and views with the same bits share it. Only complex tensors
    have the conj bit, and bool tensors have no neg bit (torch refuses such files too).
    """
    if not metadata:
        return t
    if not isinstance(metadata, dict):
        raise SerializationError(f"bad tensor metadata of type {type(metadata).__name__}")
    conj, neg = _bit(metadata, "conj"), _bit(metadata, "neg")
    dtype = t.dtype
    if conj and not dtype.is_complex:  # torch fails an internal assert on such a file
        raise SerializationError(
            f"tensor metadata asks to conjugate a {dtype} tensor: only complex tensors have "
            "the conj bit"
        )
    if neg and dtype is dtypes.bool_:
        raise SerializationError("tensor metadata asks to negate a bool tensor")
    if not (conj or neg):
        return t
    storage = t.untyped_storage()
    copies = _MATH_COPIES.get()
    key = (id(storage), dtype, conj, neg)
    found = None if copies is None else copies.made.get(key)
    if found is None:
        if copies is not None:
            copies.charge(storage)
        found = (storage, _math_copy(storage, dtype, conj, neg))
        if copies is not None:
            copies.made[key] = found  # holding `storage` keeps its id from being reused
    return from_storage(found[1], t.storage_offset(), t.size(), t.stride(), dtype)


def _bit(metadata: dict, name: str) -> bool:
    value = metadata.get(name, False)
    if type(value) not in (bool, int):
        raise SerializationError(f"bad tensor metadata {name!r}: a {type(value).__name__}")
    return bool(value)


def _math_copy(storage: UntypedStorage, dtype, conj: bool, neg: bool) -> UntypedStorage:
    copy = UntypedStorage(np.empty(storage.nbytes(), np.uint8))

    def materialize():
        source, out = storage._view_as(dtype), copy._view_as(dtype)
        if conj:
            np.conjugate(source, out=out)
        else:
            out[...] = source
        if neg:
            np.negative(out, out=out)

    pending = AFTER_FILL.get()
    if pending is None:
        materialize()
    else:
        pending.append(materialize)
    return copy
