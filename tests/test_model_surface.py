"""The import-time surface of model files against torch 2.13: ember._assert (eager, and
scripted to the code TorchScript prints for torch._assert), ember.utils.checkpoint (a plain
call, with torch's argument checks) and ember.fx.wrap (returns its argument; top level only)."""

import io
import warnings

import pytest

import ember
from compare import to_torch
from ember.utils.checkpoint import checkpoint, checkpoint_sequential


def checked(x):
    ember._assert(x.dim() == 2, "need a matrix")
    ember._assert(x.sum() > 0, "positive")
    return x + 1


def test_assert_raises_with_its_message_eager_and_scripted():
    scripted = ember.jit.script(checked)
    for run in (checked, scripted):
        assert run(ember.ones(2, 2)).tolist() == [[2.0, 2.0], [2.0, 2.0]]
        with pytest.raises(AssertionError, match="need a matrix"):
            run(ember.ones(3))
        with pytest.raises(AssertionError, match="positive"):
            run(-ember.ones(2, 2))
    ember._assert(True, "never")


def test_scripted_assert_prints_as_torch_scripts_it(torch):
    def torch_checked(x):
        torch._assert(x.dim() == 2, "need a matrix")
        torch._assert(x.sum() > 0, "positive")
        return x + 1

    ours = ember.jit.script(checked).code.replace("checked", "f")
    theirs = torch.jit.script(torch_checked).code.replace("torch_checked", "f")
    assert ours == theirs


class Checked(ember.nn.Module):
    def forward(self, x):
        return checked(x)


def test_torch_runs_ember_archives_of_scripted_asserts(torch):
    buffer = io.BytesIO()
    ember.jit.save(ember.jit.script(Checked()), buffer)
    loaded = torch.jit.load(io.BytesIO(buffer.getvalue()))
    assert loaded(torch.ones(2, 2)).tolist() == [[2.0, 2.0], [2.0, 2.0]]
    with pytest.raises(torch.jit.Error, match="AssertionError: need a matrix"):
        loaded(torch.ones(3))


def test_checkpoint_calls_the_function_as_torch_does(torch):
    x = ember.ones(2)
    assert checkpoint(lambda a, b=1: a + b, x, b=2, use_reentrant=False).tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match="Unexpected keyword arguments: b"):
        checkpoint(lambda a, b=1: a + b, x, b=2, use_reentrant=True)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: b"):
        torch.utils.checkpoint.checkpoint(lambda a, b=1: a + b, to_torch(x), b=2,
                                          use_reentrant=True)  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert checkpoint(lambda a: a * 2, x).tolist() == [2.0, 2.0]
    assert any("use_reentrant" in str(w.message) for w in caught)
    assert checkpoint(lambda a: a, x, use_reentrant=False, preserve_rng_state=False) is x


def test_checkpoint_sequential_runs_every_function_in_order(torch):
    net = ember.nn.Sequential(ember.nn.ReLU(), ember.nn.Hardtanh(0.0, 0.5), ember.nn.Tanh())
    twin = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Hardtanh(0.0, 0.5), torch.nn.Tanh())
    x = ember.tensor([-1.0, 0.25, 2.0])
    ours = checkpoint_sequential(net, 2, x, use_reentrant=False)
    theirs = torch.utils.checkpoint.checkpoint_sequential(twin, 2, to_torch(x),
                                                          use_reentrant=False)  # fmt: skip
    assert ours.tolist() == pytest.approx(theirs.tolist())
    assert checkpoint_sequential([lambda a: a * 2, lambda a: a + 1], 1, x,
                                 use_reentrant=True).tolist() == [-1.0, 1.5, 5.0]  # fmt: skip
    with pytest.raises(ValueError, match="Unexpected keyword arguments: k"):
        checkpoint_sequential(net, 1, x, use_reentrant=False, k=1)


def leaf(x):
    return x * 2


WRAPPED = ember.fx.wrap(leaf)
WRAPPED_NAME = ember.fx.wrap("leaf")


def test_fx_wrap_returns_its_argument_and_checks_as_torch(torch):
    assert WRAPPED is leaf and WRAPPED_NAME == "leaf"
    for module in (ember, torch):
        with pytest.raises(NotImplementedError, match="top level of a module"):
            module.fx.wrap(leaf)
        with pytest.raises(RuntimeError, match="Must be either a callable or string name"):
            module.fx.wrap(3)


def uses_leaf(x):
    return leaf(x) + 1


def test_wrapped_functions_script_and_trace_like_any_other():
    x = ember.ones(2)
    assert ember.jit.script(uses_leaf)(x).tolist() == [3.0, 3.0]
    assert ember.jit.trace(uses_leaf, x)(x).tolist() == [3.0, 3.0]
