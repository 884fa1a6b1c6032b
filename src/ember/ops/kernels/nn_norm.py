"""numpy kernels for normalisation, dropout and embedding lookups.

Same conventions as `ember.ops.kernels.nn`: arrays (None for absent optional tensors) and
Python values in PyTorch's schema order, fresh results. `batch_norm` in training mode updates
the running statistics IN PLACE (the arrays passed are views of the buffers' storages), as
PyTorch does.

Example:
    >>> import numpy as np
    >>> x = np.array([[1.0, 2.0], [3.0, 6.0]], np.float32)
    >>> layer_norm(x, [2], None, None, 0.0)
    array([[-1.,  1.],
           [-1.,  1.]], dtype=float32)
"""

from __future__ import annotations

import math

import numpy as np

from ember.ops.kernels import create as k_create
from ember.ops.kernels.checks import cpp_name, kind_of, not_implemented, require
from ember.ops.kernels.writeback import in_place
from ember.ops.table import register

__all__ = ["batch_norm", "layer_norm", "dropout", "embedding", "embedding_renorm_"]


def _compute_dtype(x: np.ndarray) -> np.dtype:
    """float64 stays float64; everything else computes in float32 (as PyTorch's CPU kernels)."""
    return np.dtype(np.float64) if x.dtype == np.float64 else np.dtype(np.float32)


def _mean_var(x: np.ndarray, axes: tuple, keepdims: bool):
    """Mean and biased variance over `axes`, accumulated in float64 (two passes)."""
    mean = x.mean(axis=axes, keepdims=True, dtype=np.float64)
    centred = x - mean.astype(x.dtype)
    var = np.square(centred, out=centred).mean(axis=axes, keepdims=keepdims, dtype=np.float64)
    return (mean if keepdims else mean.reshape(var.shape)), var


def _channel_shape(x: np.ndarray) -> tuple:
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _update_running(running_mean, running_var, mean, var, count: int, momentum: float):
    if count > 1:
        unbiased = var * (count / (count - 1))
    else:  # one value per channel: 0 * inf, nan as PyTorch gives
        unbiased = np.full_like(var, np.nan)
    running_mean[...] = (1.0 - momentum) * running_mean + momentum * mean
    running_var[...] = (1.0 - momentum) * running_var + momentum * unbiased


def batch_norm(
    input,
    weight,
    bias,
    running_mean,
    running_var,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool = False,
):
    """aten::batch_norm over dim 1 of an (N, C, ...) array.

    Training normalises with the batch's biased variance and moves the running statistics
    toward the batch's mean and unbiased variance by `momentum`; eval uses the running ones.
    """
    require("batch_norm", input, "f")
    _check_batch_norm_params(input, weight, bias, running_mean, running_var, training)
    x = input.astype(_compute_dtype(input), copy=False)
    axes = (0,) + tuple(range(2, input.ndim))
    if training:
        count = input.size // max(input.shape[1], 1)
        mean, var = _mean_var(x, axes, keepdims=False)
        if running_mean is not None and running_var is not None:
            _update_running(running_mean, running_var, mean, var, count, momentum)
    else:
        mean, var = running_mean.astype(x.dtype), running_var.astype(x.dtype)
    scale, shift = _linear_terms(mean, var, weight, bias, eps, x.dtype)
    out = _channel_affine(x, scale, shift)
    return out.astype(input.dtype, copy=False)


def _linear_terms(mean, var, weight, bias, eps, dtype):
    """Per-channel (alpha, beta) with out = x * alpha + beta, in `dtype` as PyTorch's CPU
    kernel forms them: alpha = weight / sqrt(var + eps), beta = bias - mean * alpha."""
    one = dtype.type(1)
    alpha = one / np.sqrt(np.asarray(var, dtype) + dtype.type(eps))
    if weight is not None:
        alpha = alpha * weight.astype(dtype)
    beta = -(np.asarray(mean, dtype) * alpha)
    if bias is not None:
        beta = bias.astype(dtype) - np.asarray(mean, dtype) * alpha
    return alpha.astype(dtype, copy=False), beta.astype(dtype, copy=False)


