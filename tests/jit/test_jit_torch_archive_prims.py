"""torch's archives of code testing what MultiheadAttention and TransformerEncoderLayer test
(``x.is_nested``, ``x.requires_grad``, ``torch.is_grad_enabled()``, autocast, device types,
``all``/``any`` of lists, Optional checks, exceptions with classes, keyword arguments) load
in ember.jit.load and equal torch."""

import io
import sys
import warnings

import pytest
from tests.compare import assert_same, from_torch
from tests.corpus import vision_parts
from tests.corpus.bind import bound

import ember


def _probe(torch):
    name = "vision_parts_probe"
    if name not in sys.modules:  # torch reads the class's source through its module
        sys.modules[name] = bound(vision_parts, torch, name)
    return sys.modules[name].Probe()


@pytest.mark.parametrize("masked", [False, True])
def test_torch_archive_of_fast_path_tests_loads(torch, masked):
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scripted = torch.jit.script(_probe(torch).eval())
        torch.jit.save(scripted, buf)
    loaded = ember.jit.load(io.BytesIO(buf.getvalue()))
    x = torch.linspace(-2.0, 2.0, 8).reshape(2, 4)
    mask = (x > 0) if masked else None
    with torch.no_grad(), ember.no_grad():
        want = scripted(x, mask)
        got = loaded(from_torch(x), None if mask is None else from_torch(mask))
    assert_same(got, want, atol=1e-6)
    with warnings.catch_warnings():  # grad mode on: both add one more
        warnings.simplefilter("ignore")
        assert_same(loaded(from_torch(x)), scripted(x).detach(), atol=1e-6)


def test_torch_archive_raises_its_exception_class(torch):
    buf = io.BytesIO()
    scripted = torch.jit.script(_probe(torch))
    torch.jit.save(scripted, buf)
    loaded = ember.jit.load(io.BytesIO(buf.getvalue()))
    empty = torch.zeros(0, 4)
    with pytest.raises(Exception, match="empty"):
        scripted(empty)
    with pytest.raises(Exception, match="empty"):
        loaded(from_torch(empty))


def test_ember_scripts_the_fast_path_tests_as_torch(torch):
    name = "vision_parts_probe_ember"
    if name not in sys.modules:
        sys.modules[name] = bound(vision_parts, ember, name)
    ours = ember.jit.script(sys.modules[name].Probe().eval())
    theirs = torch.jit.script(_probe(torch).eval())
    ours.load_state_dict({k: from_torch(v) for k, v in theirs.state_dict().items()})
    x = torch.linspace(-2.0, 2.0, 8).reshape(2, 4)
    with torch.no_grad(), ember.no_grad():
        assert_same(ours(from_torch(x), from_torch(x > 0)), theirs(x, x > 0), atol=1e-6)
