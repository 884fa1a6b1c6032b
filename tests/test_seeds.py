"""The seeds' examples (../shared/seeds/) run with `import ember as torch` and print what they show.

Reprs print `ember.` where the seeds print `torch.`; MyModule's weights are random, so only its
keys are compared. The archive examples (jit.save/jit.load) run here and in docs/archives.md.
"""

import warnings

import pytest

import ember
import ember as torch


@pytest.fixture
def tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_storage_sharing_survives_save(tmp):
    tensor = torch.zeros(1000000)
    slice1 = tensor[:1000]
    slice2 = tensor[:10]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.save([slice1, slice2], "share.pt")
    loaded_1, loaded_2 = torch.load("share.pt")
    assert repr(loaded_1[0]) == "tensor(0.)"
    assert repr(loaded_2[0]) == "tensor(0.)"
    loaded_2[0] = 1
    assert repr(loaded_1[0]) == "tensor(1.)"


def test_expanded_tensor_saves_its_small_storage(tmp):
    a = torch.zeros(4).expand(4, 4)
    assert repr(a.size()) == "ember.Size([4, 4])"
    expected = " 0.0\n 0.0\n 0.0\n 0.0\n[ember.FloatStorage of size 4]"
    assert repr(a.storage()) == expected
    torch.save(a, "a.pt")
    loaded = torch.load("a.pt")
    assert repr(loaded.storage()) == expected


def test_save_and_load_tensors_and_containers(tmp):
    t = torch.tensor([1.0, 2.0])
    torch.save(t, "tensor.pt")
    assert repr(torch.load("tensor.pt")) == "tensor([1., 2.])"
    d = {"a": torch.tensor([1.0, 2.0]), "b": torch.tensor([3.0, 4.0])}
    torch.save(d, "tensor_dict.pt")
    assert repr(torch.load("tensor_dict.pt")) == "{'a': tensor([1., 2.]), 'b': tensor([3., 4.])}"


def test_views_survive_save(tmp):
    numbers = torch.arange(1, 10)
    evens = numbers[1::2]
    torch.save([numbers, evens], "tensors.pt")
    loaded_numbers, loaded_evens = torch.load("tensors.pt")
    loaded_evens *= 2
    assert repr(loaded_numbers) == "tensor([ 1,  4,  3,  8,  5, 12,  7, 16,  9])"


def test_small_slice_saves_large_storage_unless_cloned(tmp):
    large = torch.arange(1, 1000)
    small = large[0:5]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.save(small, "small.pt")
    assert torch.load("small.pt").storage().size() == 999
    torch.save(small.clone(), "small.pt")
    assert torch.load("small.pt").storage().size() == 5


def test_batchnorm_parameters_buffers_and_state_dict(tmp):
    bn = torch.nn.BatchNorm1d(3, track_running_stats=True)
    assert repr(list(bn.named_parameters())) == (
        "[('weight', Parameter containing:\ntensor([1., 1., 1.], requires_grad=True)), "
        "('bias', Parameter containing:\ntensor([0., 0., 0.], requires_grad=True))]"
    )
    assert repr(list(bn.named_buffers())) == (
        "[('running_mean', tensor([0., 0., 0.])), ('running_var', tensor([1., 1., 1.])), "
        "('num_batches_tracked', tensor(0))]"
    )
    assert repr(bn.state_dict()) == (
        "OrderedDict([('weight', tensor([1., 1., 1.])), ('bias', tensor([0., 0., 0.])), "
        "('running_mean', tensor([0., 0., 0.])), ('running_var', tensor([1., 1., 1.])), "
        "('num_batches_tracked', tensor(0))])"
    )
    torch.save(bn.state_dict(), "bn.pt")
    bn_state_dict = torch.load("bn.pt")
    new_bn = torch.nn.BatchNorm1d(3, track_running_stats=True)
    assert repr(new_bn.load_state_dict(bn_state_dict)) == "<All keys matched successfully>"