def _check_batch_norm_params(input, weight, bias, running_mean, running_var, training):
    """PyTorch's checks of the per-channel tensors: defined in eval, one value per channel,
    and one dtype (the input's, or float32 for a float16/bfloat16 input)."""
    if not training and running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if not training and running_var is None:
        raise RuntimeError("running_var must be defined in evaluation mode")
    channels = input.shape[1] if input.ndim > 1 else 0
    named = (("weight", weight), ("bias", bias), ("running_mean", running_mean),
             ("running_var", running_var))  # fmt: skip
    for name, t in named:
        if t is not None and t.size != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.size}")
    _check_mixed(input, [t for _, t in named])


_F32 = np.dtype(np.float32)


def _check_mixed(input, params) -> None:
    """PyTorch's CPU rule for norm parameters: all of the input's dtype, or all float32 for a
    float16/bfloat16 input (ember raises PyTorch's messages for the other mixes)."""
    kinds = {t.dtype for t in params if t is not None}
    if kinds <= {input.dtype}:
        return
    if input.dtype.name in ("float16", "bfloat16"):
        if kinds == {_F32}:
            return
        if kinds == {_F32, input.dtype}:
            raise RuntimeError(f"expected scalar type {cpp_name(input)} but found Float")
    elif input.dtype == np.float64 and kinds - {input.dtype} == {_F32}:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")


