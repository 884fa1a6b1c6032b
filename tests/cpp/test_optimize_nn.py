"""The load-time optimiser (batch norms folded into convolutions, relu / relu6 fused into
the op before them, constant branches removed) leaves results as they were: each model runs
in `ember.cpp` with and without `optimize` and in ember's Python runtime."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.cpp
import ember.nn as nn


class ConvBn(nn.Module):
    def __init__(self, groups=1, act="relu", bias=True):
        super().__init__()
        self.conv = nn.Conv2d(4, 8, 3, padding=1, groups=groups, bias=bias)
        self.bn = nn.BatchNorm2d(8)
        self.act = nn.ReLU() if act == "relu" else nn.ReLU6()
        self.conv2 = nn.Conv1d(8, 6, 3)
        self.bn2 = nn.BatchNorm1d(6)
        self.fc = nn.Linear(6, 5)

    def forward(self, x):
        y = self.act(self.bn(self.conv(x)))
        y = self.bn2(self.conv2(y.mean(3)))
        return ember.relu(self.fc(y.transpose(1, 2)))


def _randomised(model):
    """Batch norms with non-trivial statistics and affine terms, in eval mode."""
    rng = np.random.default_rng(3)
    for module in model.modules():
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = module.num_features
            module.running_mean.copy_(ember.tensor(rng.standard_normal(c).astype(np.float32)))
            module.running_var.copy_(ember.tensor(rng.uniform(0.5, 2, c).astype(np.float32)))
            module.weight.data.copy_(ember.tensor(rng.standard_normal(c).astype(np.float32)))
            module.bias.data.copy_(ember.tensor(rng.standard_normal(c).astype(np.float32)))
    return model.eval()


def _outputs(result):
    return [np.asarray(result.numpy())]


@pytest.mark.parametrize(
    ("groups", "act", "bias", "trace"),
    [(1, "relu", True, False), (4, "relu6", False, False), (1, "relu", True, True)],
)
def test_folding_keeps_results(tmp_path, groups, act, bias, trace):
    model = _randomised(ConvBn(groups, act, bias))
    x = ember.tensor(np.random.default_rng(4).standard_normal((2, 4, 7, 9)).astype(np.float32))
    saved = ember.jit.trace(model, (x,)) if trace else ember.jit.script(model)
    path = tmp_path / "model.pt"
    ember.jit.save(saved, path)
    expected = _outputs(ember.jit.load(path)(x))
    for optimize in (False, True):
        got = _outputs(ember.cpp.load(path, optimize=optimize).forward(x))
        assert got[1:] == expected[1:]
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-5, atol=1e-5)


def test_training_mode_is_not_folded(tmp_path):
    model = ConvBn()
    model.train()
    x = ember.tensor(np.random.default_rng(5).standard_normal((2, 4, 6, 6)).astype(np.float32))
    path = tmp_path / "train.pt"
    ember.jit.save(ember.jit.script(model), path)
    expected = _outputs(ember.jit.load(path)(x))
    got = _outputs(ember.cpp.load(path, optimize=True).forward(x))
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-5, atol=1e-5)
