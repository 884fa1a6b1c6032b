"""Fresh tensors for layer construction, made straight from numpy (no op dispatch)."""

import numpy as np

from ember import dtypes
from ember.tensor.tensor import Tensor, wrap


def _np_dtype(dtype) -> np.dtype:
    return (dtype or dtypes.get_default_dtype()).np


def empty(shape, dtype=None) -> Tensor:
    return wrap(np.empty(tuple(shape), _np_dtype(dtype)))


def zeros(shape, dtype=None) -> Tensor:
    return wrap(np.zeros(tuple(shape), _np_dtype(dtype)))


def ones(shape, dtype=None) -> Tensor:
    return wrap(np.ones(tuple(shape), _np_dtype(dtype)))