class MyModule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = torch.nn.Linear(4, 2)
        self.l1 = torch.nn.Linear(2, 1)

    def forward(self, input):
        out0 = self.l0(input)
        out0_relu = torch.nn.functional.relu(out0)
        return self.l1(out0_relu)


class ControlFlowModule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = torch.nn.Linear(4, 2)
        self.l1 = torch.nn.Linear(2, 1)

    def forward(self, input):
        if input.dim() > 1:
            return torch.tensor(0)

        out0 = self.l0(input)
        out0_relu = torch.nn.functional.relu(out0)
        return self.l1(out0_relu)


def test_module_state_dict_round_trip(tmp):
    m = MyModule()
    sd = m.state_dict()
    assert list(sd) == ["l0.weight", "l0.bias", "l1.weight", "l1.bias"]
    assert [tuple(v.shape) for v in sd.values()] == [(2, 4), (2,), (1, 2), (1,)]
    torch.save(m.state_dict(), "mymodule.pt")
    m_state_dict = torch.load("mymodule.pt")
    new_m = MyModule()
    assert repr(new_m.load_state_dict(m_state_dict)) == "<All keys matched successfully>"
    x = torch.randn(4)
    assert torch.equal(new_m(x), m(x))


def test_scripted_module_repr():
    scripted_module = torch.jit.script(MyModule())
    assert repr(scripted_module) == (
        "RecursiveScriptModule(\n"
        "  original_name=MyModule\n"
        "  (l0): RecursiveScriptModule(original_name=Linear)\n"
        "  (l1): RecursiveScriptModule(original_name=Linear)\n"
        ")"
    )


def test_traced_control_flow_keeps_only_the_traced_path():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced_module = torch.jit.trace(ControlFlowModule(), torch.randn(4))
    out = traced_module(torch.randn(2, 4))
    assert tuple(out.shape) == (2, 1)


def test_scripted_control_flow_keeps_the_branch():
    scripted_module = torch.jit.script(ControlFlowModule(), torch.randn(4))
    assert repr(scripted_module(torch.randn(2, 4))) == "tensor(0)"


def test_jit_save_and_load_scripted_module(tmp):
    scripted_module = torch.jit.script(MyModule())
    torch.jit.save(scripted_module, "mymodule.pt")
    loaded = torch.jit.load("mymodule.pt")
    assert repr(loaded) == (
        "RecursiveScriptModule(\n"
        "  original_name=MyModule\n"
        "  (l0): RecursiveScriptModule(original_name=Linear)\n"
        "  (l1): RecursiveScriptModule(original_name=Linear)\n"
        ")"
    )
    x = torch.randn(4)
    assert torch.equal(loaded(x), scripted_module(x))


def test_jit_save_traced_keeps_only_the_traced_path(tmp):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced_module = torch.jit.trace(ControlFlowModule(), torch.randn(4))
    torch.jit.save(traced_module, "controlflowmodule_traced.pt")
    loaded = torch.jit.load("controlflowmodule_traced.pt")
    out = loaded(torch.randn(2, 4))
    assert tuple(out.shape) == (2, 1)


def test_jit_save_scripted_keeps_the_branch(tmp):
    scripted_module = torch.jit.script(ControlFlowModule(), torch.randn(4))
    torch.jit.save(scripted_module, "controlflowmodule_scripted.pt")
    loaded = torch.jit.load("controlflowmodule_scripted.pt")
    assert repr(loaded(torch.randn(2, 4))) == "tensor(0)"


def test_div_and_full_today():
    a = torch.tensor(5)
    b = torch.tensor(3)
    assert repr(a / b) == "tensor(1.6667)"
    assert repr(torch.full((3,), 1)) == "tensor([1, 1, 1])"
    assert repr(torch.full((3,), True)) == "tensor([True, True, True])"
    assert repr(torch.full((3,), 1.0)) == "tensor([1., 1., 1.])"
    assert repr(torch.full((3,), 1 + 1j)) == "tensor([1.+1.j, 1.+1.j, 1.+1.j])"


def test_ember_alias_is_the_module():
    assert torch is ember
