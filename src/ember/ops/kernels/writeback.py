"""Writing a result into an existing array, with PyTorch's checks for in-place ops.

Example:
    >>> import numpy as np
    >>> a = np.zeros(2, np.float32)
    >>> write(a, np.array([1.5, 2.25])).tolist()
    [1.5, 2.25]
    >>> write(np.zeros(2, np.int64), np.array([1j, 2j]))
    Traceback (most recent call last):
      ...
    RuntimeError: result type ComplexDouble can't be cast to the desired output type Long
"""

from __future__ import annotations

import numpy as np

from ember.ops.kernels.checks import c_type_name, cpp_name

__all__ = ["write", "in_place"]

_CAT = {"b": 0, "u": 1, "i": 1, "f": 2, "V": 2, "c": 3}


def write(a, r, c_names: bool = False):
    """Copy result `r` into `a` after PyTorch's shape and dtype-cast checks (`c_names`: the
    message names a's dtype as a C++ type, as PyTorch's clamp_ family does)."""
    r = np.asarray(r)
    if _CAT[r.dtype.kind] > _CAT[a.dtype.kind]:
        target = c_type_name(a) if c_names else cpp_name(a.dtype)
        raise RuntimeError(
            f"result type {cpp_name(r.dtype)} can't be cast to the desired output type {target}"
        )
    if r.shape != a.shape and np.broadcast_shapes(r.shape, a.shape) != a.shape:
        raise RuntimeError(
            f"output with shape {list(a.shape)} doesn't match the broadcast shape {list(r.shape)}"
        )
    np.copyto(a, r, casting="unsafe")
    return a


def in_place(kernel, c_names: bool = False):
    """The in-place variant of an out-of-place kernel: its result written back into self."""

    def fn(a, *args):
        return write(a, kernel(a, *args), c_names)

    fn.__doc__ = f"in-place {kernel.__doc__ or kernel.__name__}"
    return fn
