"""`ember.nn.functional`: the functions layers are built from, each running table ops.

The op table's ``F.`` faces live here: a function whose positional parameters line up with
its ops' schemas is that face (``relu.__ember_face__ == 'F.relu'``), so the compiler maps
calls straight to the op and picks the overload (``aten::conv2d`` vs
``aten::conv2d.padding``) by the argument types; faces without a hand-written function here
are generated from the table (with PyTorch's ``inplace=False`` where an in-place op exists).
Parameters PyTorch adds after the schema's own (``inplace``, ``return_indices``,
``_stacklevel``) only work in eager mode. Functions whose parameters come in another order
than the op's (``batch_norm``, ``embedding``, ``silu``) are no faces; they are written in the
scripting subset and get compiled from source, calling the ``_aten_*`` helpers, which carry
``__ember_op__`` (the operator they call).

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.relu(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    >>> F.relu.__ember_face__
    'F.relu'
"""

# ruff: noqa: UP006, UP007, UP035, UP045 - typing.Optional/List: the scripting subset's spelling

from typing import List, Optional

from ember.nn._functional_activations import hardsigmoid, hardswish, relu6
from ember.nn._functional_resample import interpolate
from ember.nn.functional_attention import multi_head_attention_forward
from ember.ops.table import get as _get_op
from ember.tensor import faces as _faces
from ember.tensor.dispatch import call as _call
from ember.tensor.dispatch import invoker as _invoker
from ember.tensor.faces import adapter as _adapter
from ember.tensor.tensor import Tensor

__all__ = [
    "relu", "relu_", "gelu", "silu", "tanh", "sigmoid", "softmax", "log_softmax", "linear",
    "conv1d", "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm",
    "layer_norm", "group_norm", "dropout", "embedding", "flatten", "relu6", "hardswish",
    "hardsigmoid", "interpolate",
    "multi_head_attention_forward",
]  # fmt: skip


def _bound(name: str):
    """The op's generated caller, looked up once (the hot activations skip `call`'s lookup)."""
    return _invoker(_get_op(name))


_RELU, _RELU_, _LINEAR, _TANH, _SIGMOID, _SILU = map(
    _bound,
    ["aten::relu", "aten::relu_", "aten::linear", "aten::tanh", "aten::sigmoid", "aten::silu"],
)


def _op(name: str):
    def mark(fn):
        fn.__ember_op__ = name
        return fn

    return mark


# -- activations ---------------------------------------------------------------------------


@_adapter("F.relu")
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0) elementwise; ``inplace=True`` writes into `input` (eager only)."""
    if inplace:
        return _RELU_(input)
    return _RELU(input)


@_adapter("F.relu_")
def relu_(input: Tensor) -> Tensor:
    """In-place relu."""
    return _RELU_(input)


@_adapter("F.gelu")
def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit; ``approximate='tanh'`` uses the tanh formula."""
    return _call("aten::gelu", input, approximate=approximate)


@_op("aten::silu")
def _aten_silu(self: Tensor) -> Tensor:
    return _SILU(self)


@_op("aten::silu_")
def _aten_silu_(self: Tensor) -> Tensor:
    return _call("aten::silu_", self)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) elementwise; ``inplace=True`` writes into `input` (``aten::silu_``)."""
    if inplace:
        return _aten_silu_(input)
    return _aten_silu(input)


@_adapter("F.tanh")
def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent elementwise."""
    return _TANH(input)


@_adapter("F.sigmoid")
def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)) elementwise."""
    return _SIGMOID(input)


def _implicit_dim(ndim: int) -> int:
    return 0 if ndim in (0, 1, 3) else 1


@_adapter("F.softmax")
def softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along `dim`."""
    if dim is None:
        dim = _implicit_dim(input.dim())
    return _call("aten::softmax.int", input, dim, dtype)


@_adapter("F.log_softmax")
def log_softmax(
    input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None
) -> Tensor:
    """log(softmax(x)) along `dim`, computed stably."""
    if dim is None:
        dim = _implicit_dim(input.dim())
    return _call("aten::log_softmax.int", input, dim, dtype)


# -- linear and convolution ------------------------------------------------------------------


