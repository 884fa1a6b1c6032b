"""Kernels: views that share storage (results annotated `Tensor(a)`), and shape queries.

View kernels return numpy views of their input; the dispatcher wraps them so they share the
input tensor's storage. Strides follow PyTorch's rules (e.g. `unsqueeze`, `expand` with 0).

Example:
    >>> import numpy as np
    >>> from ember.ops.kernels.view import expand
    >>> expand(np.zeros(4, np.float32), [4, 4]).strides
    (0, 4)
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided as _np_as_strided

from ember import dtypes
from ember.ops.kernels.checks import wrap_dim
from ember.ops.kernels.reduce import dims
from ember.ops.kernels.strides import is_canonical, view_strides
from ember.ops.table import register

_V = ("view",)


def restride(a, shape, strides):
    """A view of `a` with `shape` and element `strides` starting at a's first element."""
    item = a.itemsize
    shape, want = tuple(shape), tuple(s * item for s in strides)
    if a.size:
        # numpy's C reshape is far cheaper than as_strided and usually lands on the same strides
        try:
            r = a.reshape(shape)
        except ValueError:
            r = None
        if r is not None and r.strides == want and _is_view_of(r, a):
            return r
    return _np_as_strided(a, shape, want)


def _elem_strides(a):
    return [s // a.itemsize for s in a.strides] if a.itemsize else [0] * a.ndim


def select(a, dim, index):
    """the slice at `index` along `dim`, one dimension fewer"""
    if a.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, a.ndim)
    size = a.shape[d]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {d} with size {size}")
    return a[(slice(None),) * d + (index, Ellipsis)]  # Ellipsis keeps 0-d results views


def slice_(a, dim=0, start=None, end=None, step=1):
    """a[start:end:step] along `dim` (step must be positive)"""
    if step <= 0:
        raise ValueError("slice step must be positive")
    d = wrap_dim(dim, a.ndim)
    return a[(slice(None),) * d + (slice(start, end, step),)]


def narrow(a, dim, start, length):
    """`length` elements from `start` along `dim`"""
    d = wrap_dim(dim, a.ndim)
    size = a.shape[d]
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start + length > size or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return a[(slice(None),) * d + (slice(start, start + length),)]


def _infer_shape(shape, numel):
    shape = [int(s) for s in shape]
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    return shape


def _is_view_of(r, a) -> bool:
    # numpy collapses view chains: a view's base is `a` itself or `a`'s own base.
    return r.base is a or (r.base is a.base and a.base is not None)


def _torch_view(a, shape):
    """a viewed as `shape` with PyTorch's strides (None when it needs a copy)."""
    strides = view_strides(a.shape, _elem_strides(a), shape)
    return None if strides is None else restride(a, shape, strides)


def view(a, size):
    """the same elements with shape `size`, sharing memory (RuntimeError if impossible)"""
    if a.size:
        try:
            r = a.reshape(size)
        except (ValueError, TypeError):
            pass  # the checked path below names the problem
        else:
            if _is_view_of(r, a) and (1 not in r.shape or is_canonical(a)):
                return r  # numpy's strides are PyTorch's here
        shape = _infer_shape(_as_list(size), a.size)
        r = _torch_view(a, shape)
        if r is not None:
            return r
    else:
        shape = _infer_shape(_as_list(size), a.size)
        try:
            return np.reshape(a, shape, copy=False)
        except ValueError:
            pass
    raise RuntimeError(
        "view size is not compatible with input tensor's size and stride (at least one "
        "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
    )


def _as_list(size):
    return [size] if isinstance(size, int) else list(size)


def reshape(a, shape):
    """a view when strides allow, else a contiguous copy"""
    if a.size:
        try:
            r = a.reshape(shape)
        except (ValueError, TypeError):
            r = None
        if r is not None and (1 not in r.shape or is_canonical(a) or not _is_view_of(r, a)):
            return r  # numpy's strides are PyTorch's here (or r is already a fresh copy)
        shape = _infer_shape(_as_list(shape), a.size)
        r = _torch_view(a, shape)
        return r if r is not None else np.ascontiguousarray(a).reshape(shape)
    shape = _infer_shape(_as_list(shape), a.size)
    try:
        return np.reshape(a, shape, copy=False)
    except ValueError:
        return np.ascontiguousarray(a).reshape(shape)


