"""torchvision-style pieces (`tests/corpus/vision_parts.py`) scripted by ember equal torch's
scripted results; ember's archives of them load in torch.jit.load and equal torch; torch's
archives load in ember.jit.load."""

import io
import sys
import warnings

import numpy as np
import pytest
from tests.compare import from_torch, to_torch
from tests.corpus import vision_parts
from tests.corpus.bind import bound

import ember

CASES = {
    "Keywords": (2, 3, 4, 4),
    "Dense": (1, 3, 4, 4),
    "Google": (2, 3),
    "Counted": (2, 3),
    "Guards": (2, 3),
}


def _eager_assert(condition, message):
    """torch._assert's meaning, until ember's own lands (the compiler knows it by its name
    in ember's namespace)."""
    assert condition, message


_eager_assert.__module__, _eager_assert.__name__ = "ember", "_assert"


@pytest.fixture(scope="module")
def both(torch):
    if not hasattr(ember, "_assert"):
        ember._assert = _eager_assert
    pair = []
    for lib, name in ((ember, "vision_parts_ember"), (torch, "vision_parts_torch")):
        sys.modules[name] = mod = bound(vision_parts, lib, name)  # torch reads class sources
        pair.append(mod)
    return pair


def _models(both, name, torch):
    ours, theirs = both
    torch.manual_seed(0)
    t = getattr(theirs, name)().eval()
    e = getattr(ours, name)().eval()
    e.load_state_dict({k: from_torch(v) for k, v in t.state_dict().items()})
    return e, t


def _same(got, want):
    if isinstance(want, tuple):
        assert type(got).__name__ == type(want).__name__ and len(got) == len(want)
        assert getattr(got, "_fields", None) == getattr(want, "_fields", None)
        for g, w in zip(got, want):
            _same(g, w)
    elif want is None or isinstance(want, int):
        assert got == want
    else:
        np.testing.assert_allclose(to_torch(got).numpy(), want.detach().numpy(), atol=1e-6)


def _input(name, torch):
    x = torch.linspace(-1.0, 1.0, int(np.prod(CASES[name]))).reshape(CASES[name])
    return from_torch(x), x


@pytest.mark.parametrize("name", list(CASES))
def test_scripted_equals_torch(both, torch, name):
    e, t = _models(both, name, torch)
    xe, xt = _input(name, torch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = torch.jit.script(t)(xt.clone())
        _same(ember.jit.script(e)(xe.clone()), want)
        _same(e(xe.clone()), t(xt.clone()))


@pytest.mark.parametrize("name", list(CASES))
def test_ember_archive_loads_in_torch(both, torch, name):
    e, t = _models(both, name, torch)
    xe, xt = _input(name, torch)
    buf = io.BytesIO()
    ember.jit.save(ember.jit.script(e), buf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = torch.jit.load(io.BytesIO(buf.getvalue()))
        _same(ember.jit.script(e)(xe.clone()), loaded(xt.clone()))


def test_overloads_compile_as_torch_names_them(both, torch):
    e, t = _models(both, "Dense", torch)
    ours = ember.jit.script(e)
    theirs = torch.jit.script(t)
    assert "forward__0" in ours.block.code and "forward__0" in theirs.block.code
    ours_names = [n for n in ours.first._ember_info.class_type.methods if "forward" in n]
    theirs_names = [n for n in theirs.first._c._method_names() if "forward" in n]
    assert sorted(ours_names) == sorted(theirs_names) == ["forward__0", "forward__1"]


def test_assert_raises_as_torch(both, torch):
    e, t = _models(both, "Guards", torch)
    with pytest.raises(Exception, match="expected a 2-d input"):
        torch.jit.script(t)(torch.ones(3))
    with pytest.raises(Exception, match="expected a 2-d input"):
        ember.jit.script(e)(ember.ones(3))


def test_scripted_warns_as_torch(both, torch):
    e, t = _models(both, "Guards", torch)
    with pytest.warns(UserWarning, match="running scripted"):
        torch.jit.script(t)(torch.ones(2, 2))
    with pytest.warns(UserWarning, match="running scripted"):
        ember.jit.script(e)(ember.ones(2, 2))


@pytest.mark.parametrize("name", list(CASES))
def test_torch_archive_loads_in_ember(both, torch, name):
    e, t = _models(both, name, torch)
    xe, xt = _input(name, torch)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scripted = torch.jit.script(t)
        torch.jit.save(scripted, buf)
        loaded = ember.jit.load(io.BytesIO(buf.getvalue()))
        _same(loaded(xe.clone()), scripted(xt.clone()))
