"""Example inputs and outputs of traces: how `example_inputs` and `check_inputs` become argument
tuples, nested structures in and out, and what `strict` allows, each against torch.jit.trace."""

import warnings

import numpy as np
import pytest

import ember
import ember.jit
from compare import to_torch


def _both(lib):
    """The same example values for ember and torch."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((2, 3)).astype(np.float32) for _ in range(2))
    if lib == "ember":
        return ember.from_numpy(a), ember.from_numpy(b)
    return to_torch(ember.from_numpy(a)), to_torch(ember.from_numpy(b))


def _leaves(x):
    if isinstance(x, dict):
        return [t for v in x.values() for t in _leaves(v)]
    if isinstance(x, tuple | list):
        return [t for v in x for t in _leaves(v)]
    return [x]


# name: (function, example inputs built from (a, b)); each function adds 1 to what it returns.
STRUCTURES = {
    "tensor": (lambda x: x + 1, lambda a, b: a),
    "tuple": (lambda x, y: x * y + 1, lambda a, b: (a, b)),
    "list_spreads": (lambda x, y: x - y + 1, lambda a, b: [a, b]),
    "nested_tuples": (lambda p, q: p[0] * p[1][0] + q + 1, lambda a, b: ((a, (b,)), a)),
    "list_argument": (lambda items: items[0] + items[1] + 1, lambda a, b: ([a, b],)),
    "dict_alone": (lambda d: d["x"] * d["y"] + 1, lambda a, b: {"x": a, "y": b}),
    "dict_in_tuple": (lambda d: d["x"] - d["y"] + 1, lambda a, b: ({"x": a, "y": b},)),
    "int_keys": (lambda d: d[0] + d[1] + 1, lambda a, b: ({0: a, 1: b},)),
    "tuple_out": (lambda x, y: (x + 1, (y + 1, x + y + 1)), lambda a, b: (a, b)),
}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_example_structures_match_torch(name, torch):
    fn, make = STRUCTURES[name]
    ours = ember.jit.trace(fn, make(*_both("ember")))
    theirs = torch.jit.trace(fn, make(*_both("torch")))
    assert ours.code.split("->")[0].split("(", 1)[1] == theirs.code.split("->")[0].split("(", 1)[1]
    rng = np.random.default_rng(1)
    fresh = [ember.from_numpy(rng.standard_normal((4, 3)).astype(np.float32)) for _ in range(2)]
    got = ours(*_arguments(make(*fresh)))
    want = theirs(*_arguments(make(*map(to_torch, fresh))))
    for e, t in zip(_leaves(got), _leaves(want), strict=True):
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)


def _arguments(inputs) -> tuple:
    """PyTorch's make_tuple: a tensor or a dict is the one argument, a list the arguments."""
    if isinstance(inputs, dict) or hasattr(inputs, "shape"):
        return (inputs,)
    return tuple(inputs)


def test_a_list_of_example_inputs_is_the_argument_list():
    traced = ember.jit.trace(lambda x, y: x - y, [ember.ones(2), ember.zeros(2)])
    assert traced.code.startswith("def traced(x: Tensor,\n    y: Tensor)")
    ember.jit.trace(
        lambda x, y: x - y,
        (ember.ones(2), ember.zeros(2)),
        check_inputs=[
            [ember.ones(5), ember.ones(5)],  # a list, as in PyTorch, holds the arguments
        ],
    )


def test_check_inputs_take_a_tensor_or_a_dict_as_the_one_argument():
    ember.jit.trace(lambda x: x * 2, ember.ones(2), check_inputs=[ember.ones(3)])
    example = {"a": ember.ones(2)}
    ember.jit.trace(lambda d: d["a"] * 2, example, check_inputs=[{"a": ember.ones(4)}])


def test_example_inputs_of_another_kind_are_refused():
    with pytest.raises(ember.TraceError, match="example inputs must be a tensor"):
        ember.jit.trace(lambda x: x, 3)


# name: (output function, torch 2.13's outcome with strict=True); strict=False allows all.
OUTPUTS = {
    "list": (lambda x: [x, x + 1], "warns"),
    "list_in_tuple": (lambda x: (x, [x, x * 2]), "warns"),
    "dict": (lambda x: {"a": x, "b": x + 1}, "refused"),
    "dict_in_tuple": (lambda x: (x + 1, {"a": x}), "refused"),
    "dict_of_tuples": (lambda x: {"a": (x, x + 1)}, "refused"),
    "tuple": (lambda x: (x, (x + 1,)), "allowed"),
}


def _outcome(trace, fn, x, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            traced = trace(fn, x, **kwargs)
        except Exception as e:  # torch raises RuntimeError, ember TraceError
            assert "Encountering a dict at the output of the tracer" in str(e)
            return "refused", None
    names = [str(w.message) for w in caught if w.category.__name__ == "TracerWarning"]
    if any("Encountering a list at the output of the tracer" in m for m in names):
        return "warns", traced
    return "allowed", traced


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_strict_mode_matches_torch(name, torch):
    fn, expected = OUTPUTS[name]
    assert _outcome(torch.jit.trace, fn, torch.ones(2))[0] == expected
    outcome, _ = _outcome(ember.jit.trace, fn, ember.ones(2))
    assert outcome == expected
    outcome, traced = _outcome(ember.jit.trace, fn, ember.ones(2), strict=False)
    assert outcome == "allowed"
    got, want = traced(ember.ones(3)), fn(ember.ones(3))
    assert repr(type(got)) == repr(type(want))
    for g, w in zip(_leaves(got), _leaves(want), strict=True):
        np.testing.assert_array_equal(g.numpy(), w.numpy())


def test_list_output_warning_names_the_trace_call():
    with pytest.warns(ember.jit.TracerWarning, match="Encountering a list") as caught:
        ember.jit.trace(lambda x: [x], ember.ones(2))
    assert caught[0].filename == __file__


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_methods_of_modules_are_refused_as_by_torch(torch):
    with pytest.raises(AttributeError, match="individual module's functions"):
        torch.jit.trace(torch.nn.Linear(2, 2).extra_repr, torch.ones(2))
    with pytest.raises(ember.TraceError, match="individual module's functions"):
        ember.jit.trace(ember.nn.Linear(2, 2).extra_repr, ember.ones(2))


def test_signature_is_torchs(torch):
    import inspect

    ours = inspect.signature(ember.jit.trace).parameters
    theirs = inspect.signature(torch.jit.trace).parameters
    names = ["check_trace", "check_inputs", "strict", "check_tolerance"]  # torch defaults
    # not example_inputs: torch defaults it to None as it also takes example_kwarg_inputs
    for name in names:
        assert ours[name].default == theirs[name].default, name
    positional = [n for n, p in ours.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert positional == ["func", "example_inputs", "check_trace", "check_inputs", "strict"]