def _channel_affine(x: np.ndarray, scale: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """x * scale + shift with per-channel (dim 1) `scale` and `shift`, as a fresh array.

    numpy's loops are several times faster on two contiguous operands than on one broadcast
    along the pixels, so with several samples the per-channel values are first spread into
    one (C, pixels) plane that every sample then reuses.
    """
    n, c = x.shape[:2]
    pixels = x.size // max(n * c, 1)
    if n < 2 or pixels < 2:
        out = np.multiply(x, scale.reshape(_channel_shape(x)))
        out += shift.reshape(_channel_shape(x))
        return out
    planes = np.empty((2, c, pixels), x.dtype)
    planes[0] = scale.reshape(c, 1)
    planes[1] = shift.reshape(c, 1)
    out = np.multiply(x.reshape(n, c, pixels), planes[0])
    out += planes[1]
    return out.reshape(x.shape)


_vecdot = getattr(np, "vecdot", None) or (lambda a, b: np.einsum("ij,ij->i", a, b))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """aten::layer_norm over the trailing `normalized_shape` dims (biased variance).

    Works on a (rows, D) view: row means, then the centred rows' squared norms (two passes,
    so no cancellation), then one scaling per row and one per column.
    """
    shape = tuple(int(s) for s in normalized_shape)
    _check_layer_norm(input, shape, weight, bias)
    dtype = _compute_dtype(input)
    d = math.prod(shape)
    if input.size == 0:
        return input.copy()
    x = input.astype(dtype, copy=False).reshape(-1, d)
    inv_d = 1.0 / max(d, 1)
    mean = np.add.reduce(x, axis=1, keepdims=True)
    mean *= inv_d
    out = np.subtract(x, mean)
    rstd = _vecdot(out, out).reshape(-1, 1)
    rstd *= inv_d
    rstd += eps
    np.sqrt(rstd, out=rstd)
    np.reciprocal(rstd, out=rstd)
    out *= rstd
    if weight is not None:
        out *= weight.astype(dtype, copy=False).reshape(d)
    if bias is not None:
        out += bias.astype(dtype, copy=False).reshape(d)
    return out.reshape(input.shape).astype(input.dtype, copy=False)


def _check_layer_norm(input, shape, weight, bias):
    k = len(shape)
    if k == 0:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
            "one element, but got normalized_shape = []"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {list(shape)}"
            )
    if tuple(input.shape[input.ndim - k :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*, "
            f"{', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    require("LayerNormKernelImpl", input, "f")
    _check_mixed(input, [weight, bias])


def dropout(input, p: float, train: bool, rng: np.random.Generator | None = None):
    """aten::dropout: in training, zero each element with probability p and scale by 1/(1-p)."""
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not train or p == 0:
        return input.copy()
    if p == 1:
        return np.zeros_like(input)
    if kind_of(input) == "c":
        raise not_implemented("bernoulli_scalar_cpu_", input)
    if kind_of(input) in "biu":  # the float mask product cannot be cast back
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type {cpp_name(input)}"
        )
    rng = rng if rng is not None else np.random.default_rng()
    keep = rng.random(input.shape) >= p
    scale = np.asarray(1.0 / (1.0 - p), dtype=input.dtype)
    return (input * keep * scale).astype(input.dtype, copy=False)


def _generator() -> np.random.Generator:
    """The op table's global generator (the one ember.manual_seed seeds)."""
    return k_create.generator()


def _dropout_kernel(input, p, train):
    return dropout(input, p, train, _generator())


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """aten::embedding: rows of `weight` picked by integer `indices` (a copy)."""
    if indices.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {_legacy_type(indices)} instead (while checking "
            "arguments for embedding)"
        )
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    rows = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        raise IndexError("index out of range in self")
    return np.take(weight, indices, axis=0)


def _legacy_type(x) -> str:
    """PyTorch's legacy tensor type name of x's dtype ('ember.ByteTensor', 'CPUBoolType')."""
    name = cpp_name(x)
    if name in ("Byte", "Char", "Short", "Int", "Long", "Half", "Float", "Double"):
        return f"ember.{name}Tensor"
    return f"CPU{name}Type"


def embedding_renorm_(weight, indices, max_norm: float, norm_type: float):
    """aten::embedding_renorm_: rescale, in place, the rows `indices` picks whose p-norm
    exceeds `max_norm` to norm max_norm (PyTorch's 1e-7 guard included)."""
    rows = np.unique(indices)
    norms = np.linalg.norm(weight[rows].astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    scale = (max_norm / (norms[big] + 1e-7)).astype(weight.dtype)
    weight[rows[big]] *= scale[:, None]
    return weight


# -- registration in the op table (PyTorch's schemas, verbatim) -----------------------------

register(
    "batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, "
    "Tensor? running_var, bool training, float momentum, float eps, bool cudnn_enabled) "
    "-> Tensor",
    batch_norm,
    traits=(),
    doc="batch normalisation over dim 1; training updates the running statistics in place",
)
register(
    "layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None, "
    "Tensor? bias=None, float eps=1.0000000000000001e-05, bool cudnn_enable=True) -> Tensor",
    layer_norm,
    doc="layer normalisation over the trailing normalized_shape dims",
    faces="F",
)
register(
    "dropout(Tensor input, float p, bool train) -> Tensor",
    _dropout_kernel,
    traits=("nondeterministic",),
    doc="zero elements with probability p in training, scaling the rest by 1/(1-p)",
    faces="F",
)
register(
    "dropout_(Tensor(a!) self, float p, bool train) -> Tensor(a!)",
    in_place(_dropout_kernel),
    traits=("inplace", "nondeterministic"),
    doc="in-place dropout (torch's F.dropout(inplace=True), in archive code)",
)
register(
    "embedding(Tensor weight, Tensor indices, SymInt padding_idx=-1, "
    "bool scale_grad_by_freq=False, bool sparse=False) -> Tensor",
    embedding,
    doc="rows of weight selected by integer indices",
)
register(
    "embedding_renorm_(Tensor(a!) self, Tensor indices, float max_norm, float norm_type) "
    "-> Tensor(a!)",
    embedding_renorm_,
    traits=("inplace",),
    doc="rescale the selected embedding rows whose norm exceeds max_norm, in place",
)
