"""The C++ loader and interpreter (`ember.cpp.load`): archives ember.jit.save wrote run with
the Python runtime's results; control flow, attributes, upgraders and argument checks follow
TorchScript's rules; one module runs from many threads at once."""

import concurrent.futures
import io

import numpy as np
import pytest
from tests.cpp.loader_helpers import K, constant, load, operator, records, saved, with_program

import ember
import ember.nn as nn
from ember.cpp import CppRuntimeError
from ember.errors import VersionError
from ember.serializer.program import model


@pytest.fixture(scope="module")
def linear():
    ember.manual_seed(0)
    return nn.Linear(4, 4)


@pytest.fixture(scope="module")
def data(linear):
    return saved(linear)


def close(a, b):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_forward_matches_the_python_runtime(linear, data, tmp_path):
    m = load(data, tmp_path)
    x = ember.randn(3, 4)
    close(m.forward(x), linear(x))
    close(m(x), ember.jit.load(io.BytesIO(data))(x))


def test_the_module_surface(linear, data, tmp_path):
    m = load(data, tmp_path)
    assert m.method_names() == ["forward"]
    assert m.version == int(records(data)[1]["version"])
    close(m.attribute("weight"), linear.weight)
    with pytest.raises(CppRuntimeError, match="no attribute 'nope'"):
        m.attribute("nope")


def test_read_into_memory_gives_the_same_results(data, tmp_path):
    x = ember.randn(2, 4)
    close(load(data, tmp_path, mmap=False).forward(x), load(data, tmp_path, "b.pt").forward(x))


def test_one_module_runs_from_many_threads(linear, data, tmp_path):
    m = load(data, tmp_path)
    inputs = [ember.randn(i % 5 + 1, 4) for i in range(64)]

    def run(x):
        return [m.forward(x) for _ in range(20)]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for x, outs in zip(inputs, pool.map(run, inputs)):
            for out in outs:
                close(out, linear(x))


def test_arguments_are_checked(data, tmp_path):
    m = load(data, tmp_path)
    with pytest.raises(CppRuntimeError, match=r"forward\(\) takes 1 argument but 2 were given"):
        m.forward(ember.ones(4), ember.ones(4))
    with pytest.raises(CppRuntimeError, match="expected a value of type 'Tensor' for argument"):
        m.forward(3)
    with pytest.raises(CppRuntimeError, match="no method 'backward'"):
        m.run_method("backward", ember.ones(4))


def test_kernel_errors_name_the_op_and_source(data, tmp_path):
    m = load(data, tmp_path)
    with pytest.raises(CppRuntimeError, match=r"in forward, op \d+ aten::linear, at .*linear.py"):
        m.forward(ember.ones(2, 5))


# -- hand-made programs: control flow on registers, with aten::linear as the only kernel ------


def _forward(p: model.Program, body: model.Block, types: list[str], names=None) -> None:
    """Replaces the program's forward with `body` over len(types) registers."""
    p.functions[0] = model.Function("forward", len(types), types, [""] * len(types),
                                    names or ["self", "x"], body)  # fmt: skip


def _weights(p: model.Program) -> list[model.Op]:
    """GetAttr ops loading self.weight into register 4 and self.bias into register 5."""
    get = operator(p, "prim::GetAttr")
    return [model.Op(get, [0], [4], name="weight"), model.Op(get, [0], [5], name="bias")]


def _looped(p: model.Program):
    lin, loop, if_ = (operator(p, n) for n in ("aten::linear", "prim::Loop", "prim::If"))
    true = constant(p, model.Constant(K["Bool"], int_value=1))
    body = model.Block([7, 8], [model.Op(lin, [8, 4, 5], [9])], [6, 9])
    ops = _weights(p) + [
        model.Op(operator(p, "prim::Constant"), [], [6], constant=true),
        model.Op(loop, [2, 6, 1], [10], blocks=[body]),
        model.Op(if_, [3], [11], blocks=[model.Block([], [], [10]), model.Block([], [], [1])]),
    ]
    cls = p.classes[p.objects[p.root].class_index].name
    types = [cls, "Tensor", "int", "bool", "Tensor", "Tensor", "bool", "int", "Tensor",
             "Tensor", "Tensor", "Tensor"]  # fmt: skip
    _forward(p, model.Block([0, 1, 2, 3], ops, [11]), types, ["self", "x", "n", "flag"])


