"""Archive code round trip: scripted modules printed as class files (as archives hold them),
compiled back with `CodeUnit` and run, give the scripted results."""

import numpy as np
import pytest
from tests.corpus import CASES
from tests.loading import class_files, load_function, load_module

import ember
from ember.compiler.modules.archive import CodeUnit
from ember.ir.class_printer import function_files
from ember.jit import RecursiveScriptModule


def _copy(args):
    return [a.clone() if isinstance(a, ember.Tensor) else a for a in args]


def _same(a, b):
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a._np, b._np, rtol=1e-6, atol=1e-6)
    elif isinstance(a, tuple | list):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert type(a) is type(b) and a == b


def _function_files(scripted):
    """The code files of a scripted function and the functions it calls."""
    from ember.compiler.driver import default_compiler

    return function_files(default_compiler().unit, scripted._compiled)


@pytest.mark.parametrize("make, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_printed_code_compiles_back(make, inputs):
    """print -> re-parse -> compile -> run gives the same results and prints the same code."""
    obj = make()
    scripted = ember.jit.script(obj)
    if isinstance(scripted, RecursiveScriptModule):
        unit = CodeUnit(class_files(scripted).get)
        loaded = load_module(scripted, unit)
        code, loaded_code = scripted.code, loaded.code
    else:
        unit = CodeUnit(_function_files(scripted).get)
        loaded = load_function(unit, scripted.qualified_name)
        code, loaded_code = scripted.code, loaded.code
    args = inputs()
    _same(scripted(*_copy(args)), loaded(*_copy(args)))
    assert loaded_code == code


def _swap_and_dead_branch(a: int, b: int):
    a, b = b, a + b
    if False:
        a = 0
    flag = a < 100
    while flag:
        a = a * 2
        flag = a < 100
    return a, b, flag


def test_swap_literal_if_and_while_flag_round_trip():
    s = ember.jit.script(_swap_and_dead_branch)
    assert s(3, 4) == _swap_and_dead_branch(3, 4) == (128, 7, False)
    assert "prim::TupleConstruct" not in str(s.graph).split("return")[0].split("prim::Loop")[0]
    assert "if False:" in s.code
    unit = CodeUnit(_function_files(s).get)
    loaded = load_function(unit, s.qualified_name)
    assert loaded.code == s.code
    assert loaded(3, 4) == (128, 7, False)
