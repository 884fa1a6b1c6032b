"""Scripted modules against torch 2.13's: results, attribute and submodule access, state
dicts, train/eval, constants, exported methods with `.graph`/`.code`/`.schema`, and the
RecursiveScriptModule repr (`tests/corpus/dual_modules.py`)."""

import numpy as np
import pytest
from tests.corpus import dual_modules
from tests.corpus.bind import bound

import ember

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def pair(torch):
    ours = bound(dual_modules, ember, "dual_modules")
    theirs = bound(dual_modules, torch, "dual_modules")
    em, tm = ours.Child(), theirs.Child()
    tm.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in em.state_dict().items()})
    return em, ember.jit.script(em), tm, torch.jit.script(tm)


def test_results_match_torch_and_eager(pair, torch):
    em, es, tm, ts = pair
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    got = es(ember.from_numpy(x.copy()), 2).numpy()
    np.testing.assert_allclose(got, ts(torch.from_numpy(x.copy()), 2).detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(got, em(ember.from_numpy(x.copy()), 2).numpy(), atol=1e-6)
    assert es.count == ts.count


def test_repr_state_and_submodules_match_torch(pair):
    _, es, _, ts = pair
    assert repr(es) == repr(ts)
    assert list(es.state_dict()) == list(ts.state_dict())
    assert [n for n, _ in es.named_modules()] == [n for n, _ in ts.named_modules()]
    assert [n for n, _ in es.named_buffers()] == [n for n, _ in ts.named_buffers()]
    assert es.ml[0].original_name == "Linear" and es.ml[-1].original_name == "Tanh"
    assert len(es.ml) == len(ts.ml) and [m.original_name for m in es.seq] == ["Linear", "ReLU"]
    assert list(es.md) == list(ts.md) and "a" in es.md and es.md["b"].original_name == "ReLU"
    assert bool(es) and bool(es.fc)
    assert tuple(es.md.a.weight.shape) == tuple(ts.md.a.weight.shape)


def test_attributes_and_constants_match_torch(pair):
    _, es, _, ts = pair
    for name in ("mode", "depth", "dims", "table", "scale", "opt"):
        assert getattr(es, name) == getattr(ts, name), name
    assert type(es.dims) is type(ts.dims) is tuple


def test_train_eval_propagate(pair):
    _, es, _, ts = pair
    es.eval()
    ts.eval()
    assert [m.training for m in es.modules()] == [m.training for m in ts.modules()]
    es.train()
    assert all(m.training for m in es.modules())


def test_exported_methods_match_torch(pair):
    _, es, _, ts = pair
    assert es.other(4) == ts.other(4) == 14
    assert isinstance(es.other, ember.jit.ScriptMethod)
    assert es.other.code == ts.other.code
    assert es.other.name == "other" and es.forward.name == "forward"
    tail = lambda s: str(s).split(" self")[1]  # noqa: E731 - the class names differ
    assert tail(es.other.schema) == tail(ts.other.schema)
    assert tail(es.forward.schema) == tail(ts.forward.schema)
    assert es.other.graph is es._compiled("other").graph
    assert es.python_only(5) == 5


def test_module_dict_views_unroll():
    class Heads(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = ember.nn.ModuleDict({"x": ember.nn.Identity(), "y": ember.nn.ReLU()})

        def forward(self, t):
            out = []
            for key, head in self.heads.items():
                out.append(head(t) + len(key))
            return out, len(self.heads)

    s = ember.jit.script(Heads())
    assert "prim::Loop" not in str(s.graph)
    out, n = s(ember.tensor([-1.0, 2.0]))
    assert n == 2 and [o.tolist() for o in out] == [[0.0, 3.0], [1.0, 3.0]]
