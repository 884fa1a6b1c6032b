"""Helpers shared by the serialization tests (ember tensors from numpy, torch comparisons)."""

import numpy as np

import ember
from ember.tensor.tensor import wrap, wrap_view

# Every ember dtype with a small sample array of it.
SAMPLES = {
    "bool": np.array([True, False, True]),
    "uint8": np.array([0, 7, 255], np.uint8),
    "int8": np.array([-128, 0, 127], np.int8),
    "int16": np.array([-300, 2, 300], np.int16),
    "int32": np.array([-(2**31), 5, 2**31 - 1], np.int32),
    "int64": np.array([-(2**63), 6, 2**63 - 1], np.int64),
    "float16": np.array([0.5, -1.25, 65504], np.float16),
    "bfloat16": np.array([0.5, -1.25, 3.0e38], ember.bfloat16.np),
    "float32": np.array([0.5, np.nan, -np.inf], np.float32),
    "float64": np.array([1e-300, 2.5, np.inf], np.float64),
    "complex64": np.array([1 + 2j, -3j, 0], np.complex64),
    "complex128": np.array([1e300 + 2j, -3j, 0], np.complex128),
}


def E(array):
    """A fresh ember tensor owning a copy of `array`."""
    return wrap(np.array(array))


def V(base, view):
    """An ember view of `base`: `view` is a numpy view of `base._np`."""
    return wrap_view(view, base)


def bits(array):
    """The raw bytes of a numpy array's elements, for exact (NaN-safe) comparison."""
    return np.ascontiguousarray(array).view(np.uint8).tobytes()


def same_ember(a, b):
    """Two ember tensors with equal dtype, shape, strides, offset and bytes."""
    assert a.dtype == b.dtype
    assert tuple(a.size()) == tuple(b.size())
    if a.numel():
        assert a.stride() == b.stride()
        assert a.storage_offset() == b.storage_offset()
    assert bits(a._np) == bits(b._np)


def torch_bits(t):
    """Raw element bytes of a torch tensor (bfloat16 too), in logical order."""
    import torch

    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return t.numpy().tobytes()


def same_as_torch(e, t):
    """An ember tensor and a torch tensor with equal dtype, shape, strides, offset and bytes."""
    assert e.dtype.name == str(t.dtype).removeprefix("torch.")
    assert tuple(e.size()) == tuple(t.size())
    if e.numel():
        assert e.stride() == t.stride()
        assert e.storage_offset() == t.storage_offset()
    assert bits(e._np.astype(np.uint8) if e.dtype.name == "bool" else e._np) == (torch_bits(t))


def torch_from(e, torch):
    """A torch tensor with ember tensor `e`'s values (contiguous copy)."""
    arr = np.ascontiguousarray(e._np)
    if e.dtype.name == "bfloat16":
        return torch.from_numpy(arr.view(np.int16).copy()).view(torch.bfloat16)
    return torch.from_numpy(arr.copy())
