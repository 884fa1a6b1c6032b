"""Every layer against torch 2.13: weights copied across, same forward in train and eval mode,
same reprs, defaults and initialisation ranges; BatchNorm's running statistics; dropout."""

import math

import numpy as np
import pytest

import ember
from compare import assert_same, from_torch, to_torch
from ember import nn

RNG = np.random.default_rng(7)


def rand(*shape):
    return ember.from_numpy(RNG.standard_normal(shape).astype(np.float32))


def pair(ours, theirs):
    """Copy torch module `theirs`'s state into `ours` (through load_state_dict)."""
    state = {k: from_torch(v) for k, v in theirs.state_dict().items()}
    assert list(state) == list(ours.state_dict())
    assert repr(ours.load_state_dict(state)) == "<All keys matched successfully>"
    return ours, theirs


# (ember factory, torch factory, input shape or an input maker)
LAYERS = {
    "linear": (lambda n: n.Linear(5, 3), (4, 5)),
    "linear_nobias_3d": (lambda n: n.Linear(5, 3, bias=False), (2, 4, 5)),
    "conv1d": (lambda n: n.Conv1d(4, 6, 3, stride=2, padding=1), (2, 4, 11)),
    "conv1d_same_groups": (lambda n: n.Conv1d(4, 6, 4, padding="same", groups=2), (2, 4, 9)),
    "conv2d": (lambda n: n.Conv2d(3, 5, 3), (2, 3, 8, 8)),
    "conv2d_args": (
        lambda n: n.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=2, groups=2),
        (2, 4, 9, 7),
    ),
    "conv2d_unbatched": (lambda n: n.Conv2d(3, 2, 3, padding="valid", bias=False), (3, 6, 6)),
    "batchnorm1d": (lambda n: n.BatchNorm1d(4), (6, 4)),
    "batchnorm1d_3d": (lambda n: n.BatchNorm1d(4, momentum=0.3), (6, 4, 5)),
    "batchnorm1d_no_affine": (lambda n: n.BatchNorm1d(4, affine=False), (6, 4)),
    "batchnorm2d": (lambda n: n.BatchNorm2d(3), (4, 3, 5, 5)),
    "batchnorm2d_untracked": (lambda n: n.BatchNorm2d(3, track_running_stats=False), (4, 3, 2, 2)),
    "batchnorm3d": (lambda n: n.BatchNorm3d(3, momentum=0.2), (2, 3, 4, 3, 2)),
    "groupnorm": (lambda n: n.GroupNorm(3, 6), (2, 6, 5, 4)),
    "groupnorm_3d_no_affine": (lambda n: n.GroupNorm(2, 4, eps=1e-3, affine=False), (3, 4, 7)),
    "groupnorm_nobias": (lambda n: n.GroupNorm(1, 4, bias=False), (2, 4)),
    "layernorm": (lambda n: n.LayerNorm(6), (3, 6)),
    "layernorm_2d_nobias": (lambda n: n.LayerNorm([4, 6], eps=1e-3, bias=False), (2, 4, 6)),
    "relu": (lambda n: n.ReLU(), (3, 4)),
    "relu6": (lambda n: n.ReLU6(), (3, 4)),
    "hardtanh": (lambda n: n.Hardtanh(-2.0, 0.5), (3, 4)),
    "hardswish": (lambda n: n.Hardswish(), (3, 4)),
    "hardsigmoid": (lambda n: n.Hardsigmoid(), (3, 4)),
    "gelu": (lambda n: n.GELU(), (3, 4)),
    "gelu_tanh": (lambda n: n.GELU("tanh"), (3, 4)),
    "silu": (lambda n: n.SiLU(), (3, 4)),
    "tanh": (lambda n: n.Tanh(), (3, 4)),
    "sigmoid": (lambda n: n.Sigmoid(), (3, 4)),
    "softmax": (lambda n: n.Softmax(dim=1), (3, 4)),
    "log_softmax": (lambda n: n.LogSoftmax(dim=-1), (3, 4)),
    "softmax_implicit_dim": (lambda n: n.Softmax(), (2, 3, 4)),
    "log_softmax_implicit_dim": (lambda n: n.LogSoftmax(), (3, 4)),
    "maxpool2d": (lambda n: n.MaxPool2d(2), (2, 3, 8, 8)),
    "maxpool2d_args": (lambda n: n.MaxPool2d(3, 2, 1, dilation=1, ceil_mode=True), (2, 3, 9, 8)),
    "avgpool2d": (lambda n: n.AvgPool2d(2), (2, 3, 8, 8)),
    "avgpool2d_args": (
        lambda n: n.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
        (2, 3, 9, 8),
    ),
    "adaptiveavgpool2d": (lambda n: n.AdaptiveAvgPool2d((2, 3)), (2, 3, 7, 8)),
    "adaptiveavgpool2d_1": (lambda n: n.AdaptiveAvgPool2d(1), (2, 3, 5, 5)),
    "flatten": (lambda n: n.Flatten(), (2, 3, 4)),
    "flatten_args": (lambda n: n.Flatten(0, 1), (2, 3, 4)),
    "identity": (lambda n: n.Identity(3, unused=True), (2, 3)),
    "dropout": (lambda n: n.Dropout(0.0), (5, 6)),
    "sequential": (
        lambda n: n.Sequential(
            n.Conv2d(2, 4, 3, padding=1),
            n.BatchNorm2d(4),
            n.ReLU(),
            n.MaxPool2d(2),
            n.Flatten(),
            n.Linear(16, 3),
            n.LogSoftmax(1),
        ),
        (3, 2, 4, 4),
    ),  # fmt: skip
}


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.filterwarnings("ignore:Implicit dimension choice")
@pytest.mark.parametrize("name", list(LAYERS))
@pytest.mark.parametrize("training", [True, False])
def test_layer_forward_matches_torch(torch, name, training):
    factory, shape = LAYERS[name]
    ours, theirs = pair(factory(nn), factory(torch.nn))
    ours.train(training)
    theirs.train(training)
    for _ in range(2):
        x = rand(*shape)
        assert_same(ours(x), theirs(to_torch(x)), atol=1e-5, rtol=1e-5)
    for key, value in theirs.state_dict().items():
        assert_same(ours.state_dict()[key], value, atol=1e-6, rtol=1e-6)
    assert repr(ours) == repr(theirs)


