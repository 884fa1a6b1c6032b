"""IR core: types, builder, use lists, graph printing."""

import pytest

from ember import VerifyError
from ember.ir import MAX_TRIP, Builder, Graph, SourceLocation, clone_graph, match_overload, verify
from ember.ir import types as T
from ember.ir.type_parser import parse_type

TENSOR, INT, BOOL = T.TensorType.get(), T.IntType.get(), T.BoolType.get()


@pytest.mark.parametrize(
    "text, annotation, graph",
    [
        ("Tensor", "Tensor", "Tensor"),
        ("Optional[Tensor]", "Optional[Tensor]", "Tensor?"),
        ("List[int]", "List[int]", "int[]"),
        ("Tuple[Tensor, int]", "Tuple[Tensor, int]", "(Tensor, int)"),
        ("Dict[str, Tensor]", "Dict[str, Tensor]", "Dict(str, Tensor)"),
        ("(str, int)[]", "List[Tuple[str, int]]", "(str, int)[]"),
        ("Tensor(a!)", "Tensor", "Tensor"),
        ("int[2]", "List[int]", "int[]"),
        ("ScalarType?", "Optional[int]", "int?"),
        ("Scalar", "number", "Scalar"),
        ("Tuple[()]", "Tuple[()]", "()"),
        ("__torch__.MyModule", "__torch__.MyModule", "__torch__.MyModule"),
        ("Dict(str, Tensor)", "Dict[str, Tensor]", "Dict(str, Tensor)"),
    ],
)
def test_type_round_trip(text, annotation, graph):
    t = parse_type(text)
    assert str(t) == annotation
    assert t.graph_str() == graph
    assert parse_type(str(t)) == t


@pytest.mark.parametrize("bad", ["List[", "Optional[int, int]", "Tuple[int,,]", "3"])
def test_type_parse_errors(bad):
    with pytest.raises(ValueError):
        parse_type(bad)


def test_subtyping_and_unify():
    opt = T.OptionalType(TENSOR)
    assert T.is_subtype(T.NoneType.get(), opt) and T.is_subtype(TENSOR, opt)
    assert not T.is_subtype(opt, TENSOR)
    assert not T.is_subtype(T.ListType(INT), T.ListType(T.FloatType.get()))
    assert T.unify(TENSOR, T.NoneType.get()) == opt
    assert T.unify(TENSOR, INT) is None


def test_overload_matching():
    f = T.FloatType.get()
    assert match_overload("aten::add", [INT, INT]).qualified_name == "aten::add.int"
    assert match_overload("aten::add", [f, INT]).qualified_name == "aten::add.float_int"
    assert match_overload("aten::add", [TENSOR, TENSOR]).qualified_name == "aten::add.Tensor"
    lst = T.ListType(TENSOR)
    assert match_overload("aten::len", [lst]).qualified_name == "aten::len.t"
    assert match_overload("aten::len", [T.StrType.get(), INT]) is None


def test_use_lists_follow_edits():
    b = Builder(Graph())
    x = b.add_input(TENSOR, "x")
    y = b.add_input(TENSOR, "y")
    r = b.emit("aten::relu", x)
    b.return_(r)
    assert [u.op.kind for u in x.uses] == ["aten::relu"]
    x.replace_all_uses_with(y)
    assert x.uses == [] and [u.op.kind for u in y.uses] == ["aten::relu"]
    with pytest.raises(ValueError, match="still has uses"):
        r.op.erase()


def test_builder_fills_defaults_and_infers_types():
    b = Builder(Graph())
    xs = b.add_input(T.ListType(TENSOR), "xs")
    first = b.emit("aten::__getitem__.t", xs, 0)
    assert first.type == TENSOR
    s = b.emit("aten::sum", first)
    assert len(s.op.operands) == 2  # dtype=None filled in (kwarg-only)
    tup = b.tuple_construct([first, 3])
    assert str(tup.type) == "Tuple[Tensor, int]"
    assert b.emit("prim::TupleIndex", tup, 1).type == INT
    b.return_(tup)
    verify(b.graph)


def test_builder_rejects_unknown_ops_and_bad_arguments():
    b = Builder(Graph())
    x = b.add_input(TENSOR, "x")
    with pytest.raises(VerifyError, match="unknown operator aten::nope"):
        b.emit("aten::nope", x)
    with pytest.raises(VerifyError, match="missing operand 'other'"):
        b.emit("aten::add.Tensor", x)
    with pytest.raises(VerifyError, match="unknown argument"):
        b.emit("aten::relu", x, bogus=1)


