"""Tensors, storages and the functions over them (the op table's Python face)."""

# storage and Tensor first: the modules below build on them
# isort: off
from ember.tensor.storage import TypedStorage, UntypedStorage
from ember.tensor.tensor import Size, Tensor
from ember.tensor.convert import as_tensor, from_numpy, tensor  # noqa: E402
from ember.tensor.printing import get_printoptions, printoptions, set_printoptions  # noqa: E402
from ember.tensor import indexing as _indexing  # noqa: E402,F401  (installs t[...])
# isort: on

__all__ = ["Tensor", "Size", "UntypedStorage", "TypedStorage"]
__all__ += ["tensor", "as_tensor", "from_numpy", "set_printoptions", "get_printoptions"]
__all__ += ["printoptions"]

# The op table's faces: Tensor methods/operators and the ember.* functions.
from ember.tensor import functions as _functions  # noqa: E402
from ember.tensor import methods as _methods  # noqa: E402
from ember.tensor.functions import *  # noqa: E402,F403

_methods.install()
__all__ += _functions.__all__
