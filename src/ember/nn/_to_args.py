"""Reading the arguments of `Module.to(...)` the way PyTorch does (device, dtype, tensor)."""

from ember import dtypes
from ember.devices import check_cpu
from ember.tensor import Tensor


def parse_to(args, kwargs):
    """The dtype requested by `to(*args, **kwargs)`, or None; a non-CPU device raises."""
    dtype = kwargs.get("dtype")
    check_cpu(kwargs.get("device"))
    if isinstance(kwargs.get("tensor"), Tensor):
        dtype = kwargs["tensor"].dtype
    for a in args:
        if isinstance(a, dtypes.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif a is not None:
            check_cpu(a)
    return dtype
