"""The C++ nn kernels against ember's Python ones, op by op, through `ember.cpp._call_op`.

Each case runs the op's Python kernel (through the dispatcher, as the Python runtime does)
and the C++ kernel on the same arguments: same shapes and dtypes, values within 1e-5
(relative, plus a small absolute term for values near zero); where Python raises, C++
raises too.
"""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.cpp
from ember.ops import table
from ember.tensor import dispatch

_NN_OPS_TEXT = """
aten::matmul aten::mm aten::bmm aten::linear aten::conv1d aten::conv1d.padding aten::conv2d
aten::conv2d.padding aten::convolution aten::_convolution aten::batch_norm aten::layer_norm
aten::dropout aten::embedding aten::embedding_renorm_ aten::max_pool2d
aten::max_pool2d_with_indices aten::avg_pool2d aten::adaptive_avg_pool2d aten::group_norm
aten::upsample_nearest1d aten::upsample_nearest1d.vec aten::_upsample_nearest_exact1d
aten::_upsample_nearest_exact1d.vec aten::upsample_nearest2d aten::upsample_nearest2d.vec
aten::_upsample_nearest_exact2d aten::_upsample_nearest_exact2d.vec aten::upsample_nearest3d
aten::upsample_nearest3d.vec aten::_upsample_nearest_exact3d aten::_upsample_nearest_exact3d.vec
aten::upsample_linear1d aten::upsample_linear1d.vec aten::upsample_bilinear2d
aten::upsample_bilinear2d.vec aten::upsample_trilinear3d aten::upsample_trilinear3d.vec
aten::upsample_bicubic2d aten::upsample_bicubic2d.vec aten::_upsample_bilinear2d_aa
aten::_upsample_bilinear2d_aa.vec aten::_upsample_bicubic2d_aa aten::_upsample_bicubic2d_aa.vec
aten::_upsample_lanczos2d_aa aten::_upsample_lanczos2d_aa.vec aten::pad
aten::adaptive_avg_pool1d aten::adaptive_avg_pool3d aten::scaled_dot_product_attention
aten::_native_multi_head_attention aten::_transformer_encoder_layer_fwd
aten::_nested_tensor_from_mask_left_aligned aten::_nested_tensor_from_mask
aten::to_padded_tensor aten::lstm.input aten::lstm.data
"""
NN_OPS = _NN_OPS_TEXT.split()

_rng = np.random.default_rng(12)
_tested: set[str] = set()


def t(*shape, dtype=np.float32):
    """A random ember tensor."""
    return ember.tensor(_rng.standard_normal(shape).astype(dtype))


def strided(*shape):
    """A non-contiguous random tensor: the transpose of its last two dims."""
    s = list(shape)
    s[-1], s[-2] = s[-2], s[-1]
    return t(*s).transpose(-1, -2)


def ints(*shape, high=10):
    return ember.tensor(_rng.integers(0, high, shape))


def _array(x):
    return np.asarray(x.numpy()) if isinstance(x, ember.Tensor) else np.asarray(x)


def _same(name, py, cp, rtol, atol):
    py = py if isinstance(py, tuple) else (py,)
    cp = cp if isinstance(cp, tuple) else (cp,)
    assert len(py) == len(cp), name
    for a, b in zip(py, cp, strict=True):
        if not isinstance(a, ember.Tensor):
            assert a == b, name
            continue
        x, y = _array(a), _array(b)
        assert (x.shape, x.dtype) == (y.shape, y.dtype), name
        if x.dtype.kind in "biu":
            np.testing.assert_array_equal(y, x, err_msg=name)
        else:
            tol = atol * max(1.0, float(np.nanmax(np.abs(x), initial=0)))
            np.testing.assert_allclose(y.astype(np.float64), x.astype(np.float64), rtol=rtol,
                                       atol=tol, err_msg=name)  # fmt: skip


def check(name, *args, kwargs=None, n=1, rtol=1e-5, atol=1e-6):
    """The C++ kernel `name` gives the Python kernel's result (or also raises)."""
    _tested.add(name)
    kwargs = kwargs or {}
    try:
        py = dispatch.call(table.get(name), *args, **kwargs)
    except Exception as error:  # noqa: BLE001 - any refusal must be mirrored
        with pytest.raises(Exception):  # noqa: B017
            ember.cpp._call_op(name, *args, *kwargs.values(), num_outputs=n)
        return error
    cp = ember.cpp._call_op(name, *args, *kwargs.values(), num_outputs=n)
    _same(name, py, cp, rtol, atol)
    return cp


