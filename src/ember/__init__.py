"""ember: PyTorch's serialization and deployment stack, small, on numpy.

The public names mirror `torch`'s, so code written for PyTorch runs with `import ember as torch`.

Example:
    >>> import ember
    >>> ember.tensor([1.0, 2.0]) * 2
    tensor([2., 4.])
"""

from ember import dtypes, fx, jit, nn, serialization, utils
from ember.assertions import _assert
from ember.devices import device
from ember.dtypes import (
    bfloat16,
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from ember.dtypes import bool_ as bool  # noqa: A001 - PyTorch's name
from ember.errors import (
    CompileError,
    EmberError,
    InternalError,
    SerializationError,
    TraceError,
    VerifyError,
    VersionError,
)
from ember.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from ember.predicates import is_floating_point, is_storage, is_tensor
from ember.serialization import load, save
from ember.tensor import *  # noqa: F403 - tensors, storages and the op table's functions
from ember.tensor import __all__ as _tensor_names

half, float, double = float16, float32, float64  # noqa: A001 - PyTorch's dtype aliases
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble = complex64, complex128

__all__ = [
    *_tensor_names,
    "dtypes", "dtype", "get_default_dtype", "set_default_dtype",
    "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
    "float64", "complex64", "complex128", "half", "float", "double", "short", "int", "long",
    "cfloat", "cdouble",
    "EmberError", "SerializationError", "VersionError", "CompileError", "VerifyError",
    "TraceError", "InternalError",
    "nn", "jit", "serialization", "save", "load", "utils", "fx", "_assert",
    "no_grad", "enable_grad", "inference_mode", "set_grad_enabled", "is_grad_enabled",
    "device", "is_tensor", "is_storage", "is_floating_point",
]  # fmt: skip
