"""The compatibility promise: the committed archives of tests/fixtures/upgraders (torch 2.13's
archives with their version records rewritten, see tools/make_upgrader_fixtures.py) give in
ember what torch 2.13 gives loading the same files: the same values and dtypes, and the same
refusals."""

import io

import pytest
from tests.upgraders.archives import FIXTURES, compile_archive, with_code

import ember
from compare import assert_same, from_torch

FILES = sorted(FIXTURES.glob("*.pt"))


def _family(path) -> str:
    return path.stem.rpartition("_v")[0]


INTS = ([-7, 7, -8, 5, 0], [2, 2, 3, -2, 3])
FLOATS = ([-7.0, 7.5, -8.0, 5.0, 0.0], [2.0, 2.0, 3.0, -2.0, 0.5])


def _div_inputs(torch):
    (a, b), (fa, fb) = INTS, FLOATS
    return [
        (torch.tensor(a), torch.tensor(b), 2, 2.0),
        (torch.tensor(fa), torch.tensor(fb), -3, 0.5),
        (torch.tensor(a), torch.tensor(fb), 2, 4.0),
        (torch.tensor(a, dtype=torch.int32), torch.tensor(b, dtype=torch.int16), 4, 2.0),
    ]


INPUTS = {
    "div": _div_inputs,
    "div_inplace": lambda torch: [(torch.tensor(INTS[0]), torch.tensor(INTS[1])),
                                  (torch.tensor(FLOATS[0]), torch.tensor(FLOATS[1]))],
    "full": lambda torch: [(3, True, torch.tensor(2)), (2, False, torch.tensor(2.5))],
    "linspace": lambda torch: [(4,), (1,)],
    "logspace": lambda torch: [(4,), (1,)],
    "gelu": lambda torch: [(torch.tensor([-1.0, 0.5, 2.0]),)],
    "gelu_tanh": lambda torch: [(torch.tensor([-1.0, 0.5, 2.0]),)],
    "function": lambda torch: [(torch.tensor(INTS[0]), torch.tensor(INTS[1])),
                               (torch.tensor(FLOATS[0]), torch.tensor(FLOATS[1]))],
    "all": lambda torch: [(torch.tensor(INTS[0]), torch.tensor(INTS[1]), 2),
                          (torch.tensor(FLOATS[0]), torch.tensor(FLOATS[1]), 0)],
}  # fmt: skip

# Calls replaced by upgrader bodies (pass-through upgraders replace nothing).
REWRITTEN = {
    "div_v1": 5, "div_v3": 5, "div_v4": 0, "div_inplace_v3": 2, "div_inplace_v4": 0,
    "full_v4": 8, "full_v5": 0, "linspace_v7": 3, "linspace_v8": 0, "logspace_v8": 3,
    "logspace_v9": 0, "gelu_v9": 0, "gelu_v10": 0, "gelu_tanh_v10": 0,
    "function_v3": 2, "function_v4": 0, "all_v1": 5, "all_v4": 3, "all_v10": 0,
}  # fmt: skip
REFUSED = {"gelu_tanh_v9"}  # torch 2.13 refuses to load these (an argument newer than the file)
# torch 2.13 does not upgrade free functions (``__torch__.halve``) of an archive, only methods;
# ember upgrades both, so the division there keeps its old meaning (see test_free_functions).
NOT_TORCH = {"function_v3"}


def test_every_fixture_is_covered():
    assert FILES, f"no fixtures in {FIXTURES}"
    assert {_family(p) for p in FILES} == set(INPUTS)
    assert {p.stem for p in FILES} == set(REWRITTEN) | REFUSED


def _to_ember(x):
    if hasattr(x, "detach"):
        return from_torch(x)
    return x


def _run(fn, args):
    try:
        return fn(*args), None
    except Exception as e:  # noqa: BLE001 - either side may refuse; both must
        return None, e


