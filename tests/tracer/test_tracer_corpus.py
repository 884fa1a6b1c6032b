"""Traced modules equal eager ones on fresh inputs of other batch sizes.

Each corpus entry is traced on a batch of 2 and then run, traced and eager, on batches of 5 and
3: the trace must have recorded sizes as ops (not constants) for the results to agree.
"""

import numpy as np
import pytest

import ember
import ember.jit
import ember.nn as nn
import ember.nn.functional as F

OFFSET = ember.tensor([0.5, -1.0, 2.0, 0.25])


def rand(*shape):
    return ember.from_numpy(np.random.default_rng(sum(shape)).standard_normal(shape, np.float32))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(4, 8)
        self.l1 = nn.Linear(8, 3)

    def forward(self, x):
        return self.l1(F.relu(self.l0(x)))


class ConvFlatten(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(2, 3, 3)
        self.fc = nn.Linear(3 * 6, 2)

    def forward(self, x):
        y = nn.functional.relu(self.conv(x))
        return self.fc(y.view(y.size(0), -1))


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.avg = nn.AdaptiveAvgPool2d(1)
        self.flat = nn.Flatten()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(self.flat(self.avg(self.pool(self.bn(self.conv(x))))))


class NormBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(6)
        self.act = nn.GELU()
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        return self.drop(self.act(self.norm(x)))


class BatchNormTrain(nn.Module):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(4)

    def forward(self, x):
        return self.bn(x) * 2.0


class EmbedMean(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)

    def forward(self, idx):
        return self.emb(idx).mean(1)


class Activations(nn.Module):
    def __init__(self):
        super().__init__()
        self.seq = nn.Sequential(nn.SiLU(), nn.Tanh(), nn.Sigmoid(), nn.ReLU(), nn.Identity())

    def forward(self, x):
        return self.seq(x)


class MobileBlock(nn.Module):
    """The layers of mobile networks, and the resizing helpers of detection heads."""

    def __init__(self):
        super().__init__()
        self.gn = nn.GroupNorm(2, 4)
        self.bn = nn.BatchNorm3d(4)
        self.acts = nn.Sequential(
            nn.ReLU6(), nn.Hardswish(), nn.Hardsigmoid(), nn.Hardtanh(-0.5, 0.5)
        )

    def forward(self, x):
        y = self.acts(self.bn(self.gn(x))).flatten(1, 2)
        up = F.interpolate(y, scale_factor=2.0, mode="bilinear", align_corners=False)
        return F.pad(up, [1, 1, 1, 1], mode="reflect") + 1


class SoftmaxPair(nn.Module):
    def __init__(self):
        super().__init__()
        self.sm = nn.Softmax(dim=1)
        self.lsm = nn.LogSoftmax(dim=1)

    def forward(self, x):
        return self.sm(x), self.lsm(x)


class PoolReshape(nn.Module):
    def __init__(self):
        super().__init__()
        self.pool = nn.AvgPool2d(2)

    def forward(self, x):
        y = self.pool(x)
        return y.reshape(x.shape[0], x.shape[1], -1).sum(2)


class ListOfLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])

    def forward(self, x):
        for layer in self.layers:
            x = F.relu(layer(x)) + x
        return x


class DictOfLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Linear(4, 3)})

    def forward(self, x):
        return {"a": self.heads["a"](x), "b": self.heads["b"](x)}


