"""Module lookups by dotted path and registration errors, against torch 2.13."""

import pytest

import ember

CALLS = {
    "get_parameter": lambda s: tuple(s.get_parameter("0.weight").shape),
    "get_buffer": lambda s: tuple(s.get_buffer("1.running_mean").shape),
    "get_buffer_int": lambda s: s.get_buffer("1.num_batches_tracked").tolist(),
    "get_submodule_self": lambda s: type(s.get_submodule("")).__name__,
    "get_submodule_nested": lambda s: type(s.get_submodule("2.0")).__name__,
    "parameter_missing": lambda s: s.get_parameter("0.nope"),
    "parameter_not_a_parameter": lambda s: s.get_parameter("0.training"),
    "parameter_of_missing_module": lambda s: s.get_parameter("9.weight"),
    "parameter_empty": lambda s: s.get_parameter(""),
    "buffer_not_a_buffer": lambda s: s.get_buffer("1.weight"),
    "buffer_missing": lambda s: s.get_buffer("1.nope"),
    "submodule_not_a_module": lambda s: s.get_submodule("0.weight"),
    "submodule_missing": lambda s: s.get_submodule("5"),
    "buffer_name_dot": lambda s: s.register_buffer("a.b", None),
    "parameter_name_dot": lambda s: s.register_parameter("a.b", None),
    "module_name_dot": lambda s: s.add_module("a.b", None),
    "buffer_name_empty": lambda s: s.register_buffer("", None),
    "module_name_taken": lambda s: s.add_module("training", None),
    "buffer_name_taken": lambda s: s.register_buffer("training", None),
    "buffer_name_not_str": lambda s: s.register_buffer(3, None),
}


def _model(m):
    return m.nn.Sequential(m.nn.Linear(2, 2), m.nn.BatchNorm1d(2), m.nn.Sequential(m.nn.ReLU()))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_lookups_and_registration_match_torch(torch, name):
    fn = CALLS[name]
    try:
        want = fn(_model(torch))
    except Exception as exc:
        with pytest.raises(type(exc)) as got:
            fn(_model(ember))
        assert str(got.value) == str(exc)
        return
    assert fn(_model(ember)) == want