def expand(a, size, implicit=False):
    """broadcast to `size` with stride 0 in expanded dimensions (-1 keeps a size)"""
    size = _as_list(size)
    if len(size) < a.ndim:
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(a.shape)}}}, size={size}): the number of sizes "
            f"provided ({len(size)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({a.ndim})"
        )
    lead = len(size) - a.ndim
    old_strides = _elem_strides(a)
    shape, strides = [], []
    for i, s in enumerate(size):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            shape.append(s)
            strides.append(0)
            continue
        old = a.shape[i - lead]
        if s == -1:
            s = old
        if old == s:
            shape.append(s)
            strides.append(old_strides[i - lead])
        elif old == 1:
            shape.append(s)
            strides.append(0)
        else:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {size}.  "
                f"Tensor sizes: {list(a.shape)}"
            )
    return restride(a, shape, strides)


def expand_as(a, other):
    """expand to other's shape"""
    return expand(a, list(other.shape))


def t(a):
    """transpose of a matrix (0-d and 1-d tensors unchanged)"""
    if a.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")
    return a.T if a.ndim == 2 else a.view()


def transpose(a, dim0, dim1):
    """swap two dimensions"""
    if a.ndim == 0:
        wrap_dim(dim0, 0), wrap_dim(dim1, 0)
        return a.view()
    return np.swapaxes(a, wrap_dim(dim0, a.ndim), wrap_dim(dim1, a.ndim))


def permute(a, dims_):
    """reorder dimensions"""
    if len(dims_) != a.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {a.ndim} is not "
            f"equal to len(dims) = {len(dims_)}"
        )
    return np.transpose(a, [wrap_dim(d, a.ndim) for d in dims_])


def squeeze(a, dim=None):
    """drop size-1 dimensions (all, or only those in `dim` that have size 1)"""
    if a.ndim == 0:
        return a.view()
    axes = range(a.ndim) if dim is None else dims(dim, a.ndim)
    drop = {d for d in axes if a.shape[d] == 1}
    keep = [i for i in range(a.ndim) if i not in drop]
    st = _elem_strides(a)
    return restride(a, [a.shape[i] for i in keep], [st[i] for i in keep])


def unsqueeze(a, dim):
    """insert a size-1 dimension at `dim`"""
    d = wrap_dim(dim, a.ndim + 1)
    shape, st = list(a.shape), _elem_strides(a)
    new_stride = shape[d] * st[d] if d < a.ndim else 1
    return restride(a, shape[:d] + [1] + shape[d:], st[:d] + [new_stride] + st[d:])


def flatten(a, start_dim=0, end_dim=-1):
    """merge dimensions start_dim..end_dim (a view when possible)"""
    if a.ndim == 0:
        return a.reshape(1)
    s, e = wrap_dim(start_dim, a.ndim), wrap_dim(end_dim, a.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return a.view()
    shape = (
        list(a.shape[:s])
        + [-1 if a.size else int(np.prod(a.shape[s : e + 1]))]
        + list(a.shape[e + 1 :])
    )
    return reshape(a, shape)


def unflatten(a, dim, sizes):
    """split dimension `dim` into `sizes` (one -1 allowed)"""
    d = wrap_dim(dim, a.ndim)
    inner = _infer_shape(list(sizes), a.shape[d])
    return view(a, list(a.shape[:d]) + inner + list(a.shape[d + 1 :]))


def as_strided(a, size, stride, storage_offset=None):
    """an arbitrary strided view of the same storage"""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    buf = root.reshape(-1).view(np.uint8) if root.ndim != 1 or root.dtype != np.uint8 else root
    start = a.__array_interface__["data"][0] - buf.__array_interface__["data"][0]
    if storage_offset is not None:
        start = storage_offset * a.itemsize
    item = a.itemsize
    return np.ndarray(
        tuple(size), a.dtype, buffer=buf, offset=start, strides=tuple(s * item for s in stride)
    )


def view_as(a, other):
    """view with other's shape"""
    return view(a, list(other.shape))


def reshape_as(a, other):
    """reshape to other's shape"""
    return reshape(a, list(other.shape))


def alias(a):
    """a new tensor object over the same memory"""
    return a.view()


def contiguous(a, memory_format="contiguous_format"):
    """a itself when C-contiguous, else a contiguous copy"""
    return a if a.flags.c_contiguous else np.ascontiguousarray(a)


def to_dtype(a, dtype, non_blocking=False, copy=False, memory_format=None):
    """a converted to `dtype` (a itself when nothing changes and copy is False)"""
    if a.dtype == dtype.np and not copy:
        return a
    return dtypes.astype(a, dtype.np)


def to_device(a, device, dtype, non_blocking=False, copy=False, memory_format=None):
    """a on `device` (the CPU only) converted to `dtype`: what torch's tracer records for a
    tensor literal"""
    if str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"ember tensors live on the CPU, not on device '{device}'")
    return to_dtype(a, dtype, non_blocking, copy)


