"""Tensors, storages and the functions over them (the op table's Python face)."""

from ember.tensor.storage import TypedStorage, UntypedStorage
from ember.tensor.tensor import Size, Tensor

__all__ = ["Tensor", "Size", "UntypedStorage", "TypedStorage"]

# The op table's faces: Tensor methods/operators and the ember.* functions.
from ember.tensor import functions as _functions  # noqa: E402
from ember.tensor import methods as _methods  # noqa: E402
from ember.tensor.functions import *  # noqa: E402,F403

_methods.install()
__all__ += _functions.__all__
