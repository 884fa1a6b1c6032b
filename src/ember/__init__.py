"""ember: PyTorch's serialization and deployment stack, small, on numpy.

Example:
    >>> import ember
    >>> ember.tensor([1.0, 2.0]) * 2
    tensor([2., 4.])
"""

from ember import dtypes
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
    SerializationError,
    TraceError,
    VerifyError,
    VersionError,
)
from ember.tensor import Size, Tensor, TypedStorage, UntypedStorage
from ember.tensor import as_tensor, from_numpy, set_printoptions, tensor

# PyTorch's dtype aliases.
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble = complex64, complex128

# -- each layer's public names are added below as it lands ------------------------------------

import ember.serialization  # noqa: E402
from ember.serialization import load, save  # noqa: E402
from ember.tensor.functions import *  # noqa: E402,F403
from ember import nn  # noqa: E402
from ember import jit  # noqa: E402
