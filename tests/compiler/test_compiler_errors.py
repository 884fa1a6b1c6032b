"""Exact wording and location of compile errors (file:line:col, source line, caret)."""

import os

import pytest
from tests.jit_errors import cases

import ember
from ember.compiler import driver

FILE = os.path.abspath(cases.__file__)

EXPECTED = {
    "uses_lambda": ("7:9: lambda is not supported in scripted code", "    f = lambda y: y"),
    "wrong_arg_type": ("16:22: expected int, found Tensor in argument 2 of helper",
                       "    return helper(x, x)"),
    "undefined_name": ("20:16: undefined value 'y'", "    return x + y"),
    "optional_arith": ("24:12: expected int, found Optional[int] in argument 1 of '+' "
                       "(check it with 'is not None' first)", "    return x + 1"),
    "branch_types": ("28:5: variable 'y' has type int on one path and Tensor on another",
                     "    if c:"),
    "tuple_index": ("37:9: tuple index 5 out of range", "    k = t[5]"),
    "bad_op_arg": ("42:12: no overload of ember.relu accepts arguments (Tensor, str)",
                   '    return ember.relu(x, "fast")'),
    "missing_return": (
        "59:1: function 'missing_return' is annotated to return int but does not return on "
        "every path",
        "def missing_return(n: int) -> int:",
    ),
    "defined_on_one_path": (
        "67:12: 'y' is not defined on every path that reaches this use",
        "    return y",
    ),
    "uses_with": ("46:5: with statement is not supported in scripted code", "    with x:"),
    "bad_annotation": ("55:23: unknown type annotation 'NoTuple'",
                       "def bad_annotation(x: NoTuple):"),
    # these three escaped as raw exceptions or VerifyErrors, or as "cannot compile this
    # statement" from a catch-all that also hid the compiler's own bugs
    "tuple_slice_by_variable": ("72:16: tuple slice bounds must be integer constants",
                                "    return t[0:n]"),
    "enumerate_nothing": ("76:14: enumerate() takes 1 to 2 arguments in scripted code "
                          "(0 given)", "    for i in enumerate():"),
    "list_string_index": ("82:15: expected int, found str as a list index",
                          '    return xs["a"]'),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_error_wording(name):
    head, line = EXPECTED[name]
    with pytest.raises(ember.CompileError) as info:
        ember.jit.script(getattr(cases, name))
    first, source, caret = str(info.value).split("\n")
    assert first == f"{FILE}:{head}"
    assert source.split("  #")[0] == line
    col = int(head.split(":")[1])
    assert caret == " " * (col - 1) + "^"


def test_error_attributes():
    with pytest.raises(ember.CompileError) as info:
        ember.jit.script(cases.undefined_name)
    e = info.value
    assert (e.filename, e.line, e.col, e.msg) == (FILE, 20, 16, "undefined value 'y'")


def test_errors_in_module_methods_point_into_the_method():
    class Bad(ember.nn.Module):
        def forward(self, x):
            return x.no_such_method()

    with pytest.raises(ember.CompileError) as info:
        ember.jit.script(Bad())
    assert "Tensor method 'no_such_method' is not supported in scripted code" in str(info.value)
    assert "return x.no_such_method()" in str(info.value)


def test_a_bug_in_the_compiler_is_an_internal_error_naming_the_statement(monkeypatch):
    from ember.compiler.lowering.operators import OperatorLowering

    def broken(self, node):
        raise KeyError("lost")

    monkeypatch.setattr(OperatorLowering, "e_BinOp", broken)
    monkeypatch.setattr(driver, "_DEFAULT", driver.Compiler())  # nothing compiled yet
    with pytest.raises(ember.InternalError) as info:
        ember.jit.script(cases.helper)
    e = info.value
    assert not isinstance(e, ember.CompileError)
    assert isinstance(e.__cause__, KeyError)
    first, source, caret = str(e).split("\n")
    assert first.startswith(f"{FILE}:12:5: internal error in ember's compiler ")
    assert "(KeyError: 'lost')" in first and "bug in ember" in first
    assert source == "    return x * k"
    assert caret == "    ^"
    assert (e.filename, e.line, e.col) == (FILE, 12, 5)


def test_internal_errors_name_the_innermost_statement(monkeypatch):
    from ember.compiler.lowering.function import FunctionLowering

    def broken(self, st):
        raise IndexError("oops")

    monkeypatch.setattr(FunctionLowering, "stmt_Assign", broken)
    monkeypatch.setattr(driver, "_DEFAULT", driver.Compiler())
    with pytest.raises(ember.InternalError, match=r"cases.py:29:9: internal error") as info:
        ember.jit.script(cases.branch_types)  # `y = 1` inside `if c:`
    assert "        y = 1" in str(info.value)
