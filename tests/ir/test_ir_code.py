"""The `.code` printer against torch 2.13's own `.code` for the same programs."""
# ruff: noqa: UP006, UP035, UP045  (TorchScript reads typing annotations)

from typing import Optional

from ember.ir.code_printer import code_text
from ir_graphs import early_return, loops_and_containers, module_forward, raising


def _torch_sources(torch):
    from typing import List, Tuple

    nn = torch.nn

    def f(x: torch.Tensor, n: int, y: Optional[int] = None) -> Tuple[torch.Tensor, List[int]]:
        acc = x
        l: List[int] = []
        for i in range(n):
            acc = acc + i
            l.append(i)
        while n > 0:
            n -= 1
            if n == 3:
                break
        if y is not None:
            acc = acc * y
        d = {"a": acc}
        return d["a"] + acc * 2.5, l

    def k(x: torch.Tensor, flag: bool, o: Optional[torch.Tensor]) -> torch.Tensor:
        if flag:
            if o is None:
                return x
            w = o
        else:
            w = x.neg()
        return w + 1

    def g(n: int) -> int:
        assert n > 0, "neg"
        if n > 5:
            raise ValueError("big")
        return n * 10

    class MyModule(nn.Module):
        def __init__(self):
            super().__init__()
            self.l0 = nn.Linear(4, 2)
            self.l1 = nn.Linear(2, 1)

        def forward(self, input):
            if input.dim() > 1:
                return torch.zeros([1])
            out0 = self.l0(input)
            out0_relu = torch.nn.functional.relu(out0)
            return self.l1(out0_relu)

    return f, k, g, MyModule


def test_code_matches_torch(torch):
    f, k, g, MyModule = _torch_sources(torch)
    assert code_text(loops_and_containers()) == torch.jit.script(f).code.lstrip("\n")
    assert code_text(early_return()) == torch.jit.script(k).code.lstrip("\n")
    assert code_text(raising()) == torch.jit.script(g).code.lstrip("\n")
    assert code_text(module_forward()) == torch.jit.script(MyModule()).code.lstrip("\n")


def test_code_inside_a_class_as_archives_print_it():
    text = code_text(module_forward(), is_method=False, level=1)
    assert text.startswith(
        "  def forward(self: __torch__.MyModule,\n    input: Tensor) -> Tensor:\n"
    )
    assert "\n    if torch.gt(torch.dim(input), 1):\n      _0 = torch.zeros([1])\n" in text


def test_tensor_constants_go_to_the_constants_table():
    import ember
    from ember.ir import Builder, Graph
    from ember.ir import types as T

    b = Builder(Graph("c"))
    x = b.add_input(T.TensorType.get(), "x")
    w = b.constant(ember.ones(2))
    b.return_(b.emit("aten::mul.Tensor", x, w))
    table = []
    assert "torch.mul(x, CONSTANTS.c0)" in code_text(b.graph, constants=table)
    assert len(table) == 1 and table[0].shape == (2,)


def test_bounded_loop_and_unpacking_forms():
    from ir_graphs import bounded_with_break, tuples_and_strings

    assert code_text(bounded_with_break()) == (
        "def h(n: int,\n"
        "    stop: int) -> int:\n"
        "  total = 0\n"
        "  _0 = n\n"
        "  _1 = torch.gt(n, 0)\n"
        "  i = 0\n"
        "  while torch.__and__(torch.lt(i, _0), _1):\n"
        "    if torch.eq(i, stop):\n"
        "      _2, _3 = False, total\n"
        "    else:\n"
        "      _2, _3 = True, torch.add(total, i)\n"
        "    _4 = torch.__and__(torch.lt(torch.add(i, 1), n), _2)\n"
        "    _1, total = _4, _3\n"
        "    i = torch.add(i, 1)\n"
        "  return total\n"
    )
    text = code_text(tuples_and_strings())
    assert "  k, s, = pair\n" in text
    assert "  a, c, = [k, (pair)[0]]\n" in text
    assert '  _1 = torch.format("{} and {}", s, _0)\n  print(_1, c)\n' in text


