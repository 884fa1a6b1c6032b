"""The ember objects behind PyTorch's checkpoint globals, and the table mapping their names.

A checkpoint names `torch._utils._rebuild_tensor_v2`, `torch.FloatStorage`, `torch.float32` ...;
`TORCH_GLOBALS` maps each (module, name) to the ember callable or value that stands in for it.
Every callable validates its arguments, since with `weights_only=True` they are all a hostile
file can reach: bad arguments raise `SerializationError`.

Example:
    >>> TORCH_GLOBALS["torch", "FloatStorage"]
    StorageType(ember.float32)
"""

from __future__ import annotations

import collections
import math
from collections import OrderedDict

from ember import dtypes
from ember.devices import device as ember_device
from ember.errors import SerializationError
from ember.nn.parameter import Parameter
from ember.serializer.mathbits import apply_metadata
from ember.serializer.pickler import parameter_class
from ember.serializer.shown import shown
from ember.tensor import Size, Tensor, TypedStorage, UntypedStorage
from ember.tensor.tensor import from_storage

__all__ = [
    "StorageType",
    "TORCH_GLOBALS",
    "UNSUPPORTED_DTYPES",
    "UNSUPPORTED_GLOBALS",
    "rebuild_tensor_v2",
    "shown",
    "INT64_MAX",
]

_MAX_DIMS = 64  # numpy's limit
INT64_MAX = 2**63 - 1  # sizes, strides, offsets and element counts are int64 in PyTorch


UNSUPPORTED_DTYPES = [
    "uint16",
    "uint32",
    "uint64",
    "float8_e5m2",
    "float8_e4m3fn",
    "float8_e5m2fnuz",
    "float8_e4m3fnuz",
    "float8_e8m0fnu",
    "float4_e2m1fn_x2",
    "complex32",
    "bits1x8",
    "bits2x4",
    "bits4x2",
    "bits8",
    "bits16",
    "qint8",
    "qint32",
    "quint8",
    "quint4x2",
    "quint2x4",
    *(f"{kind}{bits}" for kind in ("uint", "int") for bits in range(1, 8)),
]

# Globals of PyTorch's checkpoint format that stand for things ember does not have.
UNSUPPORTED_GLOBALS = {
    ("torch._utils", "_rebuild_qtensor"): "quantized tensors",
    ("torch._utils", "_rebuild_sparse_tensor"): "sparse tensors",
    ("torch.serialization", "_get_layout"): "sparse tensor layouts",
    ("torch._utils", "_rebuild_meta_tensor_no_storage"): "tensors on the meta device",
    ("torch._utils", "_rebuild_nested_tensor"): "nested tensors",
    ("torch._utils", "_rebuild_wrapper_subclass"): "wrapper tensor subclasses",
    ("torch._utils", "_rebuild_device_tensor_from_numpy"): "tensors of storage-less devices",
    ("torch._utils", "_rebuild_device_tensor_from_cpu_tensor"): "xla/maia/mtia device tensors",
    ("torch.storage", "TypedStorage"): "storage objects built by the pickle itself",
    **{
        (module, f"{kind}Storage"): "quantized storages"
        for module in ("torch", "torch.cuda")
        for kind in ("QInt8", "QInt32", "QUInt8", "QUInt4x2", "QUInt2x4")
    },
    **{
        (module, f"{kind}Tensor"): "legacy tensor type objects"
        for module in ("torch", "torch.cuda", "torch.sparse", "torch.cuda.sparse")
        for kind in (
            "BFloat16",
            "Bool",
            "Byte",
            "Char",
            "Double",
            "Float",
            "Half",
            "Int",
            "Long",
            "Short",
        )
    },  # fmt: skip
    **{
        ("torch", q): "quantization schemes"
        for q in (
            "per_tensor_affine",
            "per_channel_affine",
            "per_tensor_symmetric",
            "per_channel_symmetric",
            "per_channel_affine_float_qparams",
        )
    },  # fmt: skip
}


class StorageType:
    """Stands in for a storage class global (`torch.FloatStorage`): carries only the dtype.

    `dtype` is None for `torch.storage.UntypedStorage`.
    """

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype

    def __repr__(self) -> str:
        return f"StorageType({self.dtype})"