def test_every_nn_op_has_a_kernel():
    missing = set(NN_OPS) - set(ember.cpp._kernel_names())
    assert not missing


def test_linear():
    w, b = t(6, 5), t(6)
    for x in (t(5), t(3, 5), t(2, 3, 5), strided(4, 5), t(1, 5)):
        check("aten::linear", x, w, b)
        check("aten::linear", x, w, None)
    check("aten::linear", t(3, 5), t(6, 5), t(3, 6))  # a broadcast bias
    check("aten::linear", t(3, 5, dtype=np.float64), t(6, 5, dtype=np.float64), None)
    check("aten::linear", t(3, 5), t(6, 5, dtype=np.float64), None)  # dtype mismatch
    check("aten::linear", t(2, 64), t(64, 64), t(64))
    check("aten::linear", t(3, 5), strided(6, 5), t(6))
    check("aten::linear", t(3, 5, dtype=np.float16), t(6, 5, dtype=np.float16),
          t(6, dtype=np.float16), rtol=2e-3, atol=2e-3)  # fmt: skip


def test_matmul_ranks():
    cases = [
        ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (4,)),
        ((4,), (2, 4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
        ((2, 3, 0), (0, 4)), ((0, 3), (3, 2)),
    ]  # fmt: skip
    for a, b in cases:
        check("aten::matmul", t(*a), t(*b))
    check("aten::matmul", strided(3, 4), strided(4, 5))
    check("aten::matmul", t(2, 4, 3).transpose(0, 1), t(3, 2))
    check("aten::matmul", ints(3, 4), ints(4, 2))
    check("aten::matmul", t(3, 4, dtype=np.float64), t(4, 2, dtype=np.float64))
    check("aten::matmul", t(3, 4), t(5, 2))  # shape mismatch
    check("aten::matmul", t(3, 4), t(4, 2, dtype=np.float64))


def test_mm_bmm():
    check("aten::mm", t(3, 4), t(4, 5))
    check("aten::mm", strided(3, 4), t(4, 5))
    check("aten::mm", t(3, 4), t(3, 4))
    check("aten::mm", t(2, 3, 4), t(4, 5))
    check("aten::bmm", t(2, 3, 4), t(2, 4, 5))
    check("aten::bmm", t(2, 3, 4).transpose(1, 2), t(2, 3, 5))
    check("aten::bmm", ints(2, 3, 4), ints(2, 4, 1))
    check("aten::bmm", t(2, 3, 4), t(3, 4, 5))


CONV2D = [
    # input, weight, bias, stride, padding, dilation, groups
    ((2, 3, 9, 9), (4, 3, 3, 3), True, [1, 1], [1, 1], [1, 1], 1),
    ((1, 3, 10, 8), (5, 3, 3, 2), False, [2, 1], [0, 1], [1, 1], 1),
    ((1, 4, 9, 9), (6, 2, 3, 3), True, [1, 2], [2, 1], [2, 1], 2),
    ((2, 8, 7, 7), (8, 8, 1, 1), True, [1, 1], [0, 0], [1, 1], 1),
    ((2, 8, 7, 7), (8, 8, 1, 1), False, [2, 2], [0, 0], [1, 1], 1),
    ((2, 6, 12, 12), (6, 1, 3, 3), True, [1, 1], [1, 1], [1, 1], 6),
    ((1, 6, 12, 11), (6, 1, 3, 3), True, [2, 2], [1, 1], [1, 1], 6),
    ((1, 4, 11, 11), (8, 1, 5, 5), False, [1, 1], [2, 2], [1, 1], 4),
    ((1, 4, 11, 11), (4, 1, 3, 3), True, [1, 1], [2, 2], [2, 2], 4),
    ((1, 3, 5, 5), (2, 3, 7, 7), None, [1, 1], [0, 0], [1, 1], 1),  # kernel too big
]


def test_conv2d():
    for xs, ws, bias, stride, padding, dilation, groups in CONV2D:
        x, w = t(*xs), t(*ws)
        b = t(ws[0]) if bias else None
        check("aten::conv2d", x, w, b, stride, padding, dilation, groups)
    check("aten::conv2d", t(3, 9, 9), t(4, 3, 3, 3), t(4), [1, 1], [1, 1], [1, 1], 1)
    x = t(1, 9, 9, 3).permute(0, 3, 1, 2)  # channels-last memory
    check("aten::conv2d", x, t(4, 3, 3, 3), None, [1, 1], [1, 1], [1, 1], 1)
    check("aten::conv2d", t(1, 2, 6, 6, dtype=np.float64), t(3, 2, 3, 3, dtype=np.float64),
          None, [1, 1], [0, 0], [1, 1], 1)  # fmt: skip
    check("aten::conv2d", ints(1, 2, 6, 6), ints(3, 2, 3, 3), None, [1, 1], [1, 1], [1, 1], 1)
    check("aten::conv2d", t(1, 2, 6, 6), t(3, 2, 3, 3, dtype=np.float64), None, [1, 1],
          [0, 0], [1, 1], 1)  # fmt: skip
    for padding in ("same", "valid"):
        for ws, dilation in (((4, 3, 3, 3), [1, 1]), ((4, 3, 4, 2), [2, 1])):
            check("aten::conv2d.padding", t(2, 3, 8, 9), t(*ws), t(4), [1, 1], padding,
                  dilation, 1)  # fmt: skip
    check("aten::conv2d.padding", t(2, 3, 8, 9), t(4, 3, 3, 3), None, [2, 2], "same", [1, 1], 1)


def test_conv1d_and_convolution():
    check("aten::conv1d", t(2, 3, 20), t(4, 3, 5), t(4), [2], [1], [1], 1)
    check("aten::conv1d", t(3, 20), t(6, 1, 3), None, [1], [2], [2], 3)
    check("aten::conv1d", t(2, 4, 20), t(4, 1, 3), t(4), [1], [1], [1], 4)
    check("aten::conv1d.padding", t(2, 3, 20), t(4, 3, 4), t(4), [1], "same", [1], 1)
    check("aten::conv1d.padding", t(2, 3, 20), t(4, 3, 4), t(4), [1], "valid", [3], 1)
    for name in ("aten::convolution", "aten::_convolution"):
        extra = [False, False, True, True] if name == "aten::_convolution" else []
        check(name, t(2, 3, 9, 9), t(4, 3, 3, 3), t(4), [2, 2], [1, 1], [1, 1], False, [0, 0],
              1, *extra)  # fmt: skip
        check(name, t(2, 3, 9), t(4, 3, 3), None, [1], [1], [1], False, [0], 1, *extra)
        check(name, t(2, 3, 9, 9), t(3, 4, 3, 3), None, [1, 1], [0, 0], [1, 1], True, [0, 0],
              1, *extra)  # fmt: skip


def _stats(c=3):
    mean = ember.tensor(_rng.standard_normal(c).astype(np.float32))
    var = ember.tensor(_rng.uniform(0.5, 2, c).astype(np.float32))
    return mean, var


def test_batch_norm():
    mean, var = _stats()
    for x in (t(2, 3, 4, 5), t(4, 3), t(2, 3, 7), strided(2, 3, 4, 5)):
        check("aten::batch_norm", x, t(3), t(3), mean, var, False, 0.1, 1e-5, False)
        check("aten::batch_norm", x, None, None, mean, var, False, 0.1, 1e-3, True)
    check("aten::batch_norm", t(2, 3, 4, 4), t(3), t(3), None, None, False, 0.1, 1e-5, False)
    check("aten::batch_norm", t(2, 4, 4), t(3), t(3), mean, var, False, 0.1, 1e-5, False)
    x, w, b = t(4, 3, 5, 5), t(3), t(3)
    m1, v1 = _stats()
    m2, v2 = ember.tensor(m1.numpy().copy()), ember.tensor(v1.numpy().copy())
    py = dispatch.call(table.get("aten::batch_norm"), x, w, b, m1, v1, True, 0.1, 1e-5, False)
    cp = ember.cpp._call_op("aten::batch_norm", x, w, b, m2, v2, True, 0.1, 1e-5, False)
    _same("batch_norm train", (py, m1, v1), (cp, m2, v2), 1e-5, 1e-6)


def test_layer_and_group_norm():
    check("aten::layer_norm", t(2, 3, 8), [8], t(8), t(8), 1e-5, True)
    check("aten::layer_norm", t(2, 3, 8), [3, 8], None, None, 1e-5, True)
    check("aten::layer_norm", strided(4, 6), [6], t(6), None, 1e-6, True)
    check("aten::layer_norm", t(2, 768), [768], t(768), t(768), 1e-6, True)
    check("aten::layer_norm", t(2, 3, 8), [4], None, None, 1e-5, True)
    check("aten::layer_norm", t(2, 5, dtype=np.float64), [5], None, None, 1e-5, True)
    check("aten::group_norm", t(2, 4, 3, 3), 2, t(4), t(4), 1e-5, True)
    check("aten::group_norm", t(2, 6, 5), 3, None, t(6), 1e-5, True)
    check("aten::group_norm", t(2, 6), 6, t(6), None, 1e-5, True)
    check("aten::group_norm", t(2, 6, 4), 4, None, None, 1e-5, True)


def test_dropout():
    x = t(50, 40)
    check("aten::dropout", x, 0.5, False)
    check("aten::dropout", x, 0.0, True)
    check("aten::dropout", x, 1.0, True)
    check("aten::dropout", x, 1.5, True)
    check("aten::dropout", ints(3, 4), 0.5, True)
    out = _array(ember.cpp._call_op("aten::dropout", x, 0.25, True))
    kept = out != 0
    np.testing.assert_allclose(out[kept], _array(x)[kept] / 0.75, rtol=1e-6)
    assert 0.65 < kept.mean() < 0.85


def test_embedding():
    w = t(10, 4)
    check("aten::embedding", w, ints(2, 3), -1, False, False)
    check("aten::embedding", w, ember.tensor(np.array([1, 9], np.int32)), -1, False, False)
    check("aten::embedding", w, ember.tensor(np.array(3)), -1, False, False)
    check("aten::embedding", w, ember.tensor(np.array([10])), -1, False, False)
    check("aten::embedding", w, t(2), -1, False, False)
    w1, w2 = t(10, 4), None
    w2 = ember.tensor(w1.numpy().copy())
    idx = ember.tensor(np.array([1, 3, 3, 7]))
    dispatch.call(table.get("aten::embedding_renorm_"), w1, idx, 1.0, 2.0)
    _tested.add("aten::embedding_renorm_")
    ember.cpp._call_op("aten::embedding_renorm_", w2, idx, 1.0, 2.0)
    np.testing.assert_allclose(w2.numpy(), w1.numpy(), rtol=1e-6)


def test_pools():
    x = t(2, 3, 9, 10)
    for k, s, p, d, ceil in (([3, 3], [2, 2], [1, 1], [1, 1], False),
                             ([2, 2], [], [0, 0], [1, 1], False),
                             ([3, 2], [2, 1], [1, 0], [2, 1], True),
                             ([3, 3], [2, 2], [0, 0], [1, 1], True)):  # fmt: skip
        check("aten::max_pool2d", x, k, s, p, d, ceil)
        check("aten::max_pool2d_with_indices", x, k, s, p, d, ceil, n=2)
        check("aten::avg_pool2d", x, k, s, p, ceil, True, None)
        check("aten::avg_pool2d", x, k, s, p, ceil, False, None)
    check("aten::avg_pool2d", x, [3, 3], [2, 2], [1, 1], False, True, 4)
    nan = t(1, 2, 4, 4)
    nan.numpy()[0, 0, 1, 1] = np.nan
    check("aten::max_pool2d_with_indices", nan, [2, 2], [2, 2], [0, 0], [1, 1], False, n=2)
    check("aten::max_pool2d", ints(2, 5, 5), [2, 2], [1, 1], [0, 0], [1, 1], False)
    check("aten::max_pool2d", strided(1, 2, 6, 7), [3, 3], [1, 1], [1, 1], [1, 1], False)
    check("aten::max_pool2d", x, [3, 3], [2, 2], [2, 2], [1, 1], False)  # pad too big
    check("aten::avg_pool2d", ints(1, 2, 5, 5), [2, 2], [2, 2], [0, 0], False, True, None)
    check("aten::adaptive_avg_pool2d", x, [4, 3])
    check("aten::adaptive_avg_pool2d", x, [1, 1])
    check("aten::adaptive_avg_pool2d", x, [3, 5])
    check("aten::adaptive_avg_pool2d", t(3, 7, 7), [7, 7])
    check("aten::adaptive_avg_pool1d", t(2, 3, 10), [4])
    check("aten::adaptive_avg_pool1d", t(3, 10), [5])
    check("aten::adaptive_avg_pool3d", t(1, 2, 4, 4, 4), [2, 2, 2])


def test_upsample_nearest():
    for k in (1, 2, 3):
        x = t(1, 2, *[3, 4, 5][-k:])
        for exact in ("", "_"):
            base = f"aten::{exact}upsample_nearest{'_exact' if exact else ''}{k}d"
            check(base, x, [7, 8, 9][-k:], *[None] * k)
            check(base, x, [6, 8, 10][-k:], *[None] * k)
            check(base, x, [2, 3, 4][-k:], *[2.5] * k)
            check(base + ".vec", x, None, [1.5, 2.0, 0.7][-k:])
            check(base + ".vec", x, [5, 5, 5][-k:], None)
    check("aten::upsample_nearest2d", ints(1, 1, 3, 3), [5, 5], None, None)
    check("aten::upsample_nearest2d", t(2, 3, 3), [5, 5], None, None)


def test_upsample_linear():
    names = {1: "aten::upsample_linear1d", 2: "aten::upsample_bilinear2d",
             3: "aten::upsample_trilinear3d"}  # fmt: skip
    for k, name in names.items():
        x = t(2, 2, *[3, 4, 5][-k:])
        for align in (False, True):
            check(name, x, [7, 8, 9][-k:], align, *[None] * k)
            check(name, x, [3, 2, 11][-k:], align, *[None] * k)
            check(name + ".vec", x, None, align, [1.5, 2.0, 0.6][-k:])
        check(name, x, [6, 8, 10][-k:], False, *[2.0] * k)
    check("aten::upsample_bilinear2d", strided(1, 2, 4, 5), [8, 9], False, None, None)
    for name in ("aten::upsample_bicubic2d", "aten::_upsample_bilinear2d_aa",
                 "aten::_upsample_bicubic2d_aa", "aten::_upsample_lanczos2d_aa"):  # fmt: skip
        check(name, t(1, 1, 4, 4), [8, 8], False, None, None)
        check(name + ".vec", t(1, 1, 4, 4), [8, 8], False, None)


def test_pad():
    x = t(2, 3, 4, 5)
    for mode in ("constant", "reflect", "replicate", "circular"):
        for pad in ([1, 2], [1, 2, 2, 1], [2, -1, 0, 3], [1, 1, 1, 1, 1, 1], [-1, -2]):
            value = 1.5 if mode == "constant" else None
            check("aten::pad", x, pad, mode, value)
    check("aten::pad", ints(3, 4), [1, 2, 3, 0], "constant", 7.0)
    check("aten::pad", x, [5, 5], "reflect", None)
    check("aten::pad", x, [1, 1], "reflect", 1.0)
    check("aten::pad", x, [1, 2, 3], "constant", None)
    check("aten::pad", strided(2, 4, 5), [1, 1, 2, 2], "replicate", None)


def test_scaled_dot_product_attention():
    q, k, v = t(2, 4, 5, 8), t(2, 4, 6, 8), t(2, 4, 6, 3)
    sdpa = "aten::scaled_dot_product_attention"
    plain = {"scale": None, "enable_gqa": False}
    check(sdpa, q, k, v, None, 0.0, False, kwargs=plain)
    check(sdpa, q, k, v, None, 0.0, True, kwargs=plain)
    check(sdpa, q, k, v, None, 0.0, False, kwargs={"scale": 0.3, "enable_gqa": False})
    keep = ember.tensor(_rng.random((5, 6)) > 0.3)
    check(sdpa, q, k, v, keep, 0.0, False, kwargs=plain)
    dead = ember.tensor(np.zeros((5, 6), bool))
    check(sdpa, q, k, v, dead, 0.0, False, kwargs=plain)
    check(sdpa, q, k, v, t(2, 1, 5, 6), 0.0, False, kwargs=plain)
    check(sdpa, q, k, v, keep, 0.0, True, kwargs=plain)
    check(sdpa, q, t(2, 2, 6, 8), t(2, 2, 6, 3), None, 0.0, False,
          kwargs={"scale": None, "enable_gqa": True})  # fmt: skip
    check(sdpa, t(5, 8), t(6, 8), t(6, 8), None, 0.0, False, kwargs=plain)
    qkv = t(2, 5, 3, 4, 8)  # heads as strided views of a packed projection
    check(sdpa, *(qkv[:, :, i].transpose(1, 2) for i in range(3)), None, 0.0, False,
          kwargs=plain)  # fmt: skip


def _mha_weights(d):
    return t(3 * d, d), t(3 * d), t(d, d), t(d)


def test_native_multi_head_attention():
    d, h = 8, 2
    x = t(2, 5, d)
    weights = _mha_weights(d)
    name = "aten::_native_multi_head_attention"
    check(name, x, x, x, d, h, *weights, None, True, True, None, n=2)
    check(name, x, x, x, d, h, *weights, None, True, False, None, n=2)
    check(name, x, x, x, d, h, *weights, None, False, True, None, n=2)
    kv = t(2, 7, d)
    check(name, x, kv, kv, d, h, *weights, None, True, True, None, n=2)
    pad = ember.tensor(np.array([[False] * 6 + [True], [False] * 4 + [True] * 3]))
    check(name, x, kv, kv, d, h, *weights, pad, True, True, 1, n=2)
    check(name, x, kv, kv, d, h, *weights, pad, True, True, None, n=2)


def test_transformer_encoder_layer():
    d, h, f = 8, 2, 16
    x = t(2, 5, d)
    rest = (*_mha_weights(d),)
    norms = (t(d), t(d), t(d), t(d))
    ffn = (t(f, d), t(f), t(d, f), t(d))
    name = "aten::_transformer_encoder_layer_fwd"
    for gelu in (False, True):
        for first in (False, True):
            check(name, x, d, h, *rest, gelu, first, 1e-5, *norms, *ffn, None, None)
    pad = ember.tensor(np.array([[False] * 4 + [True], [False] * 5]))
    check(name, x, d, h, *rest, False, False, 1e-5, *norms, *ffn, pad, 1)


def test_nested_tensor_ops():
    x = t(2, 3, 4)
    left = ember.tensor(np.array([[True, True, False], [True, False, False]]))
    right = ember.tensor(np.array([[True, False, True], [True, True, True]]))
    check("aten::_nested_tensor_from_mask_left_aligned", x, left)
    check("aten::_nested_tensor_from_mask_left_aligned", x, right)
    check("aten::_nested_tensor_from_mask", x, left, True)
    check("aten::to_padded_tensor", x, 0.0, None)


def _lstm_params(layers, dirs, inp, hid, bias=True, proj=0):
    params = []
    out = proj or hid
    for layer in range(layers):
        for _ in range(dirs):
            size = inp if layer == 0 else out * dirs
            params += [t(4 * hid, size), t(4 * hid, out)]
            if bias:
                params += [t(4 * hid), t(4 * hid)]
            if proj:
                params.append(t(proj, hid))
    return params


def test_lstm():
    for layers, bidir, batch_first, bias, proj in ((1, False, False, True, 0),
                                                   (2, True, False, True, 0),
                                                   (2, False, True, False, 0),
                                                   (1, True, True, True, 3)):  # fmt: skip
        dirs = 2 if bidir else 1
        inp, hid = 4, 5
        x = t(2, 6, inp) if batch_first else t(6, 2, inp)
        out = proj or hid
        hx = [t(layers * dirs, 2, out), t(layers * dirs, 2, hid)]
        params = _lstm_params(layers, dirs, inp, hid, bias, proj)
        check("aten::lstm.input", x, hx, params, bias, layers, 0.0, False, bidir, batch_first,
              n=3)  # fmt: skip
    params = _lstm_params(1, 1, 4, 5)
    hx = [t(1, 3, 5), t(1, 3, 5)]
    sizes = ember.tensor(np.array([3, 3, 3, 3]))
    check("aten::lstm.data", t(12, 4), sizes, hx, params, True, 1, 0.0, False, False, n=3)
    uneven = ember.tensor(np.array([3, 2]))
    check("aten::lstm.data", t(5, 4), uneven, hx, params, True, 1, 0.0, False, False, n=3)


def test_zz_every_op_was_tested():
    """Runs last (file order): every op of the nn group went through `check`."""
    assert set(NN_OPS) - _tested == set()
