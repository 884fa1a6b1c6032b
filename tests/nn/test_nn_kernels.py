"""The nn kernels (conv, pools, norms, dropout, embedding) against torch 2.13.

The numpy kernels are checked directly over many geometries, then once each through the op
table (ember tensors in, ember tensors out) to check registration and result wrapping.
"""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from compare import assert_same, to_torch
from ember import ops
from ember.ops.kernels import conv_depthwise
from ember.ops.kernels import nn as K
from ember.ops.kernels import nn_norm as N
from ember.ops.kernels import nn_pool as P
from ember.tensor import dispatch

RNG = np.random.default_rng(1234)


def randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def close(got, ref, tol=1e-5):
    ref = ref.detach().numpy()
    assert got.shape == ref.shape, (got.shape, ref.shape)
    assert got.dtype == ref.dtype, (got.dtype, ref.dtype)
    np.testing.assert_allclose(got, ref, atol=tol, rtol=tol)


CONV2D_CASES = [
    # (N, C, H, W, out, kernel, stride, padding, dilation, groups)
    (2, 4, 9, 8, 6, 3, 1, 1, 1, 1),
    (1, 4, 10, 7, 4, 3, 2, 0, 2, 2),
    (2, 6, 8, 8, 6, 3, 1, "same", 2, 3),
    (2, 6, 8, 9, 6, (2, 4), 1, "same", 1, 1),
    (1, 3, 7, 7, 5, (2, 3), (2, 1), (1, 0), 1, 1),
    (2, 4, 5, 5, 4, 3, 1, "valid", 1, 4),
    (1, 2, 3, 3, 2, 3, 1, 0, 1, 1),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", CONV2D_CASES)
def test_conv2d_kernel(torch, case):
    n, c, h, w, o, k, s, p, d, g = case
    x, weight, bias = randn(n, c, h, w), randn(o, c // g, *K.pair(k)), randn(o)
    tf = torch.nn.functional
    ref = tf.conv2d(*map(torch.from_numpy, (x, weight, bias)), s, p, d, g)
    close(K.conv2d(x, weight, bias, s, p, d, g), ref)
    ref = tf.conv2d(torch.from_numpy(x[0]), torch.from_numpy(weight), None, s, p, d, g)
    close(K.conv2d(x[0], weight, None, s, p, d, g), ref)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("n", "c", "h", "w", "out", "kernel", "padding"),
    [(2, 12, 16, 14, 6, (3, 3), (1, 1)), (1, 8, 20, 20, 4, (3, 5), (1, 2))],
)
def test_conv2d_shifted_planes_path(torch, dtype, n, c, h, w, out, kernel, padding):
    """Stride-1 dense convs with half as many outputs as inputs sum shifted GEMM planes."""
    x, weight = randn(n, c, h, w, dtype=dtype), randn(out, c, *kernel, dtype=dtype)
    bias = randn(out, dtype=dtype)
    padded = (n, c, h + 2 * padding[0], w + 2 * padding[1])
    assert K._shift_pays(padded, weight.shape, (h, w), (1, 1), (1, 1), 1)
    ref = torch.nn.functional.conv2d(*map(torch.from_numpy, (x, weight, bias)), 1, padding)
    close(K.conv2d(x, weight, bias, 1, padding), ref)


@pytest.mark.parametrize("case", CONV2D_CASES)
def test_conv1d_kernel(torch, case):
    n, c, _, w, o, k, s, p, d, g = case
    first = lambda v: v[0] if isinstance(v, tuple) else v  # noqa: E731
    k, s, p = first(k), first(s), first(p)
    x, weight, bias = randn(n, c, w), randn(o, c // g, k), randn(o)
    ref = torch.nn.functional.conv1d(*map(torch.from_numpy, (x, weight, bias)), s, p, d, g)
    close(K.conv1d(x, weight, bias, s, p, d, g), ref)


CONV_ERRORS = [
    ((1, 1, 4, 4), (1, 1, 3, 3), None, dict(stride=2, padding="same")),
    ((1, 3, 4, 4), (1, 2, 3, 3), None, {}),
    ((4, 4), (1, 1, 3, 3), None, {}),
    ((1, 4, 5, 5), (3, 2, 3, 3), None, dict(groups=2)),
    ((1, 1, 2, 2), (1, 1, 3, 3), None, {}),
    ((1, 1, 5, 5), (1, 1, 3, 3), None, dict(padding="full")),
    ((1, 1, 5, 5), (2, 1, 3, 3), (3,), {}),
    ((1, 1, 5, 5), (1, 1, 3, 3), None, dict(padding=-1)),
    ((1, 1, 5, 5), (1, 1, 3, 3), None, dict(stride=0)),
    ((1, 1, 5, 5), (1, 1, 3, 3), None, dict(groups=0)),
    ((1, 1, 5, 5), (1, 1, 2, 2), None, dict(dilation=5)),
]


@pytest.mark.parametrize("case", CONV_ERRORS)
def test_conv_errors_match_torch(torch, case):
    shape, wshape, bshape, kwargs = case
    args = [randn(*shape), randn(*wshape), None if bshape is None else randn(*bshape)]
    with pytest.raises(RuntimeError) as expected:
        torch.nn.functional.conv2d(*[None if a is None else torch.from_numpy(a) for a in args],
                                   **kwargs)  # fmt: skip
    with pytest.raises(RuntimeError) as got:
        K.conv2d(*args, **kwargs)
    assert str(got.value) == str(expected.value)


POOL_CASES = [
    # (H, W, kernel, stride, padding, dilation, ceil_mode)
    (8, 8, 2, 2, 0, 1, False),
    (9, 7, 3, 2, 1, 1, True),
    (10, 10, 3, None, 1, 2, True),
    (7, 9, (3, 2), (2, 3), (1, 1), (1, 2), False),
    (5, 5, 2, 2, 1, 1, True),
    (6, 6, 3, 2, 1, 1, True),
    (6, 5, 3, 1, 0, 1, False),
]


@pytest.mark.parametrize("case", POOL_CASES)
def test_max_pool2d_kernel(torch, case):
    h, w, k, s, p, d, ceil = case
    x = randn(2, 3, h, w)
    ref, ref_idx = torch.nn.functional.max_pool2d(
        torch.from_numpy(x), k, s, p, d, ceil, return_indices=True
    )
    values, indices = P.max_pool2d_with_indices(x, k, s or (), p, d, ceil)
    close(values, ref, 0)
    np.testing.assert_array_equal(indices, ref_idx.numpy())
    close(P.max_pool2d(x, k, s or (), p, d, ceil), ref, 0)
    close(P.max_pool2d(x[0], k, s or (), p, d, ceil), ref[0], 0)


@pytest.mark.parametrize("case", [c for c in POOL_CASES if c[5] == 1])
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor_override", [None, 3])
def test_avg_pool2d_kernel(torch, case, count_include_pad, divisor_override):
    h, w, k, s, p, _, ceil = case
    x = randn(2, 3, h, w)
    args = (k, s, p, ceil, count_include_pad, divisor_override)
    ref = torch.nn.functional.avg_pool2d(torch.from_numpy(x), *args)
    close(P.avg_pool2d(x, k, s or (), *args[2:]), ref)


@pytest.mark.parametrize(
    "h, w, size", [(8, 8, (4, 4)), (7, 9, (3, 4)), (5, 5, 1), (6, 7, (None, 3)), (3, 3, (5, 5))]
)
def test_adaptive_avg_pool2d_kernel(torch, h, w, size):
    x = randn(2, 3, h, w)
    ref = torch.nn.functional.adaptive_avg_pool2d(torch.from_numpy(x), size)
    close(P.adaptive_avg_pool2d(x, size), ref)


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 4)])
@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batch_norm_kernel_training_updates_running_stats(torch, shape, momentum):
    x, weight, bias = randn(*shape), randn(shape[1]), randn(shape[1])
    mean, var = randn(shape[1]), np.abs(randn(shape[1])) + 0.5
    t_mean, t_var = torch.from_numpy(mean.copy()), torch.from_numpy(var.copy())
    ref = torch.nn.functional.batch_norm(
        torch.from_numpy(x), t_mean, t_var, torch.from_numpy(weight), torch.from_numpy(bias),
        True, momentum, 1e-5,
    )  # fmt: skip
    got = N.batch_norm(x, weight, bias, mean, var, True, momentum, 1e-5, False)
    close(got, ref)
    close(mean, t_mean)
    close(var, t_var)
    got = N.batch_norm(x, None, None, mean, var, False, momentum, 1e-3, False)
    close(got, torch.nn.functional.batch_norm(torch.from_numpy(x), t_mean, t_var, eps=1e-3))


