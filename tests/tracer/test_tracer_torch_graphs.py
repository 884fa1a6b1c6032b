"""Traced graphs and code beside torch.jit.trace's, method by method, on modules written once
for both libraries: the same operators in the same order, the same attribute reads at the top
of each method (``l1 = self.l1`` before ``l0 = self.l0``, as PyTorch's tracer places them),
and the same results on a batch of another size with the same weights.

Where the two legitimately differ: PyTorch lowers convolutions to ``aten::_convolution``
while tracing, ember records ``aten::conv2d``; constants and constant lists are not compared
(PyTorch writes ``[1, 1]`` as a ListConstruct of constants, ember as one constant).
"""

import re
import warnings

import numpy as np
import pytest

import ember
import ember.jit
from compare import to_torch


def modules(lib):
    nn = lib.nn

    class Attributes(nn.Module):
        def __init__(self):
            super().__init__()
            self.seq = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Tanh())
            self.register_buffer("b", lib.ones(3))
            self.w = nn.Parameter(lib.ones(3))
            self.l = nn.Linear(3, 3)

        def forward(self, x):
            y = self.seq(x) * self.w + self.b
            return y @ self.l.weight.t() + self.l.bias + self.w

    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.l = nn.Linear(3, 3)

        def forward(self, x):
            return self.l(self.l(x))

    class Norms(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln, self.sm, self.lsm = nn.LayerNorm(3), nn.Softmax(dim=1), nn.LogSoftmax(dim=1)
            self.act, self.silu, self.sig = nn.GELU(), nn.SiLU(), nn.Sigmoid()

        def forward(self, x):
            y = self.act(self.ln(x))
            return self.sm(y), self.lsm(self.silu(self.sig(y)))

    class Conv(nn.Module):
        def __init__(self):
            super().__init__()
            self.c, self.bn, self.p = nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.MaxPool2d(2)
            self.a, self.f = nn.AdaptiveAvgPool2d(1), nn.Flatten()

        def forward(self, x):
            return self.f(self.a(self.p(self.bn(self.c(x)))))

    class Embed(nn.Module):
        def __init__(self):
            super().__init__()
            self.e, self.d = nn.Embedding(5, 3), nn.Dropout(0.1)

        def forward(self, i):
            return self.d(self.e(i))

    rng = np.random.default_rng(0)
    floats = [rng.standard_normal(s).astype(np.float32) for s in ((2, 3), (2, 3, 8, 8))]
    ints = np.array([[0, 4, 2], [1, 3, 3]])
    return {
        "attributes": (Attributes(), floats[0]),
        "twice": (Twice(), floats[0]),
        "norms": (Norms(), floats[0]),
        "conv": (Conv().eval(), floats[1]),
        "embed": (Embed().eval(), ints),
    }


NAMES = sorted(modules(ember))
_SKIP = {"prim::Constant", "prim::ListConstruct", "prim::Return"}
_SAME_OP = {"aten::_convolution": "aten::conv2d"}


def _ours(graph):
    return [(op.kind, op.attrs.get("name")) for op in graph.block.ops if op.kind not in _SKIP]


def _theirs(graph):
    found = []
    for node in graph.nodes():
        if node.kind() not in _SKIP:
            name = node.s("name") if node.hasAttribute("name") else None
            found.append((_SAME_OP.get(node.kind(), node.kind()), name))
    return found


_ATTR_READ = re.compile(r"^  (\w+) = (?:self|\w+)\.(\w+)$|^  (\w+) = getattr\(self, \"(\w+)\"\)$")


def _attribute_reads(code: str) -> list[str]:
    return [line for line in code.splitlines() if _ATTR_READ.match(line)]


def _methods(ours, theirs, path=""):
    """(path, our method owner, torch's) for the root and every submodule torch traced."""
    yield path or "self", ours, theirs
    for name, child in theirs.named_children():
        if child._c._has_method("forward"):
            yield from _methods(getattr(ours, name), child, f"{path}.{name}".lstrip("."))


def _trace_both(name, torch):
    module, example = modules(ember)[name]
    reference, _ = modules(torch)[name]
    state = {k: to_torch(v.detach()) for k, v in module.state_dict().items()}
    reference.load_state_dict(state)
    e_in = ember.from_numpy(example)
    ours = ember.jit.trace(module, e_in)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's deprecation notice
        theirs = torch.jit.trace(reference, to_torch(e_in))
    return ours, theirs


@pytest.mark.parametrize("name", NAMES)
def test_graphs_hold_torchs_ops_in_torchs_order(name, torch):
    ours, theirs = _trace_both(name, torch)
    for path, mine, ref in _methods(ours, theirs):
        assert _ours(mine.graph) == _theirs(ref.graph), path


@pytest.mark.parametrize("name", NAMES)
def test_code_reads_attributes_as_torch_does(name, torch):
    ours, theirs = _trace_both(name, torch)
    reads = 0
    for path, mine, ref in _methods(ours, theirs):
        assert _attribute_reads(mine.code) == _attribute_reads(ref.code), path
        reads += len(_attribute_reads(mine.code))
    assert reads >= 2


@pytest.mark.parametrize("name", NAMES)
def test_results_equal_torchs_trace_on_another_batch(name, torch):
    ours, theirs = _trace_both(name, torch)
    _, example = modules(ember)[name]
    batch = np.concatenate([example, example[:1], example], 0)  # 5 rows where 2 were traced
    got, want = ours(ember.from_numpy(batch)), theirs(torch.from_numpy(batch))
    got, want = (got, want) if isinstance(got, tuple) else ((got,), (want,))
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g.numpy(), w.detach().numpy(), rtol=1e-5, atol=1e-6)


def control_flow_module(lib):
    class ControlFlowModule(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.l0 = lib.nn.Linear(4, 2)
            self.l1 = lib.nn.Linear(2, 1)

        def forward(self, input):
            if input.dim() > 1:
                return lib.tensor(0)
            out0 = self.l0(input)
            out0_relu = lib.nn.functional.relu(out0)
            return self.l1(out0_relu)

    return ControlFlowModule()


def test_seed_module_code_is_torchs_but_for_one_temporary(torch):
    """The seed's ControlFlowModule, .code of the module and of its Linear layers.

    PyTorch names the relu result `input0` (after the argument of torch.nn.functional.relu)
    and so keeps it on a line of its own; ember's values carry no Python names, so the printer
    inlines it."""
    ours = ember.jit.trace(control_flow_module(ember), ember.randn(4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.jit.trace(control_flow_module(torch), torch.randn(4))
    named = "  input0 = torch.relu((l0).forward(input, ))\n  return (l1).forward(input0, )\n"
    inlined = "  _0 = (l1).forward(torch.relu((l0).forward(input, )), )\n  return _0\n"
    assert named in theirs.code
    assert ours.code == theirs.code.replace(named, inlined)
    assert ours.l0.code == theirs.l0.code and ours.l1.code == theirs.l1.code