def test_embedding_matches_torch(torch):
    for kwargs in ({}, {"padding_idx": 0}, {"padding_idx": -2}):
        ours, theirs = pair(nn.Embedding(10, 4, **kwargs), torch.nn.Embedding(10, 4, **kwargs))
        idx = np.array([[1, 2, 0], [9, 8, 8]])
        assert_same(ours(ember.from_numpy(idx)), theirs(torch.from_numpy(idx)))
        assert repr(ours) == repr(theirs)
        assert ours.padding_idx == theirs.padding_idx
    fresh = nn.Embedding(10, 4, padding_idx=3)
    assert not fresh.weight.detach().numpy()[3].any()
    weights = rand(3, 2)
    pretrained = nn.Embedding.from_pretrained(weights)
    assert pretrained.weight.untyped_storage() is weights.untyped_storage()
    assert not pretrained.weight.requires_grad


@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_running_stats_follow_torch_over_steps(torch, momentum):
    ours, theirs = pair(
        nn.BatchNorm2d(3, momentum=momentum), torch.nn.BatchNorm2d(3, momentum=momentum)
    )
    for step in range(4):
        x = rand(5, 3, 4, 4) * (step + 1) + step
        assert_same(ours(x), theirs(to_torch(x)), atol=1e-5, rtol=1e-5)
    for key in ("running_mean", "running_var", "num_batches_tracked"):
        assert_same(getattr(ours, key), getattr(theirs, key), atol=1e-5, rtol=1e-5)
    assert ours.num_batches_tracked.item() == 4
    ours.eval()
    theirs.eval()
    x = rand(2, 3, 4, 4)
    assert_same(ours(x), theirs(to_torch(x)), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="expected 4D input"):
        ours(rand(2, 3))


def test_dropout_train_statistics_and_eval_identity():
    drop = nn.Dropout(0.25)
    x = ember.ones(400, 500)
    out = drop(x).numpy()
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)
    assert (drop(x).numpy() != out).any()
    drop.eval()
    np.testing.assert_array_equal(drop(x).numpy(), x.numpy())
    assert nn.functional.dropout(x, 0.5, training=False).tolist() == x.tolist()
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_inplace_activations_write_through():
    x = ember.from_numpy(np.array([-1.0, 2.0], np.float32))
    assert nn.ReLU(inplace=True)(x) is x
    assert x.tolist() == [0.0, 2.0]
    y = ember.from_numpy(np.array([-1.0, 2.0], np.float32))
    nn.SiLU(inplace=True)(y)
    np.testing.assert_allclose(y.numpy(), [-1 / (1 + math.e), 2 / (1 + math.exp(-2))], 1e-6)


def test_functional_matches_torch(torch):
    F, tF = nn.functional, torch.nn.functional
    x = rand(2, 3, 6, 6)
    tx = to_torch(x)
    assert_same(F.softmax(x[0, 0]), tF.softmax(tx[0, 0], dim=1), atol=1e-6, rtol=1e-6)
    assert_same(F.log_softmax(x, 1), tF.log_softmax(tx, 1), atol=1e-6, rtol=1e-6)
    values, indices = F.max_pool2d(x, 2, return_indices=True)
    ref_values, ref_indices = tF.max_pool2d(tx, 2, return_indices=True)
    assert_same(values, ref_values)
    assert_same(indices, ref_indices)
    assert_same(F.adaptive_avg_pool2d(x, (None, 2)), tF.adaptive_avg_pool2d(tx, (None, 2)))
    assert_same(F.flatten(x, 1), torch.flatten(tx, 1))


