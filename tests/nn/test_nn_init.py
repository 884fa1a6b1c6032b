"""Default initialisation of every parameterised layer: ember's values follow the same
distribution as torch 2.13's (two-sample Kolmogorov-Smirnov on tens of thousands of draws),
and deterministic parameters/buffers equal torch's exactly."""

import numpy as np
import pytest

import ember

LAYERS = {
    "linear": lambda n: n.Linear(300, 200),
    "linear_small_fan_in": lambda n: n.Linear(3, 20000),
    "conv1d": lambda n: n.Conv1d(16, 64, 5),
    "conv2d": lambda n: n.Conv2d(8, 64, 3),
    "conv2d_groups": lambda n: n.Conv2d(16, 64, (3, 2), groups=4),
    "embedding": lambda n: n.Embedding(1000, 64),
    "embedding_padding": lambda n: n.Embedding(1000, 64, padding_idx=3),
}


def _ks(a: np.ndarray, b: np.ndarray) -> float:
    """The two-sample Kolmogorov-Smirnov statistic sup |F_a - F_b|."""
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    return float(np.max(np.abs(np.searchsorted(a, grid, "right") / a.size
                                - np.searchsorted(b, grid, "right") / b.size)))  # fmt: skip


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_random_init_follows_torch_distribution(torch, name):
    torch.manual_seed(0)
    ember.manual_seed(0)
    ours, theirs = LAYERS[name](ember.nn), LAYERS[name](torch.nn)
    for (key, e), (_, t) in zip(ours.named_parameters(), theirs.named_parameters()):
        got, want = e.detach().numpy().ravel(), t.detach().numpy().ravel()
        assert got.dtype == want.dtype and got.shape == want.shape, key
        # critical value of the two-sample test at alpha = 1e-4
        critical = 2.15 * np.sqrt(2 / got.size)
        assert _ks(got, want) < critical, (key, _ks(got, want), critical)
        if not name.startswith("embedding"):  # kaiming_uniform(a=sqrt(5)): U(+-1/sqrt(fan_in))
            weight = ours.weight
            fan_in = weight.shape[1] * int(np.prod(weight.shape[2:]))
            assert np.abs(got).max() <= 1 / np.sqrt(fan_in) * (1 + 1e-6), key
    if name == "embedding_padding":
        assert not ours.weight[3].numpy().any()


DETERMINISTIC = {
    "batchnorm1d": lambda n: n.BatchNorm1d(7),
    "batchnorm2d": lambda n: n.BatchNorm2d(5, affine=False),
    "batchnorm_untracked": lambda n: n.BatchNorm2d(5, track_running_stats=False),
    "layernorm": lambda n: n.LayerNorm((3, 4)),
    "layernorm_no_bias": lambda n: n.LayerNorm(6, bias=False),
    "layernorm_plain": lambda n: n.LayerNorm(6, elementwise_affine=False),
}


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_deterministic_state_equals_torch(torch, name):
    ours, theirs = DETERMINISTIC[name](ember.nn), DETERMINISTIC[name](torch.nn)
    got, want = ours.state_dict(), theirs.state_dict()
    assert list(got) == list(want)
    for key in want:
        assert got[key].dtype.name == str(want[key].dtype).removeprefix("torch."), key
        assert got[key].tolist() == want[key].tolist(), key
    assert [n for n, p in ours.named_parameters() if p.requires_grad] == [
        n for n, p in theirs.named_parameters() if p.requires_grad
    ]


def test_factory_dtypes_reach_every_parameter(torch):
    for make in (lambda n, d: n.Linear(3, 2, dtype=d), lambda n, d: n.Conv2d(2, 2, 3, dtype=d),
                 lambda n, d: n.BatchNorm1d(3, dtype=d), lambda n, d: n.LayerNorm(3, dtype=d),
                 lambda n, d: n.Embedding(4, 2, dtype=d)):  # fmt: skip
        ours, theirs = make(ember.nn, ember.float64), make(torch.nn, torch.float64)
        assert [(k, v.dtype.name) for k, v in ours.state_dict().items()] == [
            (k, str(v.dtype).removeprefix("torch.")) for k, v in theirs.state_dict().items()
        ]