class Captured(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = ember.tensor([1.0, 2.0, 3.0, 4.0])
        self.register_buffer("shift", ember.ones(4))

    def forward(self, x):
        return x * self.scale + OFFSET - self.shift


class SizeArithmetic(nn.Module):
    def forward(self, x):
        n, c = x.size(0), x.size(1)
        flat = x.view(n * c // 2, -1)
        pad = ember.zeros(flat.size(0), 1)
        return ember.cat([flat, pad], 1)


class NestedInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.Linear(4, 4)

    def forward(self, pair, items):
        a, b = pair
        return self.l(a) + b, items[0] * items[1]


class CalledTwice(nn.Module):
    def __init__(self):
        super().__init__()
        self.l = nn.Linear(4, 4)

    def forward(self, x):
        return self.l(self.l(x))


class SplitMax(nn.Module):
    def forward(self, x):
        a, b = ember.chunk(x, 2, 1)
        values, indices = ember.max(a + b, 1)
        return values, indices


class EncoderTagger(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2)
        self.lstm = nn.LSTM(8, 4, batch_first=True, bidirectional=True)

    def forward(self, x):
        out, (h, c) = self.lstm(self.encoder(x))
        return out, h + c


def pair_inputs(n):
    return ((rand(n, 4), rand(n, 4)), [rand(n, 3), rand(n, 3)])


CORPUS = {
    "mlp": (MLP, lambda n: (rand(n, 4),)),
    "conv_flatten": (ConvFlatten, lambda n: (rand(n, 2, 8),)),
    "convnet": (lambda: ConvNet().eval(), lambda n: (rand(n, 3, 8, 8),)),
    "norm_block": (lambda: NormBlock().eval(), lambda n: (rand(n, 5, 6),)),
    "batchnorm_train": (BatchNormTrain, lambda n: (rand(n, 4),)),
    "embedding": (EmbedMean, lambda n: (ember.arange(3 * n).view(n, 3) % 10,)),
    "activations": (Activations, lambda n: (rand(n, 7),)),
    "mobile_block": (lambda: MobileBlock().eval(), lambda n: (rand(n, 4, 3, 2, 2),)),
    "softmax_pair": (SoftmaxPair, lambda n: (rand(n, 5),)),
    "pool_reshape": (PoolReshape, lambda n: (rand(n, 3, 4, 4),)),
    "module_list": (ListOfLayers, lambda n: (rand(n, 4),)),
    "module_dict": (DictOfLayers, lambda n: (rand(n, 4),)),
    "captured": (Captured, lambda n: (rand(n, 4),)),
    "size_arithmetic": (SizeArithmetic, lambda n: (rand(n, 4, 3),)),
    "nested_inputs": (NestedInputs, pair_inputs),
    "called_twice": (CalledTwice, lambda n: (rand(n, 4),)),
    "split_max": (SplitMax, lambda n: (rand(n, 6),)),
    "encoder_tagger": (lambda: EncoderTagger().eval(), lambda n: (rand(n, 5, 8),)),
}


def _leaves(x):
    if isinstance(x, dict):
        return [t for v in x.values() for t in _leaves(v)]
    if isinstance(x, tuple | list):
        return [t for v in x for t in _leaves(v)]
    return [x]


@pytest.mark.filterwarnings("error::ember.jit.TracerWarning")
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_traced_equals_eager_on_other_batch_sizes(name):
    make, inputs = CORPUS[name]
    module = make()
    traced = ember.jit.trace(module, inputs(2), strict=name != "module_dict")
    for n in (5, 3):
        args = inputs(n)
        expected, got = module(*args), traced(*args)
        assert type(got) is type(expected)
        for e, g in zip(_leaves(expected), _leaves(got), strict=True):
            assert tuple(g.shape) == tuple(e.shape)
            assert g.dtype == e.dtype
            np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-5, atol=1e-6)


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 15


def test_corpus_uses_every_nn_layer():
    layers = {
        obj
        for obj in vars(nn).values()
        if isinstance(obj, type) and issubclass(obj, nn.Module) and obj is not nn.Module
    }
    used = {type(m) for make, _ in CORPUS.values() for m in make().modules()}
    missing = sorted(c.__name__ for c in layers - used)
    assert not missing, f"ember.nn layers no corpus module traces: {missing}"


def test_function_trace_keeps_sizes_symbolic():
    def f(x, y):
        return x.view(x.size(0), -1) + y.sum()

    traced = ember.jit.trace(f, (rand(2, 2, 2), rand(3)))
    out = traced(rand(5, 2, 2), rand(3))
    np.testing.assert_allclose(out.numpy(), f(rand(5, 2, 2), rand(3)).numpy(), rtol=1e-6, atol=1e-6)
