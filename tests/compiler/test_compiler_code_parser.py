"""Archive code files are read by Python's parser (`parse_code`) and by ember's grammar
(`parse_file`) into the same syntax trees, positions included: the code files of ember's and
torch's archives of the corpora, and constructs outside the grammar are refused."""

import dataclasses
import io
import zipfile

import pytest
from tests.archives.twins import saved, twin
from tests.corpus import CASES, constructs, control, gaps, layers, models, modules

import ember
from ember.compiler.parsing import syntax as S
from ember.compiler.parsing.code_parser import parse_code
from ember.compiler.parsing.parser import parse_file
from tracer import test_tracer_corpus as tracer_corpus


def _same_tree(a, b, where="file"):
    assert type(a) is type(b), (where, a, b)
    if isinstance(a, list):
        assert len(a) == len(b), (where, a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            _same_tree(x, y, f"{where}[{i}]")
    elif isinstance(a, tuple):
        for x, y in zip(a, b, strict=True):
            _same_tree(x, y, where)
    elif isinstance(a, S.Node):
        assert (a.line, a.col) == (b.line, b.col), (where, type(a).__name__, a, b)
        for f in dataclasses.fields(a):
            if f.name not in ("line", "col", "source"):
                _same_tree(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    else:
        assert a == b and type(a) is type(b), (where, a, b)


def _code_files(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode() for n in z.namelist() if n.endswith(".py")}


def _check(files: dict) -> None:
    for name, text in files.items():
        _same_tree(parse_code(text, name), parse_file(text, name), name)


def test_ember_archives_of_the_corpora_parse_alike():
    for _, make, _ in CASES:
        _check(_code_files(saved(ember, ember.jit.script(make()))))
    for make, inputs in tracer_corpus.CORPUS.values():
        traced = ember.jit.trace(make(), inputs(2), check_trace=False, strict=False)
        _check(_code_files(saved(ember, traced)))


@pytest.mark.filterwarnings("ignore")
def test_torch_archives_of_the_corpora_parse_alike(torch):
    checked = 0
    for corpus in (control, modules, layers, models, gaps, constructs):
        for _, make, _ in twin(corpus).CASES:
            try:
                scripted = torch.jit.script(make())
            except Exception:  # noqa: BLE001, S112 - torch's front end refuses some cases
                continue
            _check(_code_files(saved(torch, scripted)))
            checked += 1
    assert checked >= 60


@pytest.mark.parametrize(
    "text, message",
    [
        ("def f(x):\n  return lambda: x\n", "Lambda is not supported"),
        ("def f(*xs):\n  pass\n", r"\*args is not supported"),
        ("def f(x):\n  with x:\n    pass\n", "With is not supported"),
        ("def f(x:\n", "invalid syntax"),
        ("@dec\ndef f(x):\n  pass\n", "a decorator is not supported"),
    ],
)
def test_outside_the_grammar_is_a_located_error(text, message):
    with pytest.raises(ember.CompileError, match=message) as e:
        parse_code(text, "__torch__/m.py")
    assert str(e.value).startswith("__torch__/m.py:")