def test_loops_and_ifs_follow_torchscript(linear, data, tmp_path):
    m = load(with_program(data, _looped), tmp_path)
    x = ember.randn(2, 4)
    expected = x
    for n in range(4):
        close(m.forward(x, n, True), expected)
        expected = linear(expected)
    close(m.forward(x, 3, False), x)
    for _ in range(3):  # the arena reuses registers between calls: results stay right
        close(m.forward(x, 2, True), linear(linear(x)))


def _swapping(p: model.Program):
    loop, true = operator(p, "prim::Loop"), constant(p, model.Constant(K["Bool"], int_value=1))
    body = model.Block([5, 6, 7], [], [4, 7, 6])  # yields (True, b, a): the carried pair swaps
    ops = [model.Op(operator(p, "prim::Constant"), [], [4], constant=true),
           model.Op(loop, [3, 4, 1, 2], [8, 9], blocks=[body])]  # fmt: skip
    cls = p.classes[p.objects[p.root].class_index].name
    types = [cls, "Tensor", "Tensor", "int", "bool", "int", "Tensor", "Tensor", "Tensor", "Tensor"]
    _forward(p, model.Block([0, 1, 2, 3], ops, [8, 9]), types, ["self", "a", "b", "n"])


def test_loop_carried_values_may_swap(data, tmp_path):
    m = load(with_program(data, _swapping), tmp_path)
    a, b = ember.zeros(1), ember.ones(1)
    for n in range(4):
        first, second = m.forward(a, b, n)
        assert (first.item(), second.item()) == ((0.0, 1.0) if n % 2 == 0 else (1.0, 0.0))


def _set_then_get(p: model.Program):
    set_, get = operator(p, "prim::SetAttr"), operator(p, "prim::GetAttr")
    ops = [model.Op(set_, [0, 1], [], name="weight"), model.Op(get, [0], [2], name="weight")]
    cls = p.classes[p.objects[p.root].class_index].name
    _forward(p, model.Block([0, 1], ops, [2]), [cls, "Tensor", "Tensor"])


def test_attributes_that_are_set_are_read_at_run_time(data, tmp_path):
    m = load(with_program(data, _set_then_get), tmp_path)
    x = ember.randn(4, 4)
    close(m.forward(x), x)
    close(m.attribute("weight"), x)


def _calls_div(version, with_body=True, arity=2):
    def edit(p: model.Program):
        p.version = version
        div = operator(p, "aten::div.Tensor")
        cls = p.classes[p.objects[p.root].class_index].name
        body = model.Block([0, 1, 2], [model.Op(div, [1, 2], [3])], [3])
        _forward(p, body, [cls, "Tensor", "Tensor", "Tensor"], ["self", "x", "y"])
        if with_body:  # an upgrader that returns its second argument, to be recognised
            args = list(range(arity))
            up = model.Block(args, [], [args[-1]])
            p.upgraders = [model.Function("div_Tensor_0_3", arity, ["Tensor"] * arity,
                                          [""] * arity, ["self", "other"][:arity], up)]  # fmt: skip

    return edit


def test_an_old_version_calls_the_upgrader(data, tmp_path):
    m = load(with_program(data, _calls_div(3)), tmp_path)
    assert m.version == 3
    x, y = ember.ones(2), ember.full((2,), 4.0)
    close(m.forward(x, y), y)


def test_a_missing_upgrader_fails_at_load_naming_it(data, tmp_path):
    with pytest.raises(VersionError, match="div_Tensor_0_3"):
        load(with_program(data, _calls_div(2, with_body=False)), tmp_path)


def test_an_upgrader_of_the_wrong_arity_fails_at_load(data, tmp_path):
    with pytest.raises(CppRuntimeError, match="upgrader div_Tensor_0_3 takes 1 arguments"):
        load(with_program(data, _calls_div(3, arity=1)), tmp_path)


def test_a_missing_kernel_fails_at_load_naming_the_operator(data, tmp_path):
    def edit(p):
        p.functions[0].body.ops[-1].operator = operator(p, "aten::frobnicate.Tensor")

    with pytest.raises(CppRuntimeError, match=r"no kernel for operator aten::frobnicate\.Tensor"):
        load(with_program(data, edit), tmp_path)


class _Defaults(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.Linear(4, 4)

    def forward(self, x, other: ember.Tensor | None = None):
        if other is None:
            return self.l(x)
        return other


def test_arguments_left_out_take_their_defaults(tmp_path):
    module = _Defaults()
    m = load(saved(module), tmp_path)
    x = ember.randn(2, 4)
    close(m.forward(x), module(x))
    close(m.forward(x, x), x)
    with pytest.raises(CppRuntimeError, match="takes 2 arguments but 0 were given"):
        m.forward()
