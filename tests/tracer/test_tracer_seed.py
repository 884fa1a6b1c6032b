"""The seed's ControlFlowModule: traced on a 1-D input, the trace keeps only the linear path."""

import os

import numpy as np
import pytest

import ember
import ember.jit
import ember.nn as nn
from compare import to_torch


class ControlFlowModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(4, 2)
        self.l1 = nn.Linear(2, 1)

    def forward(self, input):
        if input.dim() > 1:
            return ember.tensor(0)

        out0 = self.l0(input)
        out0_relu = nn.functional.relu(out0)
        return self.l1(out0_relu)


def test_trace_on_1d_runs_the_linear_path_on_2d():
    module = ControlFlowModule()
    traced = ember.jit.trace(module, ember.randn(4))
    x = ember.randn(2, 4)
    out = traced(x)
    assert out.shape == ember.Size([2, 1])
    expected = module.l1(nn.functional.relu(module.l0(x)))
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6)
    assert module(x).dim() == 0  # eager code takes the branch the trace left out


def test_trace_matches_torch_on_the_same_weights(torch):
    module = ControlFlowModule()
    reference = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    with torch.no_grad():
        for i, layer in ((0, module.l0), (2, module.l1)):
            reference[i].weight.copy_(to_torch(layer.weight.detach()))
            reference[i].bias.copy_(to_torch(layer.bias.detach()))
    traced = ember.jit.trace(module, ember.randn(4))
    x = ember.randn(3, 4)
    got = traced(x).numpy()
    np.testing.assert_allclose(got, reference(to_torch(x)).detach().numpy(), rtol=1e-5)


def test_submodule_calls_stay_method_calls():
    traced = ember.jit.trace(ControlFlowModule(), ember.randn(4))
    assert traced.code == (
        "def forward(self,\n"
        "    input: Tensor) -> Tensor:\n"
        "  l1 = self.l1\n"
        "  l0 = self.l0\n"
        "  _0 = (l1).forward(torch.relu((l0).forward(input, )), )\n"
        "  return _0\n"
    )
    assert traced.l0.code == (
        "def forward(self,\n"
        "    input: Tensor) -> Tensor:\n"
        "  bias = self.bias\n"
        "  weight = self.weight\n"
        "  return torch.linear(input, weight, bias)\n"
    )


def test_graph_text():
    traced = ember.jit.trace(ControlFlowModule(), ember.randn(4))
    text = str(traced.graph).replace(os.path.abspath(__file__), "test_tracer_seed.py")
    assert text == (
        "graph(%self : __torch__.test_tracer_seed.ControlFlowModule,\n"
        "      %input : Tensor):\n"
        "  %l1 : __torch__.torch.nn.modules.linear.___torch_mangle_0.Linear"
        ' = prim::GetAttr[name="l1"](%self)\n'
        '  %l0 : __torch__.torch.nn.modules.linear.Linear = prim::GetAttr[name="l0"](%self)\n'
        '  %0 : Tensor = prim::CallMethod[name="forward"](%l0, %input)'
        " # test_tracer_seed.py:24:15\n"
        "  %1 : Tensor = aten::relu(%0) # test_tracer_seed.py:25:20\n"
        '  %2 : Tensor = prim::CallMethod[name="forward"](%l1, %1) # test_tracer_seed.py:26:15\n'
        "  return (%2)\n"
    )


def test_repr_in_the_seed_style():
    traced = ember.jit.trace(ControlFlowModule(), ember.randn(4))
    assert repr(traced) == (
        "ControlFlowModule(\n"
        "  original_name=ControlFlowModule\n"
        "  (l0): Linear(original_name=Linear)\n"
        "  (l1): Linear(original_name=Linear)\n"
        ")"
    )


def test_parameters_are_shared_with_the_original():
    module = ControlFlowModule()
    traced = ember.jit.trace(module, ember.randn(4))
    assert traced.l0.weight is module.l0.weight
    before = traced(ember.ones(4)).numpy().copy()
    module.l1.bias.detach().add_(1.0)
    np.testing.assert_allclose(traced(ember.ones(4)).numpy(), before + 1.0, rtol=1e-6)


def test_called_twice_records_forward1():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.l = nn.Linear(4, 4)

        def forward(self, x):
            return self.l(self.l(x))

    traced = ember.jit.trace(Twice(), ember.randn(2, 4))
    assert "(l).forward1((l).forward(x, ), )" in traced.code
    x = ember.randn(3, 4)
    np.testing.assert_allclose(traced.l.forward1(x).numpy(), traced.l.forward(x).numpy())


def test_captured_tensor_becomes_a_constant():
    scale = ember.tensor([2.0, 3.0])

    def f(x):
        return x * scale

    traced = ember.jit.trace(f, ember.ones(2))
    assert "torch.mul(x, CONSTANTS.c0)" in traced.code
    ops = [op.kind for op in traced.graph.walk()]
    assert ops.count("prim::Constant") == 1


def test_traced_module_is_a_script_module_with_the_original_state():
    module = ControlFlowModule()
    traced = ember.jit.trace(module, ember.randn(4))
    assert isinstance(traced, ember.jit.RecursiveScriptModule)
    assert list(traced.state_dict()) == list(module.state_dict())
    assert [n for n, _ in traced.named_parameters()] == [
        "l0.weight",
        "l0.bias",
        "l1.weight",
        "l1.bias",
    ]
    assert traced.eval() is traced and not traced.training


def test_untraced_submodule_method_says_so():
    class Unused(nn.Module):
        def __init__(self):
            super().__init__()
            self.used = nn.Linear(2, 2)
            self.spare = nn.Linear(2, 2)

        def forward(self, x):
            return self.used(x)

    traced = ember.jit.trace(Unused(), ember.ones(1, 2))
    assert "spare" in repr(traced)
    with pytest.raises(ember.TraceError, match="Linear.forward was not called while tracing"):
        traced.spare(ember.ones(1, 2))


def test_traced_function_is_a_script_function():
    def double(x):
        return x * 2

    traced = ember.jit.trace(double, ember.ones(2))
    assert isinstance(traced, ember.jit.ScriptFunction)
    assert traced.code == "def double(x: Tensor) -> Tensor:\n  return torch.mul(x, 2)\n"


def _kinds(graph_nodes):
    return sorted(k for k in graph_nodes if k != "prim::Constant")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_same_ops_as_torch_trace(torch):
    class TorchControlFlow(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.l0 = torch.nn.Linear(4, 2)
            self.l1 = torch.nn.Linear(2, 1)

        def forward(self, input):
            if input.dim() > 1:
                return torch.tensor(0)
            return self.l1(torch.nn.functional.relu(self.l0(input)))

    ours = ember.jit.trace(ControlFlowModule(), ember.randn(4))
    theirs = torch.jit.trace(TorchControlFlow(), torch.randn(4))
    for mine, ref in ((ours, theirs), (ours.l0, theirs.l0), (ours.l1, theirs.l1)):
        expected = _kinds(n.kind() for n in ref.graph.nodes())
        assert _kinds(op.kind for op in mine.graph.walk() if op.kind != "prim::Return") == expected
