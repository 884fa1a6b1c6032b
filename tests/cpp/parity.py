"""Running archives in the C++ runtime beside ember's Python runtime, and comparing results.

`in_cpp(path, args)` runs an archive's forward in `ember.cpp` (in-process); `in_ember_run`
runs it through the `ember-run` command (a fresh process, arrays in and out as .npz), for
arguments and results it can carry. `assert_parity` is issue 12's rule: integer and bool
results exactly equal, floats within 1e-5 relative, same structure and dtypes. "Relative" is
to the result's scale (its largest magnitude): a logit of 1e-3 beside logits of 4 may differ
by 2e-7 (one float32 step at 4) from a differently ordered sum, which is not a 1e-5 error.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from tests.archives.twins import clone

import ember
import ember.cpp

RTOL, ATOL = 1e-5, 1e-7


def in_cpp(path, args):
    """forward(*args) of the archive at `path`, run by ember.cpp."""
    return ember.cpp.load(str(path)).forward(*clone(args))


def in_python(path, args):
    """forward(*args) of the archive at `path`, run by ember.jit.load's Python runtime."""
    return ember.jit.load(str(path))(*clone(args))


def assert_parity(cpp, py, where="result", rtol=RTOL):
    """`cpp` (from the C++ runtime) equals `py` (from the Python one) by issue 12's rule.

    A NamedTuple result may come back as a plain tuple: the C++ runtime does not keep the
    NamedTuple's class (its items must still be equal)."""
    if isinstance(py, ember.Tensor):
        assert isinstance(cpp, ember.Tensor), f"{where}: tensor vs {type(cpp).__name__}"
        assert cpp.dtype == py.dtype, f"{where}: dtype {cpp.dtype} != {py.dtype}"
        assert tuple(cpp.shape) == tuple(py.shape), f"{where}: shape {cpp.shape} != {py.shape}"
        floating = py.dtype.is_floating_point or py.dtype.is_complex
        _close(cpp.numpy(), py.numpy(), floating, where, rtol)
    elif isinstance(py, tuple | list):
        expected = tuple if hasattr(py, "_fields") else type(py)
        assert type(cpp) is expected, f"{where}: {type(cpp).__name__} vs {type(py).__name__}"
        assert len(cpp) == len(py), f"{where}: {len(cpp)} items vs {len(py)}"
        for i, (c, p) in enumerate(zip(cpp, py)):
            assert_parity(c, p, f"{where}[{i}]", rtol)
    elif isinstance(py, dict):
        assert isinstance(cpp, dict) and list(cpp) == list(py), f"{where}: keys differ"
        for k in py:
            assert_parity(cpp[k], py[k], f"{where}[{k!r}]", rtol)
    elif isinstance(py, float):
        assert isinstance(cpp, float), f"{where}: {cpp!r} vs {py!r}"
        _close(np.float64(cpp), np.float64(py), True, where, rtol)
    else:
        assert type(cpp) is type(py) and cpp == py, f"{where}: {cpp!r} != {py!r}"


def _close(got, want, floating, where, rtol=RTOL):
    if floating:
        finite = np.abs(want[np.isfinite(want)]) if np.ndim(want) else np.abs([want])
        scale = float(finite.max()) if np.size(finite) else 0.0
        atol = max(ATOL, rtol * scale)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
    else:
        np.testing.assert_array_equal(got, want, err_msg=where)


def ember_run_command() -> str:
    """The `ember-run` installed beside this interpreter (the package's scripts folder)."""
    beside = Path(sys.executable).parent / "ember-run"
    return str(beside) if beside.exists() else shutil.which("ember-run") or "ember-run"


def carries(value) -> bool:
    """Whether ember-run can pass `value` (an argument or result) through an .npz file."""
    if isinstance(value, ember.Tensor | bool | int | float):
        return True
    if isinstance(value, tuple | list):
        return all(isinstance(v, ember.Tensor | bool | int | float) for v in value)
    return False


def plain(args) -> bool:
    """Whether every argument is a tensor or a number (what ember-run reads from an .npz)."""
    return all(isinstance(a, ember.Tensor | bool | int | float) for a in args)


def flatten(value) -> list:
    """Results as ember-run writes them: tuples, lists and dict values flattened in order,
    None left out."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, tuple | list):
        return [x for v in value for x in flatten(v)]
    return [] if value is None else [value]


def in_ember_run(path, args, folder) -> list:
    """forward(*args) through `ember-run MODEL IN.npz OUT.npz`, as flat numpy arrays."""
    folder = Path(folder)
    inputs = {f"in{i}": _array(a) for i, a in enumerate(args)}
    np.savez(folder / "in.npz", **inputs)
    out = folder / "out.npz"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    done = subprocess.run(
        [ember_run_command(), str(path), str(folder / "in.npz"), str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with np.load(out) as arrays:
        return [arrays[f"out{i}"] for i in range(len(arrays.files))]


def _array(value) -> np.ndarray:
    if isinstance(value, ember.Tensor):
        return np.array(value.numpy())  # ascontiguousarray would make 0-d arrays 1-d
    return np.array(value)


def assert_run_parity(arrays, py, where="result", rtol=RTOL):
    """ember-run's flat arrays equal the Python runtime's (flattened) results."""
    want = flatten(py)
    assert len(arrays) == len(want), f"{where}: {len(arrays)} outputs vs {len(want)}"
    for i, (got, w) in enumerate(zip(arrays, want)):
        ref = _array(w)
        assert got.shape == ref.shape, f"{where}[{i}]: shape {got.shape} != {ref.shape}"
        assert got.dtype == ref.dtype or not isinstance(w, ember.Tensor), (
            f"{where}[{i}]: dtype {got.dtype} != {ref.dtype}"
        )
        _close(got, ref, ref.dtype.kind in "fc", f"{where}[{i}]", rtol)
