"""Tensors, storages and the functions over them (the op table's Python face)."""

from ember.tensor.storage import TypedStorage, UntypedStorage
from ember.tensor.tensor import Size, Tensor

__all__ = ["Tensor", "Size", "UntypedStorage", "TypedStorage"]
