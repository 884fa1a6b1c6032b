"""Issue 13, findings 7 and 9: deep and long functions compile, run, print and round-trip
through archives; nesting past the documented limit and lambdas give located CompileErrors;
naming values grows linearly with their number."""

import io

import pytest

import ember
from ember.compiler.parsing.parser import parse_function
from ember.ir import Builder, Graph
from ember.ir import types as T  # noqa: N812
from ember.ir.printer import Namer
from ember.runtime import python_source


def _define(tmp_path, name: str, source: str):
    """A Python function defined in a real file (scripting reads its source)."""
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    namespace: dict = {}
    exec(compile(source, str(path), "exec"), namespace)
    return namespace[name]


def _sum_source(terms: int) -> str:
    return "def total(x: int) -> int:\n    return " + " + ".join(["x"] * terms) + "\n"


def _elif_source(branches: int) -> str:
    lines = ["def chain(x: int) -> int:", "    y = -1", "    if x == 0:", "        y = 0"]
    for i in range(1, branches):
        lines += [f"    elif x == {i}:", f"        y = {i * 10}"]
    return "\n".join([*lines, "    return y"]) + "\n"


def test_900_term_sum_compiles_runs_and_prints(tmp_path):
    total = ember.jit.script(_define(tmp_path, "total", _sum_source(900)))
    assert total(3) == 2700
    assert total.code.count("torch.add") == 899
    assert str(total.graph).count("aten::add") == 899


def test_900_branch_elif_runs_every_branch(tmp_path):
    chain = ember.jit.script(_define(tmp_path, "chain", _elif_source(900)))
    assert [chain(x) for x in (0, 1, 57, 450, 899, 900, -3)] == [0, 10, 570, 4500, 8990, -1, -1]
    assert str(chain.graph).count("prim::If") == 900


def test_110_branch_elif_runs_from_generated_code_within_pythons_indentation_limit(tmp_path):
    # Python refuses more than 100 indentation levels: deep ifs move into functions of their own
    chain = ember.jit.script(_define(tmp_path, "chain", _elif_source(110)))
    assert [chain(x) for x in (0, 109, 110)] == [0, 1090, -1]  # raised IndentationError
    source = python_source(chain.graph)
    deepest = max(len(line) - len(line.lstrip(" ")) for line in source.splitlines()) // 4
    assert deepest < 100
    assert "def _o" in source


def test_errors_inside_outlined_code_name_the_op(tmp_path):
    lines = [
        "def pick(x: int, xs: list[int]) -> int:",
        "    y = 0",
        "    if x == 0:",
        "        y = 1",
    ]
    for i in range(1, 100):
        lines += [f"    elif x == {i}:", f"        y = xs[{i}]"]
    pick = ember.jit.script(_define(tmp_path, "pick", "\n".join([*lines, "    return y"]) + "\n"))
    assert pick(99, list(range(100))) == 99
    with pytest.raises(IndexError) as info:
        pick(99, [1, 2])
    assert "xs[99]" in "\n".join(info.value.__notes__)


def test_deep_elif_round_trips_through_an_archive(tmp_path):
    # printed as TorchScript prints it (one level deeper per elif: past Python's 100 levels)
    chain = ember.jit.script(_define(tmp_path, "chain", _elif_source(120)))
    buf = io.BytesIO()
    ember.jit.save(chain, buf)
    buf.seek(0)
    loaded = ember.jit.load(buf)
    assert [loaded(x) for x in (0, 77, 119, 120)] == [0, 770, 1190, -1]


def test_long_function_round_trips_through_an_archive(tmp_path):
    body = "".join(f"    x = x + {i % 7}\n" for i in range(400))
    fn = _define(tmp_path, "long_fn", f"def long_fn(x: int) -> int:\n{body}    return x\n")
    buf = io.BytesIO()
    ember.jit.save(ember.jit.script(fn), buf)
    buf.seek(0)
    assert ember.jit.load(buf)(1) == fn(1)


def test_nesting_past_the_limit_is_a_located_compile_error(tmp_path):
    from ember.ir.depth import MAX_NESTING

    fn = _define(tmp_path, "total", _sum_source(MAX_NESTING + 5))
    with pytest.raises(ember.CompileError, match="nests too deeply") as info:
        ember.jit.script(fn)
    assert info.value.filename.endswith("total.py") and info.value.line == 2


def test_nesting_counts_what_the_lowering_nests():
    from ember.compiler.parsing.nesting import nesting

    chain = parse_function(_elif_source(50))
    assert 50 <= nesting(chain) <= 55
    returns = "def f(x: int) -> int:\n" + "".join(
        f"    if x == {i}:\n        return {i}\n" for i in range(40)
    )
    # each `if` that returns takes the statements after it into its branches
    assert nesting(parse_function(returns + "    return -1\n")) >= 40


def test_early_returns_in_sequence_compile(tmp_path):
    body = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(200))
    fn = _define(tmp_path, "first", f"def first(x: int) -> int:\n{body}    return -1\n")
    first = ember.jit.script(fn)
    assert [first(0), first(199), first(200)] == [0, 199, -1]


def _straight_graph(n: int) -> Graph:
    b = Builder(Graph("f"))
    x = b.add_input(T.IntType.get(), "x")
    for _ in range(n):
        x = b.emit("aten::add.int", x, 1, name="x")
    b.return_(x)
    return b.graph


def test_naming_values_is_linear():
    # `%x`, `%x.1`, `%x.2`, ...: each name is found without retrying the ones before it
    probes = {n: Namer().name_graph(_straight_graph(n)).probes for n in (1000, 8000)}
    assert probes[8000] <= 8 * probes[1000] * 1.1
    assert probes[8000] < 4 * 8000


def test_scripting_a_lambda_names_lambdas(tmp_path):
    fn = _define(tmp_path, "holder", "holder = [1, lambda x: x + 1]\n")[1]
    with pytest.raises(ember.CompileError) as info:
        ember.jit.script(fn)
    message = str(info.value)
    assert "lambdas cannot be scripted; define the function with def" in message
    assert (info.value.line, info.value.col) == (1, 14)
    assert message.splitlines()[-1] == " " * 13 + "^"
