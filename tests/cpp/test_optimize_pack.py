"""Pre-packed convolution weights (cpp_loader/src/optimize/pack.cpp): a float32 convolution of
stride 1, dilation 1 and one group gets its weight packed at load and runs the direct kernel
(kernels/conv_direct.cpp), with bias and a fused relu / relu6 applied as it stores. Results
equal the unoptimised C++ runtime's and the Python runtime's on every geometry the kernel
takes or leaves to the GEMM path, and on each instruction set (`EMBER_ISA` caps it, through
`ember-run`)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from parity import ember_run_command
from test_optimize_nn import _randomised

import ember
import ember.cpp
import ember.nn as nn


class Net(nn.Module):
    def __init__(self, c, o, k, padding, act, bias=True, conv1d=False, bn=True):
        super().__init__()
        conv = nn.Conv1d if conv1d else nn.Conv2d
        norm = nn.BatchNorm1d if conv1d else nn.BatchNorm2d
        self.conv = conv(c, o, k, padding=padding, bias=bias)
        self.bn = norm(o) if bn else nn.Identity()
        self.act = {"relu": nn.ReLU(), "relu6": nn.ReLU6(), "none": nn.Identity()}[act]

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


# (channels in, out, kernel, padding, input size, activation, bias, conv1d, batch norm)
CASES = [
    (3, 16, 3, 1, (1, 32, 32), "relu", True, False, True),  # the small CNN's first layer
    (16, 32, 3, 1, (1, 32, 32), "relu", True, False, True),
    (5, 13, 3, 1, (2, 20, 37), "relu6", False, False, True),  # a partial block, tail columns
    (4, 9, (3, 5), (0, 2), (1, 11, 40), "none", True, False, False),
    (4, 6, 4, "same", (1, 9, 33), "relu", True, False, False),  # asymmetric padding
    (8, 8, 1, 0, (1, 17, 16), "relu", False, False, True),
    (6, 7, 5, 2, (1, 6, 9), "relu", True, False, True),  # narrow rows: the GEMM path
    (5, 11, 3, 1, (2, 40), "relu", True, True, True),  # conv1d
]


def _input(size, seed=0):
    return np.random.default_rng(seed).standard_normal(size).astype(np.float32)


def _save(tmp_path, case):
    c, o, k, padding, size, act, bias, conv1d, bn = case
    model = _randomised(Net(c, o, k, padding, act, bias, conv1d, bn))
    path = tmp_path / "model.pt"
    ember.jit.save(ember.jit.script(model), path)
    return path, (size[0], c, *size[1:])


def _close(got, want):
    scale = max(float(np.abs(want).max()), 1e-30)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5 * scale)


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_packed_convolution_keeps_results(tmp_path, case):
    path, shape = _save(tmp_path, case)
    x = ember.tensor(_input(shape))
    want = np.asarray(ember.jit.load(path)(x).numpy())
    plain = np.asarray(ember.cpp.load(path, optimize=False).forward(x).numpy())
    module = ember.cpp.load(path)
    for _ in range(2):  # the second call reuses the arena
        got = np.asarray(module.forward(x).numpy())
        _close(got, want)
    _close(plain, want)


def test_packed_relu_keeps_nan_and_negative_zero(tmp_path):
    path, shape = _save(tmp_path, (3, 8, 1, 0, (1, 2, 16), "relu", False, False, False))
    x = np.zeros(shape, np.float32)
    x[0, :, 0, 0] = np.nan
    x[0, :, 1, :] = -1.0
    got = np.asarray(ember.cpp.load(path).forward(ember.tensor(x)).numpy())
    want = np.asarray(ember.cpp.load(path, optimize=False).forward(ember.tensor(x)).numpy())
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    assert np.isnan(got[0, :, 0, 0]).all()
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("isa", ["avx2", "none"])
def test_each_instruction_set_keeps_results(tmp_path, isa):
    import subprocess

    for i, case in enumerate(CASES[:5]):
        folder = tmp_path / str(i)
        folder.mkdir()
        path, shape = _save(folder, case)
        x = _input(shape, seed=i)
        want = np.asarray(ember.jit.load(path)(ember.tensor(x)).numpy())
        np.savez(folder / "in.npz", in0=x)
        env = dict(os.environ, EMBER_ISA=isa, OMP_NUM_THREADS="1")
        done = subprocess.run(
            [ember_run_command(), str(path), str(folder / "in.npz"), str(folder / "out.npz")],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        with np.load(folder / "out.npz") as out:
            _close(out["out0"], want)


def test_torch_written_archive_is_packed(tmp_path):
    """torch's archives build stride and dilation with prim::ListConstruct: still packed; the
    batch norm's dim() check reads the convolution's result, and relu still fuses."""
    torch = pytest.importorskip("torch")
    from ember.jit.converting import convert_archive

    tn = torch.nn
    model = tn.Sequential(
        tn.Conv2d(3, 10, 3, padding=1), tn.BatchNorm2d(10), tn.ReLU(), tn.Conv2d(10, 4, 3)
    ).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape))
        model[1].running_mean.copy_(torch.randn(10))
        model[1].running_var.copy_(torch.rand(10) + 0.5)
    x = _input((1, 3, 18, 21))
    torch.jit.save(torch.jit.script(model), str(tmp_path / "t.pt"))
    convert_archive(tmp_path / "t.pt", tmp_path / "e.pt")
    with torch.no_grad():
        want = model(torch.from_numpy(x)).numpy()
    got = np.asarray(ember.cpp.load(tmp_path / "e.pt").forward(ember.tensor(x)).numpy())
    _close(got, want)
