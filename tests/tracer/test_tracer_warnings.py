"""TracerWarning wherever a trace becomes specific to its example, naming the user's line;
TracingCheckError when the traced program disagrees with eager code (strict outputs:
test_tracer_inputs.py)."""

import warnings

import numpy as np
import pytest

import ember
import ember.jit
from ember.jit import TracerWarning, TracingCheckError


def _trace_warnings(fn, example, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        traced = ember.jit.trace(fn, example, check_trace=False, **kwargs)
    return traced, [w for w in caught if issubclass(w.category, TracerWarning)]


def branch_on_sum(x):
    if x.sum() > 0:  # LINE: bool
        return x * 2
    return x


def uses_item(x):
    return x * x.sum().item()  # LINE: item


def uses_int(x):
    return x * int(x.sum())  # LINE: int


def uses_float(x):
    return x * float(x.sum())  # LINE: float


def uses_len(x):
    return x * len(x)  # LINE: len


def iterates(x):
    total = x[0] * 0
    for row in x:  # LINE: iter
        total = total + row
    return total


def equals_size(x):
    if x.shape[0] == 3:  # LINE: size_eq
        return x + 1
    return x


def uses_tolist(x):
    return x + len(x.tolist())  # LINE: tolist


def uses_index(x):
    return x * [1.0, 2.0, 3.0][x.argmax()]  # LINE: index


def compares_size(x):
    if x.size(0) > 1:  # LINE: size
        return x + 1
    return x


CASES = {
    "bool": (branch_on_sum, "Python boolean"),
    "item": (uses_item, "Python number"),
    "int": (uses_int, "Python integer"),
    "float": (uses_float, "Python float"),
    "len": (uses_len, "Using len to get tensor shape"),
    "iter": (iterates, "Iterating over a tensor"),
    "size": (compares_size, "Comparing a tensor's size"),
    "tolist": (uses_tolist, "Python list"),
    "size_eq": (equals_size, "Comparing a tensor's size"),
    "index": (uses_index, "Python integer"),
}


def _line_of(marker):
    with open(__file__) as f:
        for i, line in enumerate(f, 1):
            if line.rstrip().endswith(f"# LINE: {marker}"):
                return i
    raise AssertionError(marker)


@pytest.mark.parametrize("case", sorted(CASES))
def test_warning_names_the_source_line(case):
    fn, text = CASES[case]
    _, caught = _trace_warnings(fn, ember.ones(3, 2))
    assert caught, f"no TracerWarning for {case}"
    w = caught[0]
    assert text in str(w.message)
    assert w.filename == __file__
    assert w.lineno == _line_of(case)


def test_no_warning_for_shape_arithmetic():
    _, caught = _trace_warnings(lambda x: x.view(x.size(0) * 2, -1), ember.ones(4, 2))
    assert caught == []


def test_baked_branch_is_what_the_example_took():
    traced, _ = _trace_warnings(branch_on_sum, ember.ones(3))
    out = traced(-ember.ones(3))
    np.testing.assert_array_equal(out.numpy(), [-2.0, -2.0, -2.0])


def test_check_inputs_mismatch_raises_tracing_check_error():
    with pytest.raises(TracingCheckError) as info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.jit.trace(uses_float, ember.ones(3), check_inputs=[(ember.ones(3) * 2,)])
    message = str(info.value)
    assert message.startswith("Tracing failed sanity checks!")
    assert "output of the traced function does not match" in message
    assert "on check_inputs[0]" in message
    assert "Mismatched elements: 3 / 3 (100.0%)" in message
    assert "Greatest absolute difference: 6.0" in message


def test_tracing_check_error_names_the_differing_output():
    def two(x):
        return x + 1, x * x.sum().item()

    checks = [(ember.ones(2),), (ember.ones(2) * 3,)]
    differs = pytest.raises(TracingCheckError, match=r"output\[1\] of the traced function")
    with differs, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.jit.trace(two, ember.ones(2), check_inputs=checks)


def test_tracing_check_error_is_an_ember_error():
    assert issubclass(TracingCheckError, ember.EmberError)
    assert issubclass(TracerWarning, Warning)


def test_check_trace_passes_for_a_faithful_trace():
    traced = ember.jit.trace(lambda x: x * 2 + 1, ember.ones(2), check_inputs=[(ember.zeros(5),)])
    np.testing.assert_array_equal(traced(ember.ones(1)).numpy(), [3.0])


def test_non_tensor_inputs_are_refused():
    with pytest.raises(ember.TraceError, match="int"):
        ember.jit.trace(lambda x, n: x * n, (ember.ones(2), 3))


def converts_size(x):
    return x.view(int(x.size(0)), -1)  # LINE: size_int


def test_sizes_turned_into_python_ints_warn():
    _, caught = _trace_warnings(converts_size, ember.ones(3, 2))
    assert caught and "size to a Python integer" in str(caught[0].message)
    assert (caught[0].filename, caught[0].lineno) == (__file__, _line_of("size_int"))


def test_check_tolerance_widens_the_comparison():
    def nudged(x):
        return x + 1e-3 * float(x.sum() > 2)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checks = [(ember.zeros(2),)]
        with pytest.raises(TracingCheckError, match=r"\(up to 1e-05 allowed\)"):
            ember.jit.trace(nudged, ember.ones(3), check_inputs=checks)
        ember.jit.trace(nudged, ember.ones(3), check_inputs=checks, check_tolerance=1e-2)


def test_nondeterministic_traces_skip_the_comparison_with_a_warning():
    drop = ember.nn.Dropout(0.5)
    with pytest.warns(TracerWarning, match=r"nondeterministic nodes \(aten::dropout\)"):
        traced = ember.jit.trace(drop, ember.ones(100))
    kept = traced(ember.ones(1000)).numpy()
    assert set(np.unique(kept)) == {0.0, 2.0}


def test_size_outputs_are_refused_as_ints():
    with pytest.raises(ember.TraceError, match=r"output\[1\] is an int"):
        ember.jit.trace(lambda x: (x, x.size(0)), ember.ones(2))


def to_numpy(x):
    return x + float(x.numpy().sum())  # LINE: numpy


def as_array(x):
    return x + np.asarray(x).sum()  # LINE: asarray


def to_complex(x):
    return x * complex(x.sum()).real  # LINE: complex


def size_to_float(x):
    return x * float(x.size(0))  # LINE: size_float


def size_as_condition(x):
    if x.size(0) % 2:  # LINE: size_truth
        return x + 1
    return x


MORE_CASES = {
    "numpy": (to_numpy, "NumPy array"),
    "asarray": (as_array, "NumPy array"),
    "complex": (to_complex, "Python complex"),
    "size_float": (size_to_float, "size to a Python float"),
    "size_truth": (size_as_condition, "size as a Python boolean"),
}
CASES.update(MORE_CASES)

# The cases where torch 2.13's tracer also warns, at the same line (the conversion messages
# are PyTorch's; the size ones are ember's: PyTorch's sizes are tensors while tracing). torch
# reports np.asarray at a line of its own and does not warn for a list indexed by a tensor.
TORCH_WARNS = {"bool", "item", "int", "float", "len", "iter", "tolist", "numpy", "complex"}
TORCH_WARNS |= {"size", "size_eq", "size_float", "size_truth"}


@pytest.mark.parametrize("case", sorted(MORE_CASES))
def test_more_conversions_warn_at_the_source_line(case):
    test_warning_names_the_source_line(case)


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_warning_per_conversion(case):
    _, caught = _trace_warnings(CASES[case][0], ember.ones(3, 2))
    assert len({(w.lineno, str(w.message)) for w in caught}) == 1


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("case", sorted(TORCH_WARNS))
def test_torch_warns_at_the_same_line(case, torch):
    fn = CASES[case][0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.jit.trace(fn, torch.ones(3, 2), check_trace=False)  # methods, builtins only
    lines = {w.lineno for w in caught if w.category is torch.jit.TracerWarning}
    assert _line_of(case) in lines


def test_index_tensors_are_recorded_not_baked(torch):
    # PyTorch records aten::Int for a 0-d index tensor, with no warning; so does ember.
    def pick(x):
        return x[x.sum().long() % 3] + x[: x.argmax() + 1].sum()

    traced, caught = _trace_warnings(pick, ember.arange(6.0).view(3, 2))
    assert caught == []
    assert "int(" in traced.code
    x = ember.from_numpy(np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32))
    np.testing.assert_allclose(traced(x).numpy(), pick(x).numpy(), rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.jit.trace(pick, torch.arange(6.0).view(3, 2))
    assert [n.kind() for n in theirs.graph.nodes()].count("aten::Int") == 2
    assert [op.kind for op in traced.graph.walk()].count("aten::Int") == 2


def test_tensor_of_a_size_warns_and_keeps_the_value():
    def count(x):
        return x * ember.tensor(x.size(0))  # LINE: tensor_of_size

    traced, caught = _trace_warnings(count, ember.ones(3))
    assert caught and all("size to a Python integer" in str(w.message) for w in caught)
    assert {w.lineno for w in caught} == {_line_of("tensor_of_size")}
    np.testing.assert_array_equal(traced(ember.ones(5)).numpy(), [3.0] * 5)