def test_functional_ops_are_marked_for_the_compiler():
    F = nn.functional
    marked = {
        F.relu: "aten::relu", F.linear: "aten::linear", F.conv2d: "aten::conv2d",
        F.conv1d: "aten::conv1d", F.max_pool2d: "aten::max_pool2d",
        F.avg_pool2d: "aten::avg_pool2d", F.layer_norm: "aten::layer_norm",
        F.dropout: "aten::dropout", F.gelu: "aten::gelu", F.softmax: "aten::softmax",
    }  # fmt: skip
    for fn, name in marked.items():
        assert fn.__ember_op__ == name
    # Parameters in another order than the op's: compiled from source instead.
    assert not hasattr(F.batch_norm, "__ember_op__")
    assert not hasattr(F.embedding, "__ember_op__")


def test_default_initialisation_ranges(torch):
    lin = nn.Linear(100, 50)
    bound = 1 / math.sqrt(100)
    weights, biases = np.abs(lin.weight.detach().numpy()), np.abs(lin.bias.detach().numpy())
    assert weights.max() <= bound and weights.max() > 0.99 * bound and biases.max() <= bound
    conv = nn.Conv2d(8, 4, 3)
    assert np.abs(conv.weight.detach().numpy()).max() <= 1 / math.sqrt(72)
    emb = nn.Embedding(200, 50).weight.detach().numpy()
    assert abs(emb.mean()) < 0.05 and abs(emb.std() - 1) < 0.05
    w = ember.empty(30, 40)
    nn.init.xavier_uniform_(w)
    assert np.abs(w.numpy()).max() <= math.sqrt(6 / 70)
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(w.numpy().std() - math.sqrt(2 / 30)) < 0.03
    for name in ("linear", "tanh", "relu", "selu"):
        assert nn.init.calculate_gain(name) == torch.nn.init.calculate_gain(name)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain(
        "leaky_relu", 0.2
    )


def test_layer_constants_for_the_compiler():
    assert "stride" in nn.Conv2d.__constants__ and "eps" in nn.BatchNorm1d.__constants__
    conv = nn.Conv2d(2, 2, 3, stride=2)
    assert conv.stride == (2, 2) and conv.padding == (0, 0) and conv.groups == 1
    assert nn.MaxPool2d(3).stride == 3


def test_manual_seed_makes_init_and_dropout_repeatable():
    ember.manual_seed(3)
    first = (nn.Linear(4, 3).weight.tolist(), nn.functional.dropout(ember.ones(20), 0.5).tolist())
    ember.manual_seed(3)
    again = (nn.Linear(4, 3).weight.tolist(), nn.functional.dropout(ember.ones(20), 0.5).tolist())
    assert first == again


LOW_PRECISION = [
    lambda n: n.Conv2d(3, 4, 3, padding=1),
    lambda n: n.Conv2d(3, 3, 3, groups=3),
    lambda n: n.BatchNorm2d(3),
    lambda n: n.LayerNorm(6),
    lambda n: n.MaxPool2d(2),
    lambda n: n.AvgPool2d(2),
    lambda n: n.AdaptiveAvgPool2d(4),
]


@pytest.mark.parametrize(
    "dtype, tol", [("float16", 2e-3), ("bfloat16", 1.6e-2), ("float64", 1e-12)]
)
@pytest.mark.parametrize("index", range(len(LOW_PRECISION)))
def test_layers_in_other_float_dtypes_match_torch(torch, dtype, tol, index):
    factory = LOW_PRECISION[index]
    theirs = factory(torch.nn).to(getattr(torch, dtype))
    ours = factory(nn)
    ours.load_state_dict({k: from_torch(v) for k, v in theirs.state_dict().items()}, assign=True)
    x = torch.randn(2, 3, 6, 6).to(getattr(torch, dtype))
    assert_same(ours(from_torch(x)), theirs(x), atol=tol, rtol=tol)


@pytest.mark.parametrize("norm_type", [2.0, 1.0])
def test_embedding_max_norm_renormalises_rows_like_torch(torch, norm_type):
    kwargs = {"max_norm": 1.5, "norm_type": norm_type}
    ours, theirs = pair(nn.Embedding(6, 4, **kwargs), torch.nn.Embedding(6, 4, **kwargs))
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    assert_same(ours(ember.from_numpy(idx)), theirs(torch.from_numpy(idx)), atol=1e-6, rtol=1e-6)
    assert_same(ours.weight.detach(), theirs.weight, atol=1e-6, rtol=1e-6)
    assert repr(ours) == repr(theirs)


def test_dropout_inplace_writes_into_its_input():
    x = ember.ones(100, 100)
    out = nn.Dropout(0.5, inplace=True)(x)
    assert out is x
    assert set(np.unique(x.numpy()).tolist()) == {0.0, 2.0}
