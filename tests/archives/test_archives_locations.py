"""Source ranges (``*.debug_pkl``): a run-time error in a loaded archive names the original
``file:line`` of the code it came from: ember's archives in ember and in torch, torch's
archives in ember."""

import inspect
import io
import os

import pytest
from tests.archives.twins import saved, to_torch_values

import ember

FILE = os.path.abspath(__file__)


def _line_of(fn, snippet: str) -> int:
    lines, first = inspect.getsourcelines(fn)
    return first + next(i for i, text in enumerate(lines) if snippet in text)


def _notes(exc) -> str:
    return "\n".join(getattr(exc, "__notes__", []))


class Mat(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = ember.nn.Linear(3, 3)

    def forward(self, x, y):
        z = self.fc(x).relu() * 2
        return z @ y


def test_loaded_graph_keeps_the_original_locations():
    loaded = ember.jit.load(io.BytesIO(saved(ember, ember.jit.script(Mat()))))
    matmul = next(op for op in loaded.graph.walk() if op.kind == "aten::matmul")
    assert str(matmul.loc) == f"{FILE}:{_line_of(Mat.forward, 'z @ y')}:15"
    assert matmul.loc.text.strip() == "return z @ y"


@pytest.mark.parametrize("how", ["scripted", "traced"])
def test_ember_archive_error_names_the_original_line(how):
    x, y = ember.ones(2, 3), ember.ones(2, 3)
    m = ember.jit.script(Mat()) if how == "scripted" else ember.jit.trace(Mat(), (x, x.t()))
    loaded = ember.jit.load(io.BytesIO(saved(ember, m)))
    with pytest.raises(RuntimeError, match="cannot be multiplied") as e:
        loaded(x, y)
    notes = _notes(e.value)
    assert f"at {FILE}:{_line_of(Mat.forward, 'z @ y')}:" in notes, notes
    assert "return z @ y" in notes


def test_torch_names_the_original_line_of_an_ember_archive(torch):
    theirs = torch.jit.load(io.BytesIO(saved(ember, ember.jit.script(Mat()))))
    x = to_torch_values(ember.ones(2, 3))
    with pytest.raises(RuntimeError) as e:
        theirs(x, x)
    text = str(e.value)
    original = text.split("original code", 1)[1]
    assert f'File "{FILE}", line {_line_of(Mat.forward, "z @ y")}' in original, text
    assert "return z @ y" in original


def test_ember_names_the_original_line_of_a_torch_archive(torch):
    def mat(x, y):
        z = x.relu() * 2
        return z @ y

    loaded = ember.jit.load(io.BytesIO(saved(torch, torch.jit.script(mat))))
    with pytest.raises(RuntimeError, match="cannot be multiplied") as e:
        loaded(ember.ones(2, 3), ember.ones(2, 3))
    assert f"at {FILE}:{_line_of(mat, 'z @ y')}:" in _notes(e.value)
    relu = next(op for op in loaded.graph.walk() if op.kind == "aten::relu")
    assert str(relu.loc) == f"{FILE}:{_line_of(mat, 'x.relu()')}:12"


def test_a_long_function_is_joined_once_when_its_ranges_load(monkeypatch):
    """Every range of one function shares its line list: reading the table checks and joins
    it once, and finding a line is a search, so loading grows linearly with the function."""
    from ember.serializer import debug_info

    lines = [f"    x = x + {i}\n" for i in range(3000)]
    text = "".join(lines)
    locations = [
        (len(line) * i + 4, ember.ir.SourceLocation("long.py", 10 + i, 4, line.rstrip()))
        for i, line in enumerate(lines)
    ]
    made = []
    monkeypatch.setattr(debug_info._Source, "__init__", _counting(made, debug_info._Source))
    ranges = debug_info.SourceRanges(debug_info.pack_ranges(text, locations, {}), "test")
    found = [ranges.location(offset) for offset, _ in locations]
    assert [(loc.line, loc.text) for loc in found] == [(loc.line, loc.text) for _, loc in locations]
    assert len(made) == 1


def _counting(made: list, cls):
    init = cls.__init__

    def counted(self, *args):
        made.append(self)
        init(self, *args)

    return counted
