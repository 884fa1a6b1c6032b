"""Golden `.graph` / `.code` text, the seed's modules, and RecursiveScriptModule behaviour."""

import os

import numpy as np
import pytest
from tests.corpus import CASES, control
from tests.corpus.modules import Child, ControlFlowModule, MyModule

import ember
from ember.compiler.parsing import syntax as S
from ember.compiler.parsing.parser import parse_file

LOOP_GRAPH = """\
graph(%x : Tensor,
      %n : int):
  %total : int = prim::Constant[value=0]() # control.py:12:12
  %0 : bool = prim::Constant[value=1]() # control.py:13:4
  %acc : Tensor, %total.1 : int = prim::Loop(%n, %0, %x, %total) # control.py:13:4
    block0(%i : int, %acc.1 : Tensor, %total.2 : int):
      %1 : int = prim::Constant[value=2]() # control.py:14:20
      %2 : Tensor = aten::mul(%acc.1, %1) # control.py:14:14
      %3 : int = prim::Constant[value=1]() # control.py:14:14
      %acc.2 : Tensor = aten::add(%2, %i, %3) # control.py:14:14
      %total.3 : int = aten::add(%total.2, %i) # control.py:15:8
      %4 : bool = prim::Constant[value=1]() # control.py:13:4
      -> (%4, %acc.2, %total.3)
  %5 : (Tensor, int) = prim::TupleConstruct(%acc, %total.1) # control.py:16:11
  return (%5)
"""

OPTIONAL_GRAPH = """\
graph(%x : Tensor,
      %bias : Tensor?):
  %0 : NoneType = prim::Constant() # control.py:59:7
  %1 : bool = aten::__is__(%bias, %0) # control.py:59:7
  %2 : Tensor = prim::If(%1) # control.py:59:4
    block0():
      -> (%x)
    block1():
      %bias.1 : Tensor = prim::unchecked_cast(%bias) # control.py:59:4
      %3 : int = prim::Constant[value=1]() # control.py:61:11
      %4 : Tensor = aten::add(%x, %bias.1, %3) # control.py:61:11
      -> (%4)
  return (%2)
"""

MYMODULE_CODE = """\
def forward(self,
    input: Tensor) -> Tensor:
  l0 = self.l0
  out0 = (l0).forward(input, )
  out0_relu = torch.relu(out0)
  l1 = self.l1
  return (l1).forward(out0_relu, )
"""

CHILD_CODE = """\
def forward(self,
    x: Tensor,
    *,
    extra: Optional[Tensor]=None) -> Tensor:
  y = (self).helper(x, 2, )
  y0 = torch.mul(y, 2)
  if torch.__isnot__(extra, None):
    extra0 = unchecked_cast(Tensor, extra)
    y1 = torch.add(y0, extra0)
  else:
    y1 = y0
  offsets = self.offsets
  return torch.add(y1, offsets[1])
"""


def _graph_text(fn) -> str:
    """`.graph` of scripted `fn`, its locations shown relative to the corpus folder."""
    text = str(ember.jit.script(fn).graph)
    return text.replace(os.path.abspath(control.__file__), "control.py")


def test_graph_golden():
    assert _graph_text(control.loop_carried) == LOOP_GRAPH
    assert _graph_text(control.optional_early) == OPTIONAL_GRAPH


def test_code_golden():
    assert ember.jit.script(MyModule()).code == MYMODULE_CODE
    assert ember.jit.script(Child()).code == CHILD_CODE


def test_seed_modules_script_and_run():
    m = ember.jit.script(MyModule())
    assert repr(m) == (
        "RecursiveScriptModule(\n  original_name=MyModule\n"
        "  (l0): RecursiveScriptModule(original_name=Linear)\n"
        "  (l1): RecursiveScriptModule(original_name=Linear)\n)"
    )
    c = ember.jit.script(ControlFlowModule(), ember.randn(4))
    out = c(ember.randn(2, 4))
    assert repr(out) == "tensor(0)"
    assert tuple(c(ember.randn(4)).shape) == (1,)


