"""Scripted modules keep parameters, buffers and submodules in __dict__ for fast compiled
reads; every write path must keep those copies equal to the tables."""

import copy

import pytest

import ember
from ember import nn
from ember.jit.script_module import RecursiveScriptModule

TABLES = ("_parameters", "_buffers", "_modules")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(2, 2)
        self.weight = nn.Parameter(ember.ones(2))
        self.register_buffer("shift", ember.zeros(2))

    def forward(self, x):
        return self.l0(x) * self.weight + self.shift


def _consistent(m):
    for sub in m.modules():
        if isinstance(sub, RecursiveScriptModule):
            d = sub.__dict__
            for table in TABLES:
                for name, value in d[table].items():
                    assert d[name] is value, f"{name} is stale in __dict__"


def _x():
    return ember.tensor([[1.0, 2.0]])


@pytest.fixture
def scripted():
    return ember.jit.script(Net())


def test_assign_submodule(scripted):
    new = nn.Linear(2, 2)
    new.weight.data.zero_()
    new.bias.data.fill_(3.0)
    scripted.l0 = ember.jit.script(new)
    _consistent(scripted)
    assert scripted(_x()).tolist() == [[3.0, 3.0]]
    scripted.l0 = new  # an eager module also works: compiled code calls its forward
    assert scripted(_x()).tolist() == [[3.0, 3.0]]


def test_assign_parameter_and_buffer(scripted):
    scripted.l0.weight = nn.Parameter(ember.zeros(2, 2))
    scripted.l0.bias = nn.Parameter(ember.ones(2))
    scripted.weight = nn.Parameter(ember.full((2,), 2.0))
    scripted.shift = ember.full((2,), 0.5)
    _consistent(scripted)
    assert scripted(_x()).tolist() == [[2.5, 2.5]]


def test_delete_and_reregister(scripted):
    del scripted.shift
    assert "shift" not in scripted.__dict__
    with pytest.raises(AttributeError):
        scripted(_x())
    scripted.register_buffer("shift", ember.full((2,), 10.0))
    _consistent(scripted)
    scripted.l0.weight = nn.Parameter(ember.zeros(2, 2))
    scripted.l0.bias = nn.Parameter(ember.zeros(2))
    assert scripted(_x()).tolist() == [[10.0, 10.0]]


def test_register_after_scripting_and_none(scripted):
    scripted.register_parameter("extra", nn.Parameter(ember.ones(1)))
    scripted.add_module("aux", nn.ReLU())
    scripted.weight = None
    _consistent(scripted)
    assert scripted.__dict__["weight"] is None and scripted.extra is scripted._parameters["extra"]


def test_to_and_apply(scripted):
    scripted.double()
    _consistent(scripted)
    assert scripted(_x().double()).dtype == ember.float64
    scripted._apply_to_tensors(lambda t: t.float())
    _consistent(scripted)
    assert scripted.l0.__dict__["weight"].dtype == ember.float32


def test_load_state_dict_copy_and_assign(scripted):
    sd = {k: ember.zeros_like(v) + 1 for k, v in scripted.state_dict().items()}
    scripted.load_state_dict(sd)
    _consistent(scripted)
    assert scripted(_x()).tolist() == [[5.0, 5.0]]
    sd = {k: v * 2 for k, v in sd.items()}
    scripted.load_state_dict(sd, assign=True)
    _consistent(scripted)
    assert scripted.shift.tolist() == [2.0, 2.0]
    assert scripted(_x()).tolist() == [[18.0, 18.0]]


def test_direct_table_writes(scripted):
    scripted._buffers["shift"] = ember.full((2,), 7.0)
    scripted._parameters.update(weight=nn.Parameter(ember.zeros(2)))
    scripted._modules.pop("l0")
    _consistent(scripted)
    assert "l0" not in scripted.__dict__
    scripted._modules.setdefault("l0", ember.jit.script(nn.Linear(2, 2)))
    _consistent(scripted)
    assert scripted(_x()).tolist() == [[7.0, 7.0]]


def test_deepcopy_has_its_own_tables(scripted):
    other = copy.deepcopy(scripted)
    _consistent(other)
    other.shift = ember.full((2,), 1.0)
    assert scripted.shift.tolist() == [0.0, 0.0]
    assert other.__dict__["shift"].tolist() == [1.0, 1.0]
    assert other(_x()).tolist() != scripted(_x()).tolist()


def test_shallow_copy_runs_with_its_own_state(scripted):
    other = copy.copy(scripted)
    other.shift = ember.full((2,), 100.0)
    _consistent(other)
    _consistent(scripted)
    assert scripted.__dict__["shift"].tolist() == [0.0, 0.0]
    assert (other(_x()) - scripted(_x())).tolist() == [[100.0, 100.0]]
