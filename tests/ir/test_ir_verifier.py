"""The verifier rejects malformed IR with messages that name the problem and print the op."""

import pytest

from ember import VerifyError
from ember.ir import Builder, Function, Graph, Operation, Param, verify
from ember.ir import types as T

TENSOR, INT, BOOL, STR = T.TensorType.get(), T.IntType.get(), T.BoolType.get(), T.StrType.get()


def _raw(b, kind, overload, operands, results, attrs=None, blocks=0):
    return b.insert(Operation(kind, overload, operands, results, attrs, blocks))


def _fails(graph, message):
    with pytest.raises(VerifyError) as info:
        verify(graph)
    assert str(info.value) == message


def test_operand_type_mismatch_prints_the_op():
    b = Builder(Graph())
    s = b.add_input(STR, "s")
    _raw(b, "aten::relu", "", [s], [TENSOR])
    b.return_()
    _fails(
        b.graph,
        "operand 0 ('self') of aten::relu has type str, expected Tensor\n"
        "  %0 : Tensor = aten::relu(%s)",
    )


def test_use_before_definition():
    b = Builder(Graph())
    x = b.add_input(TENSOR, "x")
    late = Operation("aten::neg", "", [x], [TENSOR])
    _raw(b, "aten::relu", "", [late.results[0]], [TENSOR])
    b.insert(late)
    b.return_()
    _fails(
        b.graph,
        "operand 0 of aten::relu is used before its definition or outside its scope\n"
        "  %0 : Tensor = aten::relu(%1)",
    )


def test_values_do_not_escape_their_block():
    b = Builder(Graph())
    c = b.add_input(BOOL, "c")
    br = b.if_(c, [])
    with b.at_end(br.blocks[0]):
        inner = b.emit("aten::neg.int", 1, name="inner")
        b.yield_()
    with b.at_end(br.blocks[1]):
        b.yield_()
    b.return_(inner)
    with pytest.raises(VerifyError, match="outside its scope\n  return|operand 0 of prim::Return"):
        verify(b.graph)


def test_unknown_operator_and_wrong_arity():
    b = Builder(Graph())
    x = b.add_input(TENSOR, "x")
    _raw(b, "aten::frobnicate", "", [x], [TENSOR])
    b.return_()
    _fails(b.graph, "unknown operator aten::frobnicate\n  %0 : Tensor = aten::frobnicate(%x)")
    b2 = Builder(Graph())
    y = b2.add_input(TENSOR, "y")
    _raw(b2, "aten::add", "Tensor", [y, y], [TENSOR])
    b2.return_()
    _fails(b2.graph, "aten::add.Tensor takes 3 operands, got 2\n  %0 : Tensor = aten::add(%y, %y)")


def test_result_type_against_schema():
    b = Builder(Graph())
    n = b.add_input(INT, "n")
    _raw(b, "aten::add", "int", [n, n], [STR])
    b.return_()
    _fails(b.graph, "result 0 of aten::add.int has type str, expected int\n"
           "  %0 : str = aten::add(%n, %n)")  # fmt: skip


def test_if_checks_condition_and_yields():
    b = Builder(Graph())
    n = b.add_input(INT, "n")
    br = b.if_(b.emit("aten::gt.int", n, 0), [INT])
    with b.at_end(br.blocks[0]):
        b.yield_(n)
    with b.at_end(br.blocks[1]):
        b.yield_("no")
    b.return_(br.result)
    _fails(b.graph, "block1 of prim::If yields str at position 0, expected int\n"
           "  %2 : int = prim::If(%1)")  # fmt: skip
    b2 = Builder(Graph())
    m = b2.add_input(INT, "m")
    _raw(b2, "prim::If", "", [m], [], blocks=2)
    b2.return_()
    _fails(b2.graph, "condition of prim::If has type int, expected bool\n   = prim::If(%m)")


def test_missing_and_misplaced_terminators():
    b = Builder(Graph())
    c = b.add_input(BOOL, "c")
    br = b.if_(c, [])
    with b.at_end(br.blocks[1]):
        b.yield_()
    b.return_()
    _fails(b.graph, "a block of prim::If must end with prim::Yield")
    b2 = Builder(Graph())
    b2.add_input(BOOL, "c")
    _raw(b2, "prim::Yield", "", [], [])
    b2.return_()
    _fails(b2.graph, "prim::Yield is only allowed as the last op of a prim::If/prim::Loop block\n"
           "   = prim::Yield()")  # fmt: skip
    _fails(Graph(), "the graph's block must end with prim::Return")


def test_loop_block_arguments_and_yields():
    b = Builder(Graph())
    n = b.add_input(INT, "n")
    loop = b.loop(n, True, [n])
    with b.at_end(loop.blocks[0]):
        b.yield_(True)
    b.return_(loop.results[0])
    _fails(b.graph, "block0 of prim::Loop yields 1 values, expected 2\n"
           "  %1 : int = prim::Loop(%n, %0, %n)")  # fmt: skip
    b2 = Builder(Graph())
    m = b2.add_input(INT, "m")
    lp = _raw(b2, "prim::Loop", "", [m, b2.constant(True), m], [INT], blocks=1)
    lp.blocks[0].add_arg(INT)
    with b2.at_end(lp.blocks[0]):
        b2.yield_(True, 1)
    b2.return_(lp.results[0])
    with pytest.raises(VerifyError, match="the block of prim::Loop needs 2 arguments"):
        verify(b2.graph)


def test_containers_and_attributes():
    b = Builder(Graph())
    x = b.add_input(TENSOR, "x")
    _raw(b, "prim::ListConstruct", "", [x, b.constant(1)], [T.ListType(TENSOR)])
    b.return_()
    with pytest.raises(VerifyError, match="element 1 of prim::ListConstruct has type int"):
        verify(b.graph)
    b2 = Builder(Graph())
    me = T.ClassType("__torch__.M", {"w": TENSOR})
    s = b2.add_input(me, "self")
    b2.get_attr(s, "w", INT)
    b2.return_()
    with pytest.raises(VerifyError, match="attribute 'w' of __torch__.M has type Tensor, not int"):
        verify(b2.graph)
    b3 = Builder(Graph())
    t = b3.add_input(T.TupleType([INT, STR]), "t")
    _raw(b3, "prim::TupleUnpack", "", [t], [INT])
    b3.return_()
    with pytest.raises(VerifyError, match=r"prim::TupleUnpack of Tuple\[int, str\] into 1 values"):
        verify(b3.graph)


def test_constant_value_must_match_its_type():
    b = Builder(Graph())
    b.constant("text", INT)
    b.return_()
    with pytest.raises(VerifyError, match="constant 'text' does not have type int"):
        verify(b.graph)


def test_call_method_against_known_signature():
    sub = T.ClassType("__torch__.Sub")
    sub.methods["forward"] = Function(
        "__torch__.Sub.forward", Graph(), [Param("x", TENSOR)], TENSOR
    )
    b = Builder(Graph())
    s = b.add_input(sub, "s")
    b.call_method(s, "forward", ["oops"], [TENSOR])
    b.return_()
    with pytest.raises(VerifyError, match="argument 0 of __torch__.Sub.forward has type str"):
        verify(b.graph)
    b2 = Builder(Graph())
    s2 = b2.add_input(sub, "s")
    x = b2.add_input(TENSOR, "x")
    b2.call_method(s2, "forward", [x], [INT])
    b2.return_()
    with pytest.raises(VerifyError, match="__torch__.Sub.forward returns Tensor, not int"):
        verify(b2.graph)