def to_other(a, other, non_blocking=False, copy=False, memory_format=None):
    """a converted to the dtype of `other`"""
    if a.dtype == other.dtype and not copy:
        return a
    return dtypes.astype(a, other.dtype)


_VIEW_OPS = (
    ("select.int(Tensor(a) self, int dim, SymInt index) -> Tensor(a)", select, "ember Tensor"),
    (
        "slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None,"
        " SymInt step=1) -> Tensor(a)",
        slice_,
        "",
    ),
    (
        "narrow(Tensor(a) self, int dim, SymInt start, SymInt length) -> Tensor(a)",
        narrow,
        "ember Tensor",
    ),
    ("view(Tensor(a) self, SymInt[] size) -> Tensor(a)", view, "Tensor"),
    ("reshape(Tensor(a) self, SymInt[] shape) -> Tensor(a)", reshape, "ember Tensor"),
    (
        "expand(Tensor(a) self, SymInt[] size, *, bool implicit=False) -> Tensor(a)",
        expand,
        "Tensor",
    ),
    ("expand_as(Tensor(a) self, Tensor other) -> Tensor(a)", expand_as, "Tensor"),
    ("t(Tensor(a) self) -> Tensor(a)", t, "ember Tensor"),
    ("transpose.int(Tensor(a) self, int dim0, int dim1) -> Tensor(a)", transpose, "ember Tensor"),
    ("permute(Tensor(a) self, int[] dims) -> Tensor(a)", permute, "ember Tensor"),
    ("squeeze(Tensor(a) self) -> Tensor(a)", squeeze, "ember Tensor"),
    ("squeeze.dim(Tensor(a) self, int dim) -> Tensor(a)", squeeze, "ember Tensor"),
    ("squeeze.dims(Tensor(a) self, int[] dim) -> Tensor(a)", squeeze, "ember Tensor"),
    ("unsqueeze(Tensor(a) self, int dim) -> Tensor(a)", unsqueeze, "ember Tensor"),
    (
        "flatten.using_ints(Tensor(a) self, int start_dim=0, int end_dim=-1) -> Tensor(a)",
        flatten,
        "ember Tensor F.flatten",
    ),
    (
        "unflatten.int(Tensor(a) self, int dim, SymInt[] sizes) -> Tensor(a)",
        unflatten,
        "ember Tensor",
    ),
    (
        "as_strided(Tensor(a) self, SymInt[] size, SymInt[] stride,"
        " SymInt? storage_offset=None) -> Tensor(a)",
        as_strided,
        "ember Tensor",
    ),
    ("view_as(Tensor(a) self, Tensor other) -> Tensor(a)", view_as, "Tensor"),
    ("reshape_as(Tensor(a) self, Tensor other) -> Tensor(a)", reshape_as, "Tensor"),
    ("detach(Tensor(a) self) -> Tensor(a)", alias, "ember Tensor"),
    ("alias(Tensor(a) self) -> Tensor(a)", alias, ""),
    (
        "contiguous(Tensor(a) self, *, MemoryFormat memory_format=contiguous_format) -> Tensor(a)",
        contiguous,
        "Tensor",
    ),
    (
        "to.dtype(Tensor(a) self, ScalarType dtype, bool non_blocking=False,"
        " bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
        to_dtype,
        "Tensor.to",
    ),
    (
        "to.device(Tensor(a) self, Device device, ScalarType dtype, bool non_blocking=False,"
        " bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
        to_device,
        "Tensor.to",
    ),
    (
        "to.other(Tensor(a) self, Tensor other, bool non_blocking=False, bool copy=False,"
        " MemoryFormat? memory_format=None) -> Tensor(a)",
        to_other,
        "Tensor.to",
    ),
)
for _schema, _fn, _faces in _VIEW_OPS:
    register(_schema, _fn, traits=_V, faces=_faces)


def _size_int(a, dim):
    return a.shape[wrap_dim(dim, a.ndim)]


def _len(a):
    if a.ndim == 0:
        raise TypeError("len() of a 0-d tensor")
    return a.shape[0]


register("size.int(Tensor self, int dim) -> int", _size_int, doc="size of one dimension",
         faces="Tensor.size")  # fmt: skip
register("size(Tensor self) -> int[]", lambda a: list(a.shape), doc="the shape as a list",
         faces="Tensor.size")  # fmt: skip
register("dim(Tensor self) -> int", lambda a: a.ndim, doc="number of dimensions", faces="Tensor")
register("numel(Tensor self) -> int", lambda a: int(a.size), doc="number of elements",
         faces="ember Tensor")  # fmt: skip
register("len.Tensor(Tensor t) -> int", _len, doc="size of dimension 0")
