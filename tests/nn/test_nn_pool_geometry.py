"""Random pooling geometries against torch 2.13: output sizes (ceil_mode, overhanging
windows, dilation), argument errors and their messages, max indices of windows that see only
padding, avg divisors; float and int64 inputs."""

import numpy as np
import pytest

import ember
from compare import to_torch


def _pool(rng):
    """A random pooling call `fn(module, x)` and the input dtype."""
    kernel = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    stride = [None, 1, 2, 3, (1, 2)][rng.integers(5)]
    padding = (int(rng.integers(0, 3)), int(rng.integers(0, 2)))
    dilation = [1, 2, (1, 2)][rng.integers(3)]
    ceil = bool(rng.random() < 0.5)
    which = int(rng.integers(3))
    if which == 1:
        include_pad, divisor = bool(rng.random() < 0.5), [None, 2][rng.integers(2)]

        def fn(m, x):
            return m.nn.functional.avg_pool2d(x, kernel, stride, padding, ceil, include_pad,
                                              divisor)  # fmt: skip
    else:

        def fn(m, x):
            return m.nn.functional.max_pool2d(x, kernel, stride, padding, dilation, ceil,
                                              which == 2)  # fmt: skip

    return fn, ["float32", "float16", "float64", "int64"][rng.integers(4)]


def _outcome(fn, module, x):
    try:
        r = fn(module, x)
    except RuntimeError as exc:
        return type(exc), str(exc).replace("torch.", "ember.")
    return "ok", r if isinstance(r, tuple) else (r,)


@pytest.mark.parametrize("seed", range(4))
def test_pool_geometries_match_torch(torch, seed):
    rng = np.random.default_rng(seed)
    for _ in range(150):
        fn, dtype = _pool(rng)
        h, w = int(rng.integers(1, 7)), int(rng.integers(1, 7))
        x = (rng.normal(size=(1, 2, h, w)) * 4).astype(ember.dtypes.by_name(dtype).np)
        e = ember.from_numpy(x)
        want, got = _outcome(fn, torch, to_torch(e)), _outcome(fn, ember, e)
        if want[0] != "ok" or got[0] != "ok":
            assert got == want
            continue
        for g, t in zip(got[1], want[1]):
            assert g.dtype.name == str(t.dtype).removeprefix("torch.")
            assert tuple(g.shape) == tuple(t.shape)
            np.testing.assert_allclose(np.asarray(g.numpy(), np.float64), t.double().numpy(),
                                       rtol=2e-3, atol=1e-3)  # fmt: skip


def test_adaptive_pool_of_an_empty_batch_skips_the_dtype_check(torch):
    x = np.zeros((0, 2, 4, 5), np.int64)
    got = ember.nn.functional.adaptive_avg_pool2d(ember.from_numpy(x), (2, 3))
    want = torch.nn.functional.adaptive_avg_pool2d(torch.from_numpy(x), (2, 3))
    assert (tuple(got.shape), got.dtype.name) == (tuple(want.shape), "int64")
    with pytest.raises(RuntimeError, match="mean") as want_error:  # output 1x1: torch's mean()
        torch.nn.functional.adaptive_avg_pool2d(torch.from_numpy(x), 1)
    with pytest.raises(RuntimeError) as got_error:
        ember.nn.functional.adaptive_avg_pool2d(ember.from_numpy(x), 1)
    assert str(got_error.value) == str(want_error.value)
