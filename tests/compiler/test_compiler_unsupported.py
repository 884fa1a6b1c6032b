"""Python outside the scripting subset fails with an ember.CompileError that names the
construct, at `file:line:col`, with the source line and a caret under the construct
(`tests/jit_errors/unsupported.py`)."""

import os
from pathlib import Path

import pytest
from tests.jit_errors import unsupported

import ember

FILE = os.path.abspath(unsupported.__file__)
LINES = Path(FILE).read_text().splitlines()
NOT = " is not supported in scripted code"

# function -> (message, the text the caret points at)
EXPECTED = {
    "uses_try": ("try statement" + NOT, "try:"),
    "uses_global": ("global statement" + NOT, "global COUNTER"),
    "uses_nested_def_and_nonlocal": ("nested function definition" + NOT, "def inner"),
    "uses_yield": ("yield" + NOT, "yield x"),
    "uses_class": ("class definition" + NOT, "class Local"),
    "uses_star_args": ("*args" + NOT, "*args"),
    "uses_star_kwargs": ("**kwargs" + NOT, "**kwargs"),
    "uses_star_call": ("star argument" + NOT, "*xs"),
    "uses_set": ("set literal" + NOT, "{1, 2}"),
    "uses_set_comp": ("set comprehension" + NOT, "{i for"),
    "uses_dict_comp": ("dict comprehension" + NOT, "{i: i for"),
    "uses_generator": ("generator expression" + NOT, "(i for"),
    "uses_del": ("del statement" + NOT, "del x"),
    "uses_import": ("import statement" + NOT, "import os"),
    "uses_walrus": ("assignment expression (:=)" + NOT, "n := 3"),
    "uses_for_else": ("else on a loop" + NOT, "for i in range(3):\n        x = x + i\n    else"),
    "uses_match": ("match statement" + NOT, "match x"),
    "uses_async": ("async def" + NOT, "async def uses_async"),
    "uses_bytes": ("bytes literal" + NOT, 'b"raw"'),
    "uses_dict_unpack": ("** unpacking in a dict literal" + NOT, "{**d}"),
    "uses_raise_from": ("raise ... from" + NOT, "raise ValueError"),
    "uses_nested_comprehension": ("a comprehension with several 'for' clauses" + NOT,
                                  "[a * b for a in xs for b"),
    "uses_starred_target": ("starred assignment target" + NOT, "*rest"),
    "uses_int_invert": ("'~' on int" + NOT + " (TorchScript has it for tensors only)", "~n"),
    "uses_unknown_math": ("math.hypot" + NOT, "math.hypot(x, x)"),
    "uses_print_keywords": ("print() takes no keyword arguments in scripted code",
                            'print(x, end="")'),
    "assigns_tensor_attribute": ("only module attributes can be assigned in scripted code",
                                 "x.scale += 1"),
    "iterates_a_number": ("cannot iterate over a value of type int", "n:\n        pass"),
    "calls_a_method_of_int": ("'int' has no method 'bit_length' in scripted code",
                              "n.bit_length()"),
    "wrong_return_type": ("expected int, found Tensor for the return value", "x\n\n\ndef loop"),
    "loop_changes_type": ("variable 'y' has type int before the loop but Tensor at the end of "
                          "its body", "for _ in range(3):\n        y = x"),
    "unpacks_wrong_count": ("cannot unpack 2 values into 3", "x, x"),
    "range_of_float": ("expected int, found float in argument of range", "2.5"),
    "reassigns_declared": ("expected Optional[int], found str for 'y'", '"text"'),
    "quoted_unknown_annotation": ("unknown type annotation 'NotAType'", '"NotAType"'),
    "list_keyed_dict": ("dict keys must be str, int, float, bool or Tensor, not List[int]",
                        "dict[list[int], int]"),
    "mixed_dict_keys": ("a dict key has type str on one path and int on another", '{"a": 1, 2'),
}  # fmt: skip


def _position(name, marker):
    """(line, col), 1-based, of `marker` inside the source of function `name`."""
    start = next(i for i, ln in enumerate(LINES) if f"def {name}(" in ln)
    text = "\n".join(LINES[start:])
    offset = text.index(marker)
    line = start + text[:offset].count("\n")
    return line + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def test_every_case_is_listed():
    names = {n for n in dir(unsupported) if callable(getattr(unsupported, n))}
    assert names - {"math", "Optional"} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_unsupported_construct_message_and_location(name):
    message, marker = EXPECTED[name]
    with pytest.raises(ember.CompileError) as info:
        ember.jit.script(getattr(unsupported, name))
    line, col = _position(name, marker)
    first, source, caret = str(info.value).split("\n")
    assert first == f"{FILE}:{line}:{col}: {message}"
    assert source == LINES[line - 1]
    assert caret == " " * (col - 1) + "^"
    assert (info.value.line, info.value.col, info.value.msg) == (line, col, message)