def test_insertion_points():
    b = Builder(Graph())
    x = b.add_input(TENSOR, "x")
    last = b.emit("aten::relu", x, name="last")
    b.return_(last)
    with b.inserting_before(last.op):
        first = b.emit("aten::neg", x, name="first")
    with b.inserting_after(first.op):
        b.emit("aten::abs", x, name="middle")
    assert [op.kind for op in b.graph.block.ops] == [
        "aten::neg",
        "aten::abs",
        "aten::relu",
        "prim::Return",
    ]


def test_builder_stamps_its_location_and_copies_keep_it():
    here, there = SourceLocation("m.py", 2, 8, "    y = x.relu()"), SourceLocation("m.py", 3, 4)
    b = Builder(Graph())
    x = b.add_input(TENSOR, "x")
    with b.located(here):
        y = b.emit("aten::relu", x)
        with b.located(there):
            b.return_(y)
    assert b.loc is None
    assert [str(op.loc) for op in b.graph.block.ops] == ["m.py:2:8", "m.py:3:4"]
    copy = clone_graph(b.graph)
    assert [op.loc for op in copy.block.ops] == [here, there]


def _while_graph():
    b = Builder(Graph("count"))
    n = b.add_input(INT, "n")
    cond = b.emit("aten::gt.int", n, 0)
    loop = b.loop(MAX_TRIP, cond, [n, 0], names=["n", "steps"])
    body = loop.blocks[0]
    with b.at_end(body):
        _, cur, steps = body.args
        nxt = b.emit("aten::sub.int", cur, 1, name="n")
        more = b.emit("aten::gt.int", nxt, 0)
        b.yield_(more, nxt, b.emit("aten::add.int", steps, 1, name="steps"))
    b.return_(loop.results[1])
    return b.graph


def test_graph_text_golden():
    assert str(_while_graph()) == (
        "graph(%n : int):\n"
        "  %0 : int = prim::Constant[value=0]()\n"
        "  %1 : bool = aten::gt(%n, %0)\n"
        "  %2 : int = prim::Constant[value=9223372036854775807]()\n"
        "  %3 : int = prim::Constant[value=0]()\n"
        "  %n.1 : int, %steps : int = prim::Loop(%2, %1, %n, %3)\n"
        "    block0(%4 : int, %n.2 : int, %steps.1 : int):\n"
        "      %5 : int = prim::Constant[value=1]()\n"
        "      %n.3 : int = aten::sub(%n.2, %5)\n"
        "      %6 : int = prim::Constant[value=0]()\n"
        "      %7 : bool = aten::gt(%n.3, %6)\n"
        "      %8 : int = prim::Constant[value=1]()\n"
        "      %steps.2 : int = aten::add(%steps.1, %8)\n"
        "      -> (%7, %n.3, %steps.2)\n"
        "  return (%steps)\n"
    )
    verify(_while_graph())


def test_constant_literals_print_like_torchscript():
    b = Builder(Graph())
    vals = [b.constant(v) for v in (1.0, 2.5, 1e-5, True, 'a"b', None, [1, 2])]
    b.return_(b.tuple_construct(vals))
    text = str(b.graph)
    for frag in [
        "value=1.]",
        "value=2.5]",
        "value=1.0000000000000001e-05]",
        "value=1]",
        'value="a\\"b"]',
        "NoneType = prim::Constant()",
        "value=[1, 2]]",
    ]:
        assert frag in text, frag


def test_builder_constants_take_the_parameter_type():
    b = Builder(Graph())
    x = b.add_input(TENSOR, "x")
    pooled = b.emit("aten::max_pool2d", x, 2)  # int[2] kernel_size given one int
    kernel = pooled.op.operands[1].op
    assert kernel.attrs["value"] == 2 and kernel.results[0].type == INT
    assert pooled.op.operands[2].op.attrs["value"] == []  # stride default, a list
    f = b.emit("aten::add.float", b.constant(1.5), 2)
    assert f.op.operands[1].op.attrs["value"] == 2.0
    assert isinstance(f.op.operands[1].op.attrs["value"], float)
    v = b.emit("aten::view", x, (2, 3))
    assert v.op.operands[1].op.attrs["value"] == [2, 3]
    b.return_(v)
    verify(b.graph)