def _check_ints(name: str, values, allow_empty: bool = True) -> tuple:
    if not isinstance(values, (tuple, list)) or not (values or allow_empty):
        raise SerializationError(f"tensor {name} must be a tuple of ints, got {shown(values)}")
    for v in values:
        if type(v) is not int or not 0 <= v <= INT64_MAX:
            raise SerializationError(
                f"tensor {name} must hold non-negative int64 values, got {shown(values)}"
            )
    return tuple(values)


def _view(storage, offset, size, stride, dtype) -> Tensor:
    if type(offset) is not int or not 0 <= offset <= INT64_MAX:
        raise SerializationError(f"bad tensor storage offset {shown(offset)}")
    size, stride = _check_ints("size", size), _check_ints("stride", stride)
    if len(size) != len(stride):
        raise SerializationError(f"tensor size {size} and stride {stride} differ in length")
    _check_addressable(size, stride, dtype.itemsize)
    if storage.nbytes() % dtype.itemsize and any(size):
        raise SerializationError(f"storage of {storage.nbytes()} bytes is not a whole {dtype}")
    if 0 not in size:
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if (last + 1) * dtype.itemsize > storage.nbytes():
            raise SerializationError(
                f"storage of {storage.nbytes() // dtype.itemsize} {dtype} elements is smaller "
                f"than the tensor claims (size {size}, stride {stride}, offset {offset})"
            )
    elif offset * dtype.itemsize > storage.nbytes():
        offset = 0
    return from_storage(storage, offset, size, stride, dtype)


def _check_addressable(size: tuple, stride: tuple, itemsize: int) -> None:
    """Refuse views numpy cannot describe: >64 dims, or byte counts/strides past int64."""
    if len(size) > _MAX_DIMS:
        raise SerializationError(f"tensor has {len(size)} dimensions; at most {_MAX_DIMS} load")
    elements = math.prod(n for n in size if n)
    if elements * itemsize >= 2**63 or max(stride, default=0) * itemsize >= 2**63:
        raise SerializationError(
            f"tensor size {size} / stride {stride} is too large to address (over 2**63 bytes)"
        )


def rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, metadata=None):
    """Rebuild a tensor viewing a loaded (typed) storage."""
    if not isinstance(storage, TypedStorage):
        raise SerializationError(f"_rebuild_tensor_v2 expects a storage, got {type(storage)}")
    t = _view(storage.untyped(), offset, size, stride, storage.dtype)
    t = apply_metadata(t, metadata)
    t.requires_grad = bool(requires_grad)
    return t


def rebuild_tensor_v3(storage, offset, size, stride, requires_grad, hooks, dtype, metadata=None):
    """Rebuild a tensor from an untyped storage and an explicit dtype."""
    if isinstance(storage, TypedStorage):
        storage = storage.untyped()
    if not isinstance(storage, UntypedStorage) or not isinstance(dtype, dtypes.dtype):
        raise SerializationError(f"bad _rebuild_tensor_v3 arguments: {type(storage)}, {dtype!r}")
    t = apply_metadata(_view(storage, offset, size, stride, dtype), metadata)
    t.requires_grad = bool(requires_grad)
    return t


def rebuild_tensor(storage, offset, size, stride):
    """The oldest tensor rebuild function (no requires_grad)."""
    return rebuild_tensor_v2(storage, offset, size, stride, False, None)


def rebuild_parameter(data, requires_grad, hooks, state=None):
    """Rebuild an `ember.nn.Parameter` around a loaded tensor."""
    if not isinstance(data, Tensor):
        raise SerializationError(f"_rebuild_parameter expects a tensor, got {type(data)}")
    cls = parameter_class()
    if cls is None:
        raise SerializationError("loading parameters needs ember.nn.Parameter")
    param = cls(data, bool(requires_grad))
    if state:
        if not isinstance(state, dict) or not all(_plain_attr(cls, k) for k in state):
            raise SerializationError(f"bad parameter state {shown(state)}")
        for k, v in state.items():
            setattr(param, k, v)
    return param


def _plain_attr(cls, key) -> bool:
    """Whether `key` may be set from a file: a str that shadows nothing the class defines."""
    return isinstance(key, str) and not key.startswith("__") and not hasattr(cls, key)


