"""The two ops added by docs/architecture.md's recipe, each in one kernel file: aten::erfc
(ember.erfc, Tensor.erfc, Tensor.erfc_) and aten::hardtanh (F.hardtanh with PyTorch's
inplace=, F.hardtanh_), against torch 2.13 in eager, scripted and traced code."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import ops
from ops_helpers import DTYPES, both, sample


def test_one_entry_each_with_its_faces():
    assert ops.get("aten::erfc").faces == ("ember.erfc", "Tensor.erfc")
    assert ops.get("aten::erfc_").faces == ("Tensor.erfc_",)
    assert ops.get("aten::hardtanh").faces == ("F.hardtanh",)
    assert ops.get("aten::hardtanh_").faces == ("F.hardtanh_",)


@pytest.mark.parametrize("d", DTYPES)
def test_hardtanh_matches_torch(torch, d):
    a = sample(d, (3, 4))
    both(torch, lambda m, x: m.nn.functional.hardtanh(x), a)
    both(torch, lambda m, x: m.nn.functional.hardtanh(x, -2.5, 2.5), a)
    both(torch, lambda m, x: m.nn.functional.hardtanh(x.clone(), -2, 3, inplace=True), a)
    both(torch, lambda m, x: m.nn.functional.hardtanh_(x.clone(), 0, 1), a)


def test_hardtanh_refuses_min_above_max_everywhere(torch):
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        torch.nn.functional.hardtanh(torch.ones(2), 2.0, 1.0)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(ember.ones(2), 2.0, 1.0)

    def clip(x, lo: float, hi: float):
        return F.hardtanh(x, lo, hi)

    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        ember.jit.script(clip)(ember.ones(2), 2.0, 1.0)


def _model(x):
    y = x.erfc() + ember.erfc(x * 2)
    x.clone().erfc_()
    return F.hardtanh(y, 0.2, 1.5) + F.hardtanh(y.clone(), inplace=True)


def test_erfc_and_hardtanh_script_and_trace_like_torch(torch):
    x = np.linspace(-3, 3, 13, dtype=np.float32)
    tx = torch.tensor(x)
    want = (
        torch.nn.functional.hardtanh(tx.erfc() + torch.erfc(tx * 2), 0.2, 1.5)
        + torch.nn.functional.hardtanh(tx.erfc() + torch.erfc(tx * 2))
    ).numpy()
    eager = _model(ember.tensor(x))
    scripted = ember.jit.script(_model)(ember.tensor(x))
    traced = ember.jit.trace(_model, ember.tensor(x))(ember.tensor(x))
    for got in (eager, scripted, traced):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-6, atol=1e-7)
    graph = str(ember.jit.script(_model).graph)
    assert "aten::erfc(" in graph and "aten::erfc_(" in graph and "aten::hardtanh_(" in graph
