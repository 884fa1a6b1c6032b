"""The same source scripted by ember and by torch 2.13 prints the same `.code`, and ember's
scripted results equal its eager ones (`tests/corpus/dual.py`)."""

import numpy as np
import pytest
from tests.corpus import dual
from tests.corpus.bind import bound

import ember

NAMES = [
    "clip_first",
    "tensor_literals",
    "tensor_options",
    "tensor_setitem",
    "loops_and_builtins",
    "advanced_index",
    "ellipsis_slices",
    "list_dict_setitem",
    "fstrings",
    "dict_int_keys",
    "enumerate_start",
    "asserts",
    "optional_outputs",
]


@pytest.fixture(scope="module")
def both(torch):
    return bound(dual, ember, "dual_ember"), bound(dual, torch, "dual_torch")


def _inputs(name):
    x = ember.arange(12.0).reshape(4, 3)
    return {
        "tensor_literals": lambda: (3, 1.5),
        "tensor_setitem": lambda: (x.clone(), ember.full((2, 3), 9.0), 2, x > 6),
        "list_dict_setitem": lambda: ([1, 2, 3], {"b": 1}, {2: 1.0}, 2),
        "fstrings": lambda: (x, 7),
        "tensor_options": lambda: (1.5, [1.0, 2.0]),
        "ellipsis_slices": lambda: (ember.arange(24.0).reshape(2, 3, 4), 1),
        "advanced_index": lambda: (x[:3, :3].clone(), ember.tensor([2, 0]), x[:3, 0] > 2),
        "loops_and_builtins": lambda: (x, [1, 2, 3], ember.ones(6, 2)),
        "clip_first": lambda: (x.clone(), x > 5, 3.0),
        "dict_int_keys": lambda: ({1: 0.5, 3: 2.0},),
        "enumerate_start": lambda: ([1.5, -2.0, 4.0], 3),
        "asserts": lambda: (5, "x"),
        "optional_outputs": lambda: (-7, 1.5, 2),
    }[name]()


def _same(a, b):
    if isinstance(a, ember.Size):  # x.size() is List[int] in scripted code, as in TorchScript
        a = list(a)
    if isinstance(a, tuple | list):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a._np, b._np)
    else:
        assert type(a) is type(b) and a == b


@pytest.mark.parametrize("name", NAMES)
def test_code_matches_torch(both, torch, name):
    ours, theirs = both
    assert (
        ember.jit.script(getattr(ours, name)).code == torch.jit.script(getattr(theirs, name)).code
    )


# Scripted code prints floats in strings as TorchScript does, in torch too: 7.0 as "7."
SCRIPTED_TEXT = {"clip_first"}


@pytest.mark.parametrize("name", NAMES)
def test_scripted_matches_eager(both, name):
    fn = getattr(both[0], name)
    eager_args, scripted_args = _inputs(name), _inputs(name)
    eager = fn(*eager_args)
    if name in SCRIPTED_TEXT:
        eager = eager.replace(".0", ".")
    _same(eager, ember.jit.script(fn)(*scripted_args))
    _same(eager_args, scripted_args)  # the same writes through to the arguments


@pytest.mark.parametrize("name", ["tensor_literals", "tensor_options"])
def test_tensor_literal_dtypes_match_torch(both, torch, name):
    args = _inputs(name)
    ours = ember.jit.script(getattr(both[0], name))(*args)
    theirs = torch.jit.script(getattr(both[1], name))(*args)
    assert [str(t.dtype) for t in ours] == [str(t.dtype).replace("torch", "ember") for t in theirs]
    assert [t.requires_grad for t in ours] == [t.requires_grad for t in theirs]


def test_setitem_writes_through_views():
    def f(x):
        y = x[1]
        y[0] = 5
        x[:, 2] = ember.tensor([7.0, 8.0])
        x[0, 0] *= 3
        return y

    x, xs = ember.ones(2, 3), ember.ones(2, 3)
    _same(f(x), ember.jit.script(f)(xs))
    assert xs.tolist() == x.tolist() == [[3.0, 1.0, 7.0], [5.0, 1.0, 8.0]]


def test_setitem_on_a_module_buffer():
    class Ring(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("buf", ember.zeros(3))

        def forward(self, v: float, i: int):
            self.buf[i] = v
            return self.buf.sum()

    s = ember.jit.script(Ring())
    s(2.0, 0)
    assert s(3.0, 2).item() == 5.0
    assert s.buf.tolist() == [2.0, 0.0, 3.0]


def test_list_item_type_checked():
    def f(xs: list[int]):
        xs[0] = "a"
        return xs

    with pytest.raises(ember.CompileError, match="expected int, found str for a list element"):
        ember.jit.script(f)


def test_augmented_items_of_tensor_containers_are_in_place():
    def f(xs: list[ember.Tensor], d: dict[str, ember.Tensor], t):
        xs[0] += t
        d["a"] *= 2
        return xs, d

    s = ember.jit.script(f)
    assert "torch._set_item(xs, 0, torch.add_(xs[0], t))" in s.code  # as torch 2.13 prints
    a, b = ember.ones(2), ember.ones(2)
    s([a], {"a": b}, ember.ones(2))
    assert a.tolist() == [2.0, 2.0] and b.tolist() == [2.0, 2.0]  # aliases see it, as eager


@pytest.mark.parametrize("name", NAMES)
def test_printed_code_compiles_back(both, name):
    from test_jit_codeunit import _function_files
    from tests.loading import load_function

    from ember.compiler.modules.archive import CodeUnit

    s = ember.jit.script(getattr(both[0], name))
    unit = CodeUnit(_function_files(s).get)
    loaded = load_function(unit, s.qualified_name)
    assert loaded.code == s.code
    _same(s(*_inputs(name)), loaded(*_inputs(name)))


def _torch_kinds(block):
    out = []
    for n in block.nodes():
        if n.kind() != "prim::Constant":
            out.append(n.kind())
        for b in n.blocks():
            out += _torch_kinds(b)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_graph_ops_match_torch(both, torch, name):
    """The `.graph` has torch's operators in torch's order (constants aside)."""
    ours, theirs = both
    skip = ("prim::Constant", "prim::Yield", "prim::Return")
    kinds = [op.kind for op in ember.jit.script(getattr(ours, name)).graph.walk()]
    assert [k for k in kinds if k not in skip] == _torch_kinds(
        torch.jit.script(getattr(theirs, name)).graph
    )
