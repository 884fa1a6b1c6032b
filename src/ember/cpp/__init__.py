"""ember's C++ runtime, in process: archives run with no Python in the loop.

`load` maps an archive written by `ember.jit.save` (or converted by `ember convert`) and
returns a `Module` whose `forward` takes and returns ember tensors, numpy arrays and Python
values (bool, int, float, complex, str, None, lists, tuples, dicts). Tensors cross without a
copy when their memory allows it; the GIL is released while the C++ code runs, so threads can
share one module.

Errors are ember's: `SerializationError` for a file the runtime cannot load, `VersionError`
for an archive version it does not read, and `CppRuntimeError` (an `EmberError` and a
`RuntimeError`) for everything raised while running, with the C++ message.

The C++ SDK (headers, static library, CMake package) is installed inside this package:
`cmake -Dember_DIR=$(python -c "import ember.cpp; print(ember.cpp.cmake_dir())")`.

Example:
    >>> import ember.cpp
    >>> (ember.cpp.cmake_dir() / "emberConfig.cmake").is_file()
    True
"""

from __future__ import annotations

import os
from pathlib import Path

from ml_dtypes import bfloat16 as _bfloat16
from numpy import dtype as _np_dtype

from ember import devices, dtypes
from ember.errors import EmberError, SerializationError, VersionError
from ember.tensor.size import Size
from ember.tensor.tensor import Tensor

from .. import _cpp

__all__ = [
    "load",
    "load_checkpoint",
    "Module",
    "ScriptObject",
    "CppRuntimeError",
    "cmake_dir",
    "include_dir",
]


class CppRuntimeError(EmberError, RuntimeError):
    """An error the C++ runtime raised while running: a kernel's check, a missing operator,
    wrong inputs, or the program's own `raise`."""


# ember::ErrorKind order: Load, Version, Operator, Argument, Runtime.
_ERRORS = (SerializationError, VersionError, CppRuntimeError, CppRuntimeError, CppRuntimeError)
_cpp._init(Tensor, Tensor._make, dtypes.dtype, devices.device, Size, _np_dtype(_bfloat16), _ERRORS)

Module = _cpp.Module
ScriptObject = _cpp.ScriptObject


def load(
    path: str | os.PathLike, mmap: bool = True, optimize: bool = True, plan_memory: bool = True
) -> Module:
    """Loads an archive's program record into the C++ runtime.

    `mmap` maps the file and views its tensors in place (else it is read into memory);
    `optimize` folds batch norms into convolutions and pre-packs weights at load;
    `plan_memory` frees each intermediate after its last reader and lets intermediates whose
    lifetimes do not overlap share arena memory (`module._arena_stats()` gives the bytes the
    arena holds between calls and the tensors it has allocated).
    The module has `forward(*args)` (also `module(*args)`), `run_method(name, *args)`,
    `attribute("l0.weight")`, `method_names()` and `version`.

    Example (`model.pt` written by `ember.jit.save`)::

        m = ember.cpp.load("model.pt")
        y = m.forward(ember.ones(4))      # an ember tensor, as ember.jit.load's module gives
    """
    return _cpp.load(os.fspath(path), mmap, optimize, plan_memory)


def load_checkpoint(path: str | os.PathLike) -> dict:
    """The tensors of a checkpoint (a state dict saved by `ember.save` or `torch.save`),
    read by the C++ runtime's weights-only unpickler: `{name: tensor}`."""
    return _cpp.load_checkpoint(os.fspath(path))


def _call_op(qualified_name: str, *args, num_outputs: int = 1):
    """Runs ONE kernel of the C++ registry (`"aten::add.Tensor"`) on `args`, converted as
    `forward` converts them, with every schema argument given; returns its result, or a
    tuple of `num_outputs` results. For testing kernels against the Python ones."""
    return _cpp._call_op(qualified_name, *args, num_outputs=num_outputs)


def _kernel_names() -> list[str]:
    """Every operator the C++ kernel registry has, sorted."""
    return _cpp._kernel_names()


def _sdk() -> Path:
    return Path(_cpp.__file__).resolve().parent / "cpp"


def cmake_dir() -> Path:
    """The folder holding `emberConfig.cmake`, for `find_package(ember)` (`-Dember_DIR=`)."""
    return _sdk() / "lib" / "cmake" / "ember"


def include_dir() -> Path:
    """The folder holding the C++ headers (`<ember/ember.h>`)."""
    return _sdk() / "include"