def _same(e, t):
    if isinstance(t, tuple | list):
        assert type(e) is type(t) and len(e) == len(t)
        for x, y in zip(e, t):
            _same(x, y)
    else:
        floating = t.dtype.is_floating_point
        assert_same(e, t, atol=1e-6 if floating else 0, rtol=1e-6 if floating else 0)


def _inputs(torch, path):
    return [[_clone(a) for a in args] for args in INPUTS[_family(path)](torch)]


def _clone(a):
    return a.clone() if hasattr(a, "clone") else a


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_fixture_gives_torchs_results(torch, path):
    if path.stem in REFUSED:
        with pytest.raises(RuntimeError, match="Arguments for call are not valid"):
            torch.jit.load(path)
        with pytest.raises(ember.VersionError, match="gained in version 10"):
            compile_archive(path)
        return
    compiled = compile_archive(path)
    assert compiled.rewritten == REWRITTEN[path.stem]
    if path.stem in NOT_TORCH:
        return
    loaded = torch.jit.load(path)
    for args in _inputs(torch, path):
        want, torch_error = _run(loaded, [_clone(a) for a in args])
        got, ember_error = _run(lambda *a: compiled.forward(None, *a), map(_to_ember, args))
        if torch_error is not None:
            assert ember_error is not None, f"torch raised {torch_error!r}, ember returned {got}"
            continue
        assert ember_error is None, f"ember raised {ember_error!r}; torch gave {want}"
        _same(got, want)


@pytest.mark.parametrize("path", [p for p in FILES if REWRITTEN.get(p.stem)], ids=lambda p: p.stem)
def test_upgraded_code_means_the_same_to_torch(torch, path):
    """The upgraded graphs printed as archive code at version 10 (no upgrader applies there)
    give torch 2.13 what ember gives for the old file."""
    compiled = compile_archive(path)
    loaded = torch.jit.load(io.BytesIO(with_code(path, compiled, 10)))
    for args in _inputs(torch, path):
        want, torch_error = _run(loaded, [_clone(a) for a in args])
        got, ember_error = _run(lambda *a: compiled.forward(None, *a), map(_to_ember, args))
        assert (torch_error is None) == (ember_error is None), (torch_error, ember_error)
        if torch_error is None:
            _same(got, want)


def _old_div(torch, a, b):
    """What ``a / b`` meant up to version 3 (torch's div_Tensor_0_3)."""
    if a.is_floating_point() or (hasattr(b, "is_floating_point") and b.is_floating_point()):
        return torch.div(a, b)
    return torch.div(a, b, rounding_mode="trunc")


def test_free_functions(torch):
    """The divisions in free functions of a version-3 archive keep their old meaning in ember,
    as in methods (torch 2.13 leaves free functions alone and divides truly there)."""
    path = FIXTURES / "function_v3.pt"
    compiled = compile_archive(path)
    loaded = torch.jit.load(path)
    for a, b in _inputs(torch, path):
        want = (_old_div(torch, a, 2), _old_div(torch, a, b))
        _same(compiled.forward(None, from_torch(a), from_torch(b)), want)
        if not a.is_floating_point():
            assert loaded(a, b)[0].dtype == torch.float32  # torch's own result: not upgraded


@pytest.mark.parametrize("family", ["div", "div_inplace", "full", "function", "all"])
def test_fixtures_exercise_the_upgraders(torch, family):
    """In ember, the oldest file of a family gives other results than the newest: the
    fixtures exercise the upgraders, not only their pass-through cases."""
    files = sorted((p for p in FILES if _family(p) == family), key=_version)
    args = _inputs(torch, files[0])[0]
    old = compile_archive(files[0]).forward(None, *map(_to_ember, args))
    new, _ = _run(compile_archive(files[-1]).forward, [None, *map(_to_ember, args)])
    assert repr(old) != repr(new)


def _version(path) -> int:
    return int(path.stem.rpartition("_v")[2])