def test_batch_norm_needs_more_than_one_value_in_functional_only(torch):
    x = randn(1, 3)
    with pytest.raises(ValueError, match=r"more than 1 value.*ember\.Size\(\[1, 3\]\)"):
        F.batch_norm(ember.from_numpy(x), None, None, training=True)
    # the op itself (like torch.batch_norm) normalises to zeros, running_var becomes nan
    mean, var = np.zeros(3, np.float32), np.ones(3, np.float32)
    out = N.batch_norm(x, None, None, mean, var, True, 0.1, 1e-5, False)
    t_mean, t_var = torch.zeros(3), torch.ones(3)
    ref = torch.batch_norm(torch.from_numpy(x), None, None, t_mean, t_var, True, 0.1, 1e-5, False)
    np.testing.assert_allclose(out, ref.numpy(), atol=1e-4)
    np.testing.assert_allclose(mean, t_mean.numpy(), rtol=1e-6)
    assert np.isnan(var).all() and t_var.isnan().all()


@pytest.mark.parametrize("shape, normalized", [((4, 6), [6]), ((2, 3, 4), [3, 4])])
def test_layer_norm_kernel(torch, shape, normalized):
    x, weight, bias = randn(*shape), randn(*normalized), randn(*normalized)
    ref = torch.nn.functional.layer_norm(
        torch.from_numpy(x), normalized, torch.from_numpy(weight), torch.from_numpy(bias)
    )
    close(N.layer_norm(x, normalized, weight, bias, 1e-5), ref)
    with pytest.raises(RuntimeError, match="normalized_shape"):
        N.layer_norm(x, [7], None, None)


