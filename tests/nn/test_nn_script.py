"""Every layer's forward is written in the scripting subset: ember.jit.script compiles it and
the scripted module computes what the eager one does (training-mode state updates included)."""

import pytest
from test_nn_layers import LAYERS

import ember
from ember import nn


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_scripts_and_matches_eager(name):
    factory, shape = LAYERS[name]
    eager = factory(nn).eval()
    scripted = ember.jit.script(eager)
    x = ember.randn(*shape)
    assert (scripted(x) - eager(x)).abs().max().item() < 1e-6


def test_scripted_batchnorm_updates_the_shared_running_stats():
    bn = nn.BatchNorm1d(3, momentum=None)
    scripted = ember.jit.script(bn)
    x = ember.randn(5, 3)
    scripted(x)
    assert bn.num_batches_tracked.item() == 1
    assert (bn.running_mean - x.mean(0)).abs().max().item() < 1e-6


def test_embedding_scripts():
    emb = nn.Embedding(10, 3, padding_idx=0, max_norm=1.0)
    idx = ember.tensor([[1, 2], [0, 9]])
    # max_norm renormalises in place, and again within float32 rounding: compare closely.
    assert (ember.jit.script(emb)(idx) - emb(idx)).abs().max().item() < 1e-6