@_adapter("F.linear")
def linear(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """input @ weight.T + bias."""
    return _LINEAR(input, weight, bias)


@_adapter("F.conv1d")
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D convolution over (N, C, L) input; padding may be 'same' or 'valid'."""
    name = "aten::conv1d.padding" if isinstance(padding, str) else "aten::conv1d"
    return _call(name, input, weight, bias, stride, padding, dilation, groups)


@_adapter("F.conv2d")
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D convolution over (N, C, H, W) input; padding may be 'same' or 'valid'."""
    name = "aten::conv2d.padding" if isinstance(padding, str) else "aten::conv2d"
    return _call(name, input, weight, bias, stride, padding, dilation, groups)


# -- pooling -----------------------------------------------------------------------------------


@_adapter("F.max_pool2d")
def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """2-D max pooling; ``return_indices=True`` also gives each maximum's flat index."""
    stride = [] if stride is None else stride
    if return_indices:
        return tuple(
            _call(
                "aten::max_pool2d_with_indices",
                input, kernel_size, stride, padding, dilation, ceil_mode,
            )
        )  # fmt: skip
    return _call("aten::max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode)


@_adapter("F.avg_pool2d")
def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
) -> Tensor:
    """2-D average pooling."""
    stride = [] if stride is None else stride
    return _call(
        "aten::avg_pool2d",
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
    )  # fmt: skip


@_adapter("F.adaptive_avg_pool2d")
def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to `output_size` (an int, a pair, None keeps that input size)."""
    if not isinstance(output_size, (list, tuple)):
        output_size = [output_size, output_size]
    size = [input.shape[-2 + i] if s is None else s for i, s in enumerate(output_size)]
    return _call("aten::adaptive_avg_pool2d", input, size)


# -- normalisation, dropout, embedding ------------------------------------------------------


@_op("aten::batch_norm")
def _aten_batch_norm(
    input: Tensor,
    weight: Optional[Tensor],
    bias: Optional[Tensor],
    running_mean: Optional[Tensor],
    running_var: Optional[Tensor],
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    return _call(
        "aten::batch_norm",
        input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled,
    )  # fmt: skip


def _verify_batch_size(size: List[int]) -> None:
    """Training needs more than one value per channel (PyTorch's check, in F.batch_norm)."""
    values = size[0]
    for i in range(len(size) - 2):
        values *= size[i + 2]
    if values == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {size}"
        )


def batch_norm(
    input: Tensor,
    running_mean: Optional[Tensor],
    running_var: Optional[Tensor],
    weight: Optional[Tensor] = None,
    bias: Optional[Tensor] = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation over dim 1; training updates the running statistics in place."""
    if training:
        _verify_batch_size(input.size())
    return _aten_batch_norm(
        input, weight, bias, running_mean, running_var, training, momentum, eps, False
    )


@_op("aten::group_norm")
def _aten_group_norm(
    input: Tensor,
    num_groups: int,
    weight: Optional[Tensor] = None,
    bias: Optional[Tensor] = None,
    eps: float = 1e-5,
) -> Tensor:
    return _call("aten::group_norm", input, num_groups, weight, bias, eps)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Optional[Tensor] = None,
    bias: Optional[Tensor] = None,
    eps: float = 1e-5,
) -> Tensor:
    """Group normalisation: dim 1 split into `num_groups` groups, each normalised per sample."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    size = input.size()
    grouped = [size[0] * size[1] // num_groups, num_groups]
    for i in range(2, len(size)):
        grouped.append(size[i])
    _verify_batch_size(grouped)
    return _aten_group_norm(input, num_groups, weight, bias, eps)


@_adapter("F.layer_norm")
def layer_norm(
    input: Tensor,
    normalized_shape: List[int],
    weight: Optional[Tensor] = None,
    bias: Optional[Tensor] = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalisation over the trailing `normalized_shape` dims."""
    return _call("aten::layer_norm", input, list(normalized_shape), weight, bias, eps)


@_adapter("F.dropout")
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero elements with probability `p` when training, scaling the rest by 1/(1-p)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if inplace:
        return _call("aten::dropout_", input, p, training)
    return _call("aten::dropout", input, p, training)


@_op("aten::embedding")
def _aten_embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    return _call("aten::embedding", weight, indices, padding_idx, scale_grad_by_freq, sparse)


@_op("aten::embedding_renorm_")
def _aten_embedding_renorm_(
    self: Tensor, indices: Tensor, max_norm: float, norm_type: float
) -> Tensor:
    return _call("aten::embedding_renorm_", self, indices, max_norm, norm_type)


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: Optional[int] = None,
    max_norm: Optional[float] = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of `weight` picked by the integer tensor `input`.

    With `max_norm`, the picked rows whose `norm_type`-norm exceeds it are first rescaled
    in place to that norm, as PyTorch does.
    """
    if max_norm is not None:
        _aten_embedding_renorm_(weight, input, max_norm, norm_type)
    idx = -1
    if padding_idx is not None:
        idx = padding_idx
        if idx < 0:
            idx = weight.size(0) + idx
    return _aten_embedding(weight, input, idx, scale_grad_by_freq, sparse)


@_adapter("F.flatten")
def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """A view of `input` with dims start_dim..end_dim merged into one."""
    return _call("aten::flatten.using_ints", input, start_dim, end_dim)


@_op("aten::dropout_")
def _aten_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return _call("aten::dropout_", input, p, train)


_ADAPTERS = {name: fn for name, fn in dict(globals()).items() if hasattr(fn, "__ember_face__")}
__all__ += [n for n in _faces.install("F", _ADAPTERS, globals().__setitem__) if n not in __all__]
