"""Helpers for archive tests: torch twins of ember's corpora, and comparing results.

The corpora are written against ember's API, which mirrors torch's names, so a corpus file
whose every ``ember`` is read as ``torch`` builds the same modules and functions in torch
2.13. `twin(module)` executes such a copy; `to_torch_values` moves arguments across;
`assert_same_values` compares an ember result with a torch one (tensors by dtype and value,
containers element by element) and `assert_same` two ember results. `saved` and
`forward_code` give an archive's bytes and the ``.code`` a loaded archive shows.
"""

import importlib.util
import io
import re
import sys
import types

import numpy as np
from tests.compare import from_torch, to_torch

import ember

_EMBER = re.compile(r"\bember\b")
_TWINS: dict = {}


def twin(module) -> types.ModuleType:
    """`module`'s source executed afresh with ``torch`` wherever it says ``ember`` (cached)."""
    found = _TWINS.get(module.__name__)
    if found is None:
        path = module.__file__
        with open(path, encoding="utf-8") as f:
            source = _EMBER.sub("torch", f.read())
        name = f"torch_twin_{module.__name__.replace('.', '_')}"
        spec = importlib.util.spec_from_loader(name, loader=None, origin=path)
        found = importlib.util.module_from_spec(spec)
        found.__file__ = path
        sys.modules[name] = found  # inspect.getsource needs the module registered
        exec(compile(source, path, "exec"), found.__dict__)  # noqa: S102 - the test's own source
        _TWINS[module.__name__] = found
    return found


def clone(value):
    """A copy of nested arguments with every tensor cloned (some cases write to them)."""
    if isinstance(value, ember.Tensor):
        return value.clone()
    if isinstance(value, tuple | list):
        return type(value)(clone(v) for v in value)
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    return value


def to_torch_values(value):
    """Tensors in nested tuples, lists and dicts as torch tensors (other values as they are)."""
    if isinstance(value, ember.Tensor):
        return to_torch(value)
    if isinstance(value, tuple | list):
        return type(value)(to_torch_values(v) for v in value)
    if isinstance(value, dict):
        return {k: to_torch_values(v) for k, v in value.items()}
    return value


def assert_same_values(ours, theirs, rtol=1e-5, atol=1e-6):
    """An ember result equals a torch one: same structure, tensors of equal dtype and values."""
    if isinstance(ours, ember.Tensor):
        assert type(theirs).__name__ == "Tensor", f"tensor vs {type(theirs)}"
        assert_same(ours, from_torch(theirs), rtol, atol)
    elif isinstance(ours, tuple | list):
        assert isinstance(theirs, tuple | list) and len(ours) == len(theirs)
        assert isinstance(ours, tuple) == isinstance(theirs, tuple)
        for a, b in zip(ours, theirs):
            assert_same_values(a, b, rtol, atol)
    elif isinstance(ours, dict):
        assert isinstance(theirs, dict) and list(ours) == list(theirs)
        for k in ours:
            assert_same_values(ours[k], theirs[k], rtol, atol)
    else:
        assert_same(ours, theirs, rtol, atol)


def assert_same(a, b, rtol=1e-6, atol=1e-6):
    """Two ember results are equal: structure, types, tensor dtypes, shapes and values."""
    if isinstance(a, ember.Tensor):
        assert isinstance(b, ember.Tensor), f"tensor vs {type(b)}"
        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape), (a, b)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)
    elif isinstance(a, tuple | list):
        assert type(a) is type(b) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            assert_same(x, y, rtol, atol)
    elif isinstance(a, dict):
        assert type(a) is type(b) and list(a) == list(b), (a, b)
        for k in a:
            assert_same(a[k], b[k], rtol, atol)
    elif isinstance(a, float):
        assert isinstance(b, float)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    else:
        assert type(a) is type(b) and a == b, (a, b)


def saved(lib, m, **kwargs) -> bytes:
    """The archive `lib.jit.save` writes for `m` (lib: ember or torch)."""
    buf = io.BytesIO()
    lib.jit.save(m, buf, **kwargs)
    return buf.getvalue()


def forward_code(scripted) -> str:
    """The ``.code`` an archive of `scripted` shows once loaded: a function's becomes the
    `forward` of a placeholder module (as torch saves functions)."""
    code = scripted.code
    if not isinstance(scripted, ember.jit.ScriptFunction):
        return code
    rest = code[len(f"def {scripted.name}(") :]
    return "def forward(self" + (rest if rest.startswith(")") else ",\n    " + rest)
