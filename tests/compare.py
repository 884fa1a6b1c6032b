"""Moving tensors between ember and torch, and comparing them, for oracle tests."""

import numpy as np


def to_torch(t):
    """A torch tensor with the same values, dtype and strides as ember tensor `t`."""
    import torch

    arr = t.numpy()
    if arr.dtype.name == "bfloat16":
        return torch.from_numpy(arr.view(np.int16).copy()).view(torch.bfloat16)
    return torch.from_numpy(np.array(arr, copy=True))


def from_torch(t):
    """An ember tensor with the same values and dtype as torch tensor `t`."""
    import torch

    import ember

    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return ember.from_numpy(t.view(torch.int16).numpy().view(ember.bfloat16.np).copy())
    return ember.from_numpy(t.numpy().copy())


def assert_same(e, t, atol=0.0, rtol=0.0, check_dtype=True):
    """Assert ember tensor `e` equals torch tensor `t`: shape, dtype name, values (NaN == NaN)."""
    assert tuple(e.shape) == tuple(t.shape), f"shape {tuple(e.shape)} != {tuple(t.shape)}"
    if check_dtype:
        assert e.dtype.name == str(t.dtype).removeprefix("torch."), f"{e.dtype} != {t.dtype}"
    import torch

    got = np.asarray(e.numpy(), dtype=np.complex128 if e.dtype.is_complex else np.float64)
    ref = t.detach().to(t.dtype if t.dtype.is_complex else torch.float64).numpy()
    if atol == 0 and rtol == 0:
        np.testing.assert_array_equal(got, ref)
    else:
        np.testing.assert_allclose(got, ref, atol=atol, rtol=rtol, equal_nan=True)