def test_dropout_kernel_statistics():
    x = np.ones((200, 500), np.float32)
    out = N.dropout(x, 0.3, True, np.random.default_rng(0))
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(N.dropout(x, 0.3, False), x)
    assert not np.shares_memory(N.dropout(x, 0.3, False), x)
    np.testing.assert_array_equal(N.dropout(x, 1.0, True), 0 * x)


def test_embedding_kernel(torch):
    weight = randn(10, 3)
    idx = np.array([[1, 2, 9], [0, 0, 3]])
    ref = torch.nn.functional.embedding(torch.from_numpy(idx), torch.from_numpy(weight))
    close(N.embedding(weight, idx), ref, 0)
    with pytest.raises(IndexError, match="index out of range"):
        N.embedding(weight, np.array([10]))


# -- through the op table ---------------------------------------------------------------------


NN_OPS = [
    "aten::conv1d", "aten::conv1d.padding", "aten::conv2d", "aten::conv2d.padding",
    "aten::max_pool2d", "aten::max_pool2d_with_indices", "aten::avg_pool2d",
    "aten::adaptive_avg_pool2d", "aten::batch_norm", "aten::layer_norm", "aten::dropout",
    "aten::embedding", "aten::embedding_renorm_",
]  # fmt: skip


@pytest.mark.parametrize("name", NN_OPS)
def test_nn_ops_are_registered_with_torch_schemas(torch, name):
    op = ops.get(name)
    (ref,) = [
        ops.parse_schema(str(s).removeprefix("aten::"))
        for s in torch._C._jit_get_schemas_for_operator(op.name)
        if s.overload_name == op.overload
    ]
    fields = lambda a: (a.name, a.type, a.kwarg_only, a.has_default, a.default)  # noqa: E731
    assert [fields(a) for a in op.schema.arguments] == [fields(a) for a in ref.arguments]
    assert [r.type for r in op.schema.returns] == [r.type for r in ref.returns]