def test_printed_code_reparses():
    for _, make, _ in CASES:
        scripted = ember.jit.script(make())
        nodes = parse_file(scripted.code)
        assert len(nodes) == 1 and isinstance(nodes[0], S.FunctionDef)


def test_script_module_state_and_modes():
    eager = MyModule()
    m = ember.jit.script(eager)
    assert m.original_name == "MyModule" and m.l0.original_name == "Linear"
    assert list(m.state_dict()) == ["l0.weight", "l0.bias", "l1.weight", "l1.bias"]
    assert m.l0.weight is eager.l0.weight
    flag = ember.jit.script(ember.nn.Dropout(0.5))
    x = ember.ones(1000)
    assert flag.training and not np.array_equal(flag(x)._np, x._np)
    flag.eval()
    assert not flag.training and np.array_equal(flag(x)._np, x._np)


def test_exported_and_ignored_methods():
    m = ember.jit.script(Child())
    assert m.describe(3) == 5
    assert m.python_only(4) == 4
    assert m.depth == 2 and m.mode == "double"


@ember.jit.ignore
def _python_twice(x: ember.Tensor) -> ember.Tensor:
    return ember.from_numpy(x.numpy() * 2)  # numpy: nothing scripted could run this


class _CallsIgnoredFunction(ember.nn.Module):
    def forward(self, x):
        return _python_twice(x) + 1


def test_ignored_free_functions_run_in_python_from_scripted_code():
    """torch.jit.ignore on a free function: scripted code calls the Python function."""
    m = ember.jit.script(_CallsIgnoredFunction())
    assert m(ember.tensor([1.0, 2.0])).tolist() == [3.0, 5.0]


def test_second_instance_reuses_compiled_graphs():
    a, b = ember.jit.script(MyModule()), ember.jit.script(MyModule())
    assert a.graph is b.graph


def test_parameters_replaced_after_scripting_are_seen():
    m = ember.jit.script(MyModule())
    x = ember.randn(4)
    m.double()
    assert m(x.double()).dtype == ember.float64
    state = {k: v * 0 for k, v in m.state_dict().items()}
    m.load_state_dict(state, assign=True)
    assert float(m(x.double()).abs().sum()) == 0.0


class _WithUnused(ember.nn.Module):
    def forward(self, x, flag: bool):
        if flag:
            return self.debug(x)
        return x + 1

    @ember.jit.unused
    def debug(self, x):
        import pdb  # noqa: F401 - not scriptable, never compiled

        return x


def test_unused_methods_raise_when_reached():
    m = ember.jit.script(_WithUnused())
    assert float(m(ember.zeros(1), False)) == 1.0
    with pytest.raises(Exception, match="marked @ember.jit.unused"):
        m(ember.zeros(1), True)


def test_deepcopy_keeps_code_and_copies_tensors():
    import copy

    m = ember.jit.script(MyModule())
    c = copy.deepcopy(m)
    x = ember.randn(4)
    assert c.graph is m.graph
    assert c.l0.weight is not m.l0.weight
    np.testing.assert_allclose(c(x)._np, m(x)._np)
    c.l1.bias.add_(1.0)
    assert not np.allclose(c(x)._np, m(x)._np)


def test_raise_with_a_runtime_message():
    s = ember.jit.script(control.runtime_message)
    with pytest.raises(ValueError, match="bad zz"):
        s(200, "zz")


def test_dead_attribute_reads_are_removed():
    class Opt(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.bias = None

        def forward(self, x):
            if self.bias is not None:
                x = x + self.bias
            unused = x * 2  # noqa: F841
            return x

    expected = "def forward(self,\n    x: Tensor) -> Tensor:\n  return x\n"
    assert ember.jit.script(Opt()).code == expected