def test_class_text_matches_torch_archive(torch, tmp_path):
    import zipfile

    from ember.ir import Builder, Function, Graph
    from ember.ir import types as T
    from ember.ir.class_printer import class_text

    path = tmp_path / "lin.pt"
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 3)), str(path))
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if "nn/modules/linear" in n and n.endswith(".py"))
        want = z.read(name).decode()
    qualified = want.split("self: ", 1)[1].split(",", 1)[0]  # torch may mangle the name

    tensor = T.TensorType.get()
    attrs = {"weight": tensor, "bias": tensor, "training": T.BoolType.get()}
    attrs["_is_full_backward_hook"] = T.NoneType.get()
    lin = T.ClassType(qualified, attrs)
    lin.parameters, lin.constants = ["weight", "bias"], {"in_features": 2, "out_features": 3}
    b = Builder(Graph("forward"))
    me = b.add_input(lin, "self")
    x = b.add_input(tensor, "input")
    w, bias = b.get_attr(me, "weight", tensor), b.get_attr(me, "bias", tensor)
    b.return_(b.emit("aten::linear", x, w, bias))
    lin.methods["forward"] = Function(f"{qualified}.forward", b.graph, [], tensor)
    got = class_text(lin)

    def split(text):  # torch orders Final constants arbitrarily between runs
        lines = text.splitlines()
        return [ln for ln in lines if "Final[" not in ln], {ln for ln in lines if "Final[" in ln}

    assert split(got) == split(want)


def test_float_literals_match_torch(torch):
    from ember.ir import Builder, Graph
    from ember.ir import types as T

    values = [1e-5, 2.5, 1.0, 1e10, 3.14159, 1e-300, 123456789.123, 0.3, 1e16, 1e15]

    def f(x: torch.Tensor) -> torch.Tensor:
        y = x * 0.1 + 1e-5 + 2.5 + 1.0 + 1e10 + 3.14159 + 1e-300
        return y + 123456789.123 + 0.3 + 1e16 + 1e15

    b = Builder(Graph("f"))
    x = b.add_input(T.TensorType.get(), "x")
    acc = b.emit("aten::mul.Scalar", x, 0.1)
    for v in values:
        acc = b.emit("aten::add.Scalar", acc, v, name="y" if v == 1e-300 else None)
    b.return_(acc)
    assert code_text(b.graph) == torch.jit.script(f).code.lstrip("\n")


def test_printed_corpus_is_in_the_compilers_language():
    from ember.compiler.parsing import syntax as S
    from ember.compiler.parsing.parser import parse_file
    from ir_graphs import CORPUS

    for make in CORPUS.values():
        nodes = parse_file(code_text(make()))
        assert len(nodes) == 1 and isinstance(nodes[0], S.FunctionDef)


def test_printed_functions_compile_back_and_agree(capsys):
    from tests.loading import load_function

    import ember
    from ember.compiler.modules.archive import CodeUnit
    from ember.runtime import compile_graph
    from ir_graphs import CORPUS

    x, z = ember.tensor([1.0, -2.0]), ember.tensor([5.0, 5.0])
    cases = {
        "loops_and_containers": [(x, 4, None), (x, 3, 2), (x, 0, None)],
        "early_return": [(x, True, None), (x, True, z), (x, False, None)],
        "raising": [(3,), (10,)],
        "bounded_with_break": [(10, 4), (10, 100), (0, 1)],
        "tuples_and_strings": [(ember.ones(3), (5, "hi"))],
    }
    graphs = {name: CORPUS[name]() for name in cases}
    unit = CodeUnit({"__torch__": "\n".join(code_text(g) for g in graphs.values())}.get)

    def outcome(fn, args):
        try:
            out = fn(*args)
        except Exception as e:  # noqa: BLE001 - the exception is the outcome
            return type(e).__name__, str(e)
        return out.tolist() if isinstance(out, ember.Tensor) else _plain(out)

    for name, inputs in cases.items():
        g = graphs[name]
        loaded = load_function(unit, f"__torch__.{g.name}")
        direct = compile_graph(g)
        for args in inputs:
            assert outcome(loaded, args) == outcome(direct, args), (name, args)


def _plain(value):
    import ember

    if isinstance(value, ember.Tensor):
        return value.tolist()
    if isinstance(value, tuple | list):
        return type(value)(_plain(v) for v in value)
    return value