def test_nn_ops_through_dispatch(torch):
    x, w = randn(2, 3, 6, 6), randn(4, 3, 3, 3)
    ex, ew = ember.from_numpy(x), ember.from_numpy(w)
    tx, tw = to_torch(ex), to_torch(ew)
    out = dispatch.call("aten::conv2d.padding", ex, ew, None, 1, "same")
    assert_same(out, torch.conv2d(tx, tw, None, 1, "same"), atol=1e-5, rtol=1e-5)
    values, indices = dispatch.call("aten::max_pool2d_with_indices", ex, [2, 2])
    ref_values, ref_indices = torch.nn.functional.max_pool2d(tx, 2, return_indices=True)
    assert_same(values, ref_values)
    assert_same(indices, ref_indices)
    mean, var = ember.zeros(3), ember.ones(3)
    dispatch.call("aten::batch_norm", ex, None, None, mean, var, True, 0.1, 1e-5, False)
    t_mean, t_var = torch.zeros(3), torch.ones(3)
    torch.batch_norm(tx, None, None, t_mean, t_var, True, 0.1, 1e-5, False)
    assert_same(mean, t_mean, atol=1e-6, rtol=1e-6)
    assert_same(var, t_var, atol=1e-6, rtol=1e-6)


def test_max_pool2d_nan_and_ties_follow_torch(torch):
    x = np.array([[[[1.0, np.nan, 3.0, 3.0], [2.0, 0.0, 3.0, 1.0]]]], np.float32)
    ref, ref_idx = torch.nn.functional.max_pool2d(torch.from_numpy(x), 2, return_indices=True)
    values, indices = P.max_pool2d_with_indices(x, 2)
    np.testing.assert_array_equal(values, ref.numpy())
    np.testing.assert_array_equal(indices, ref_idx.numpy())
    np.testing.assert_array_equal(P.max_pool2d(x, 2), ref.numpy())