def rebuild_parameter_with_state(data, requires_grad, hooks, state):
    """Rebuild a parameter that carried extra Python attributes."""
    return rebuild_parameter(data, requires_grad, hooks, state)


def rebuild_from_type_v2(func, new_type, args, state):
    """A tensor rebuilt by `func(*args)`, made a `new_type`, given its saved attributes."""
    if not callable(func) or not isinstance(args, tuple):
        raise SerializationError(f"bad _rebuild_from_type_v2 arguments {shown((func, args))}")
    t = func(*args)
    if not isinstance(t, Tensor) or not (
        isinstance(new_type, type) and issubclass(new_type, Tensor)
    ):
        raise SerializationError(
            f"_rebuild_from_type_v2 needs a tensor and a Tensor subclass, got {type(t).__name__} "
            f"and {shown(new_type)}"
        )
    if type(t) is not new_type:
        t = new_type._make(t._np, t.untyped_storage(), t.requires_grad)
    setstate = getattr(new_type, "__setstate__", None)
    if setstate is not None and setstate is not getattr(Tensor, "__setstate__", None):
        t.__setstate__(state)
        return t
    _set_attributes(t, state)
    return t


def _set_attributes(t: Tensor, state) -> None:
    """PyTorch's `_set_obj_state`: a dict of attributes, or a (dict, slots) pair."""
    if isinstance(state, tuple) and len(state) == 2:
        parts = state
    elif state is None or isinstance(state, dict):
        parts = (state, None)
    else:
        raise SerializationError(f"bad tensor state {shown(state)}")
    for part in parts:
        if not part:
            continue
        if not isinstance(part, dict) or not all(_plain_attr(type(t), k) for k in part):
            raise SerializationError(f"bad tensor state {shown(state)}")
        for k, v in part.items():
            setattr(t, k, v)


def make_size(values=()):
    """`torch.Size(...)` from a file."""
    return Size(_check_ints("Size", list(values)))


def device(kind="cpu", index=None):
    """`torch.device(...)` from a file, as an `ember.device` (which may name any device type)."""
    if not isinstance(kind, str) or (index is not None and type(index) is not int):
        raise SerializationError(f"bad device {shown(kind)}, {shown(index)}")
    try:
        return ember_device(kind, index)
    except (RuntimeError, TypeError) as exc:
        raise SerializationError(f"bad device {shown(kind)}, {shown(index)}: {exc}") from None


def codecs_encode(text, encoding="utf-8"):
    """`_codecs.encode`, which protocol 2 uses for bytes; text codecs only."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8"):
        raise SerializationError(f"refusing _codecs.encode({type(text)}, {encoding!r})")
    return text.encode(encoding)


def safe_bytearray(data=b""):
    """`bytearray` from a file, refusing `bytearray(huge_int)` allocations."""
    if not isinstance(data, (bytes, bytearray, list, tuple)):
        raise SerializationError(f"refusing bytearray({type(data).__name__})")
    return bytearray(data)


def _storage_globals() -> dict:
    table = {}
    for d in dtypes.ALL_DTYPES:
        for module in ("torch", "torch.cuda"):
            table[module, d.storage_name] = StorageType(d)
        table["torch", d.name] = d
    for module in ("torch", "torch.storage"):
        table[module, "UntypedStorage"] = StorageType(None)
        table[module, "ByteStorage"] = StorageType(dtypes.uint8)
    return table


TORCH_GLOBALS = {
    ("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor_v3"): rebuild_tensor_v3,
    ("torch._utils", "_rebuild_tensor"): rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): rebuild_parameter_with_state,
    ("torch._tensor", "_rebuild_from_type_v2"): rebuild_from_type_v2,
    ("torch", "Tensor"): Tensor,
    ("torch.nn.parameter", "Parameter"): Parameter,
    ("collections", "OrderedDict"): OrderedDict,
    ("collections", "Counter"): collections.Counter,
    ("torch", "Size"): make_size,
    ("torch", "device"): device,
    ("_codecs", "encode"): codecs_encode,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex,
    ("builtins", "bytearray"): safe_bytearray,
    ("__builtin__", "set"): set,
    ("__builtin__", "frozenset"): frozenset,
    ("__builtin__", "complex"): complex,
} | _storage_globals()
