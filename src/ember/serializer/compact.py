"""`compact=True`: write only the bytes of each storage that the saved tensors reach.

A first pickling pass records, per storage, the byte extent of every saved tensor (a storage
saved as itself reaches all of its bytes). Overlapping
(or touching) extents merge into pieces; each piece becomes its own storage, a numpy view of the
original bytes (nothing is copied), and tensors are re-pointed at their piece with the offset
shifted. Tensors that overlapped still overlap after loading; the file is an ordinary checkpoint.

Example:
    >>> import numpy as np
    >>> from ember.tensor.tensor import wrap, wrap_view
    >>> large = wrap(np.arange(1, 1000))
    >>> small = wrap_view(large._np[0:5], large)
    >>> plan = CompactPlan()
    >>> _ = plan.remap(small, small.untyped_storage(), 0)
    >>> plan.freeze()
    >>> storage, offset = plan.remap(small, small.untyped_storage(), 0)
    >>> storage.nbytes(), offset
    (40, 0)
"""

from __future__ import annotations

import numpy as np

from ember.tensor import Tensor, UntypedStorage

__all__ = ["CompactPlan", "byte_extent"]


def byte_extent(t: Tensor, offset: int) -> tuple[int, int] | None:
    """[start, end) bytes of the storage that `t` (at element `offset`) reaches; None if empty."""
    if t.numel() == 0:
        return None
    itemsize = t.element_size()
    last = offset + sum((n - 1) * s for n, s in zip(t.size(), t.stride()))
    return offset * itemsize, (last + 1) * itemsize


class CompactPlan:
    """Collects extents (first pass), then maps tensors onto compacted pieces (second pass)."""

    def __init__(self):
        self._extents: dict[int, list[tuple[int, int]]] = {}
        self._storages: dict[int, UntypedStorage] = {}
        self._pieces: dict[int, list[tuple[int, int, UntypedStorage]]] | None = None
        self._empty: dict[int, UntypedStorage] = {}

    def remap(self, t: Tensor, storage: UntypedStorage, offset: int):
        """(storage, element offset) to write for tensor `t`; identity in the first pass."""
        extent = byte_extent(t, offset)
        if self._pieces is None:
            self._storages[id(storage)] = storage
            if extent is not None:
                self._extents.setdefault(id(storage), []).append(extent)
            return storage, offset
        if extent is None:
            empty = self._empty.setdefault(id(storage), UntypedStorage(0))
            return empty, 0
        for start, end, piece in self._pieces[id(storage)]:
            if start <= extent[0] and extent[1] <= end:
                return piece, offset - start // t.element_size()
        raise AssertionError("tensor outside every compacted piece")  # pragma: no cover

    def remap_storage(self, storage: UntypedStorage) -> UntypedStorage:
        """The storage to write for a storage saved as itself: all of it is reached."""
        if self._pieces is None:
            self._storages[id(storage)] = storage
            if storage.nbytes():
                self._extents.setdefault(id(storage), []).append((0, storage.nbytes()))
            return storage
        if not storage.nbytes():
            return self._empty.setdefault(id(storage), UntypedStorage(0))
        (start, end, piece), *rest = self._pieces[id(storage)]
        assert start == 0 and end == storage.nbytes() and not rest  # one piece: the whole
        return piece

    def freeze(self) -> None:
        """End the first pass: merge the extents of each storage into pieces."""
        self._pieces = {}
        for key, extents in self._extents.items():
            buf = self._storages[key]._buf
            pieces = []
            for start, end in _merge(extents):
                pieces.append((start, end, UntypedStorage(np.asarray(buf[start:end]))))
            self._pieces[key] = pieces


def _merge(extents):
    merged: list[list[int]] = []
    for start, end in sorted(extents):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [tuple(m) for m in merged]