def _random_pool_config(rng):
    k = [int(v) for v in rng.integers(1, 4, 2)]
    s = [int(v) for v in rng.integers(1, 4, 2)]
    p = [int(rng.integers(0, kk // 2 + 1)) for kk in k]
    h, w = (int(v) for v in rng.integers(3, 9, 2))
    return k, s, p, h, w, bool(rng.integers(0, 2))


@pytest.mark.parametrize("seed", range(4))
def test_random_geometries_match_torch(torch, seed):
    """A seeded sweep of conv/pool geometries (kernel, stride, padding, dilation, ceil_mode)."""
    rng = np.random.default_rng(seed)
    tf = torch.nn.functional
    for _ in range(15):
        k, s, p, h, w, ceil = _random_pool_config(rng)
        d = [int(v) for v in rng.integers(1, 3, 2)]
        groups = int(rng.choice([1, 2]))
        x = rng.standard_normal((2, 2 * groups, h + 4, w + 4)).astype(np.float32)
        weight = rng.standard_normal((2 * groups, 2, *k)).astype(np.float32)
        tx, tw = torch.from_numpy(x), torch.from_numpy(weight)
        close(K.conv2d(x, weight, None, s, p, d, groups), tf.conv2d(tx, tw, None, s, p, d, groups))
        ref, ref_idx = tf.max_pool2d(tx, k, s, p, d, ceil, return_indices=True)
        values, indices = P.max_pool2d_with_indices(x, k, s, p, d, ceil)
        close(values, ref, 0)
        np.testing.assert_array_equal(indices, ref_idx.numpy())
        include = bool(rng.integers(0, 2))
        close(P.avg_pool2d(x, k, s, p, ceil, include), tf.avg_pool2d(tx, k, s, p, ceil, include))
        size = [int(v) for v in rng.integers(1, 7, 2)]
        close(P.adaptive_avg_pool2d(x, size), tf.adaptive_avg_pool2d(tx, size))


@pytest.mark.parametrize("seed", range(3))
def test_depthwise_conv_geometries_match_torch(torch, seed, monkeypatch):
    """Depthwise conv (groups == channels): both the stride-1 wide-row path and the strided
    path, over several unfold blocks (the block size is shrunk to force many)."""
    monkeypatch.setattr(conv_depthwise, "_DEPTHWISE_BLOCK", 512)
    rng = np.random.default_rng(seed)
    tf = torch.nn.functional
    for _ in range(8):
        k = [int(v) for v in rng.integers(1, 5, 2)]
        s = [int(v) for v in rng.integers(1, 3, 2)] if rng.integers(0, 2) else [1, 1]
        d = [int(v) for v in rng.integers(1, 3, 2)]
        p = [int(rng.integers(0, kk + 1)) for kk in k]
        c = int(rng.integers(1, 6))
        x = rng.standard_normal((3, c, 9, 11)).astype(np.float32)
        weight = rng.standard_normal((c, 1, *k)).astype(np.float32)
        bias = rng.standard_normal(c).astype(np.float32)
        ref = tf.conv2d(*map(torch.from_numpy, (x, weight, bias)), s, p, d, c)
        close(K.conv2d(x, weight, bias, s, p, d, c), ref)
        if s == [1, 1]:
            ref = tf.conv2d(torch.from_numpy(x), torch.from_numpy(weight), None, 1, "same", d, c)
            close(K.conv2d(x, weight, None, 1, "same", d, c), ref)


@pytest.mark.parametrize(
    "c, size, k", [(96, 14, 7), (40, 7, 5), (24, 28, 3), (16, 20, 7), (8, 40, 5), (6, 36, 7)]
)
def test_depthwise_conv_model_shapes_match_torch(torch, c, size, k):
    """Depthwise layers shaped like ConvNeXt's and EfficientNet's, on every path: one band
    matrix (narrow planes), 16-column band tiles (wide planes, k >= 5), unfolding (k = 3)."""
    x, weight, bias = randn(2, c, size, size), randn(c, 1, k, k), randn(c)
    ref = torch.nn.functional.conv2d(*map(torch.from_numpy, (x, weight, bias)), 1, k // 2, 1, c)
    close(K.conv2d(x, weight, bias, 1, k // 2, 1, c), ref)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float64"])
def test_depthwise_conv_dtypes(torch, dtype):
    x, weight = randn(2, 3, 6, 7), randn(3, 1, 3, 3)
    ex, ew = (ember.from_numpy(v).to(getattr(ember, dtype)) for v in (x, weight))
    tx, tw = (torch.from_numpy(v).to(getattr(torch, dtype)) for v in (x, weight))
    got = dispatch.call("aten::conv2d", ex, ew, None, 1, 1, 1, 3)
    tol = 1e-12 if dtype == "float64" else 1e-2
    assert_same(got, torch.nn.functional.conv2d(tx, tw, None, 1, 1, 1, 3), atol=tol, rtol=tol)


@pytest.mark.parametrize("shape", [(5, 3), (1, 3, 4, 4), (3, 4, 5, 6), (2, 3, 7)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_batch_norm_eval_shapes_and_dtypes(torch, shape, dtype):
    """Eval batch norm is one per-channel scale and shift (a spread plane when N > 1)."""
    arrays = randn(*shape), randn(shape[1]), randn(shape[1]), randn(shape[1])
    arrays += (np.abs(randn(shape[1])) + 0.5,)
    ours = [ember.from_numpy(a).to(getattr(ember, dtype)) for a in arrays]
    theirs = [torch.from_numpy(a).to(getattr(torch, dtype)) for a in arrays]
    got = dispatch.call("aten::batch_norm", *ours, False, 0.1, 1e-5, False)
    x, w, b, m, v = theirs
    ref = torch.nn.functional.batch_norm(x, m, v, w, b, False, 0.1, 1e-5)
    tol = {"float16": 2e-3, "bfloat16": 2e-2}.get(dtype, 1e-5)
    assert_same(got, ref, atol=tol, rtol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_layer_norm_dtypes_offsets_and_strided_input(torch, dtype):
    x = (randn(6, 5, 8) * 3 + 1000).transpose(1, 0, 2)[:, ::2]
    weight, bias = randn(8), randn(8)
    ours = [ember.from_numpy(np.ascontiguousarray(a)).to(getattr(ember, dtype)) for a in
            (x, weight, bias)]  # fmt: skip
    theirs = [torch.from_numpy(np.ascontiguousarray(a)).to(getattr(torch, dtype)) for a in
              (x, weight, bias)]  # fmt: skip
    got = dispatch.call("aten::layer_norm", ours[0], [8], ours[1], ours[2], 1e-5)
    ref = torch.nn.functional.layer_norm(theirs[0], [8], theirs[1], theirs[2], 1e-5)
    tol = {"float16": 1e-2, "bfloat16": 5e-2, "float32": 1e-3}.get(dtype, 1e-9)
    assert_same(got, ref, atol=tol, rtol=tol)
    strided = N.layer_norm(x, [8], weight, bias)
    close(strided, torch.nn.functional.layer_norm(torch.from_numpy(x.copy()), [8],
          torch.from_numpy(weight), torch.from_numpy(bias)), 1e-3)  # fmt: skip
