"""The scripting grammar: what parses, what the AST looks like, and exact parse-error wording."""

import pytest

import ember
from ember.compiler.parsing import syntax as S
from ember.compiler.parsing.parser import parse_file, parse_function


def body(src):
    return parse_function(src).body


def test_statements_and_expressions_parse():
    stmts = body(
        "def f(self, x, *, k: int = 3) -> Tensor:\n"
        '    """doc"""\n'
        "    if a < b <= c and not x is None:\n"
        "        return x\n"
        "    elif y:\n"
        "        a, b = b, a\n"
        "    x += 1\n"
        "    for i, v in enumerate(zip(a, b)):\n"
        "        y = [i * 2 for i in range(3) if i > 0]\n"
        "    w = x[1:, ::2, 0]\n"
        "    q: List[int] = annotate(List[int], [])\n"
        "    while i < 3:\n"
        "        break\n"
        "    return -x ** 2 @ y // 3\n"
    )
    kinds = [type(s).__name__ for s in stmts]
    assert kinds == ["ExprStmt", "If", "AugAssign", "For", "Assign", "AnnAssign", "While", "Return"]
    cmp = stmts[1].test.values[0]
    assert cmp.ops == ["<", "<="] and len(cmp.comparators) == 2
    assert isinstance(stmts[1].orelse[0], S.If)
    w = stmts[4].value
    assert [type(i).__name__ for i in w.index] == ["Slice", "Slice", "Const"]
    ret = stmts[-1].value
    assert ret.op == "//" and ret.left.op == "@" and ret.left.left.op == "-"


def test_keyword_only_and_defaults():
    fn = parse_function("def f(a, b: float = 1.5, *, c=None):\n    pass\n")
    assert [(p.name, p.kwonly) for p in fn.params] == [("a", False), ("b", False), ("c", True)]
    assert fn.params[1].default == S.Const(value=1.5)


def test_positions_are_one_based_and_shifted_by_dedent():
    fn = parse_function("    def f(x):\n        return x\n", filename="m.py", first_line=20)
    ret = fn.body[0]
    assert (ret.line, ret.col) == (2, 5)
    assert fn.source.location(ret.line, ret.col) == (21, 9)


def test_code_file_with_classes_parses():
    nodes = parse_file(
        "class MyModule(Module):\n"
        "  __parameters__ = []\n"
        "  __buffers__ = []\n"
        "  training : bool\n"
        "  l0 : __torch__.torch.nn.modules.linear.Linear\n"
        "  def forward(self: __torch__.MyModule,\n"
        "    input: Tensor) -> Tensor:\n"
        "    _0 = (self.l0).forward(input, )\n"
        "    return ops.prim.NumToTensor(CONSTANTS.c0)\n"
    )
    cls = nodes[0]
    assert cls.name == "MyModule" and cls.base == "Module"
    assert isinstance(cls.body[-1], S.FunctionDef)


@pytest.mark.parametrize(
    "src, message",
    [
        (
            "def f(x):\n    g = lambda: x\n",
            "<string>:2:9: lambda is not supported in scripted code\n    g = lambda: x\n        ^",
        ),
        (
            "def f(x):\n    with x:\n        pass\n",
            "<string>:2:5: with statement is not supported in scripted code\n    with x:\n    ^",
        ),
        (
            "def f(*a):\n    pass\n",
            "<string>:1:7: *args is not supported in scripted code\ndef f(*a):\n      ^",
        ),
        (
            "def f(x):\n    print(*x)\n",
            "<string>:2:11: star argument is not supported in scripted code\n"
            "    print(*x)\n          ^",
        ),
        (
            "def f(x):\n    yield x\n",
            "<string>:2:5: yield is not supported in scripted code\n    yield x\n    ^",
        ),
        (
            "def f(x):\n    return x $ 1\n",
            "<string>:2:14: invalid syntax: unexpected character '$'\n"
            "    return x $ 1\n             ^",
        ),
    ],
)
def test_parse_error_wording(src, message):
    with pytest.raises(ember.CompileError) as info:
        parse_function(src)
    assert str(info.value) == message


def test_error_location_maps_to_file():
    with pytest.raises(ember.CompileError) as info:
        parse_function("    def f(x):\n        try:\n            pass\n", "mod.py", 40)
    assert (
        str(info.value).splitlines()[0]
        == "mod.py:41:9: try statement is not supported in scripted code"
    )
    assert (info.value.line, info.value.col) == (41, 9)


TORCH_MODULE_SOURCE = """
from typing import List, Optional, Tuple

import torch


class Sub(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.seq = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())

    def forward(self, x):
        return self.seq(x)


class M(torch.nn.Module):
    k: torch.jit.Final[int] = 3

    def __init__(self):
        super().__init__()
        self.s = Sub()
        self.ml = torch.nn.ModuleList([torch.nn.Linear(2, 2)])

    def forward(self, x, y: Optional[int] = None) -> Tuple[torch.Tensor, List[int]]:
        out: List[int] = []
        for m in self.ml:
            x = m(x)
        for i in range(self.k):
            if y is not None and i > y:
                break
            out.append(i)
        assert x.dim() > 0, "bad"
        if x.sum() > 100:
            raise ValueError("big")
        x = x / 2 + x // 3 - x.view(-1, 2)[0:1, ::2].mean()
        return self.s(x) if len(out) > 1 else -x, [v * 2 for v in out]
"""


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_code_files_of_torch_archives_parse(torch, tmp_path):
    import importlib.util
    import zipfile

    path = tmp_path / "torch_model_src.py"
    path.write_text(TORCH_MODULE_SOURCE)
    spec = importlib.util.spec_from_file_location("torch_model_src", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    torch.jit.save(torch.jit.script(mod.M()), str(tmp_path / "m.pt"))
    with zipfile.ZipFile(tmp_path / "m.pt") as z:
        names = [n for n in z.namelist() if n.endswith(".py")]
        assert len(names) >= 3
        for name in names:
            nodes = parse_file(z.read(name).decode(), name)
            assert all(isinstance(n, S.ClassDef | S.FunctionDef | S.Import) for n in nodes)
