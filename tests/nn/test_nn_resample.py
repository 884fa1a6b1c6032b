"""F.pad and F.interpolate against torch 2.13: every pad mode with negative amounts and
torch's errors; nearest and bilinear resizing by size and by scale factor, align_corners and
recompute_scale_factor; scripted and traced code calls the ops torch's does (aten::pad,
aten::upsample_*2d.vec) and ember's archives of it run in torch."""

import io

import numpy as np
import pytest

import ember
from compare import assert_same, to_torch
from ember import nn

F = nn.functional
RNG = np.random.default_rng(5)


def rand(*shape):
    return ember.from_numpy(RNG.standard_normal(shape).astype(np.float32))


PADS = [
    ((2, 3, 4), [1, 2], "constant"),
    ((2, 3, 4), [-1, 2, 0, 1, 1, 0], "constant"),
    ((2, 3, 4), [-4, 0], "constant"),
    ((2, 3, 4), [1, 2], "reflect"),
    ((2, 3, 4), [-1, 2], "reflect"),
    ((2, 3, 4), [2, -1], "reflect"),
    ((1, 2, 3, 4), [3, 1, 2, -1], "reflect"),
    ((3, 4), [3, 0], "reflect"),
    ((2, 3, 4), [-1, 3], "replicate"),
    ((1, 2, 3, 4), [1, 1, -2, 1], "replicate"),
    ((1, 2, 2, 3, 4), [1, 1, 1, 1, 1, 1], "replicate"),
    ((2, 3, 4), [2, -1], "circular"),
    ((2, 3, 4), [-1, 2], "circular"),
    ((2, 3, 4), [-2, -1], "circular"),
    ((1, 2, 3, 4), [4, 1, 3, 0], "circular"),
]


@pytest.mark.parametrize(("shape", "pad", "mode"), PADS)
def test_pad_matches_torch(torch, shape, pad, mode):
    x = rand(*shape)
    assert_same(F.pad(x, pad, mode), torch.nn.functional.pad(to_torch(x), pad, mode))


def test_pad_constant_value_casts_as_torch(torch):
    ints = ember.tensor([[1, 2, 3]])
    tints = to_torch(ints)
    assert_same(F.pad(ints, (1, 1), value=-2.7), torch.nn.functional.pad(tints, (1, 1), value=-2.7))
    x = rand(2, 3)
    assert_same(F.pad(x, (0, 0, 1, 0), "constant", 1.5),
                torch.nn.functional.pad(to_torch(x), (0, 0, 1, 0), "constant", 1.5))  # fmt: skip


@pytest.mark.parametrize(
    ("shape", "pad", "kwargs", "error", "message"),
    [
        ((2, 3), [1], {}, RuntimeError, "divisible by 2"),
        ((2, 3), [1] * 6, {}, RuntimeError, "less than or equal to two times"),
        ((2, 3), [-4, 0], {}, RuntimeError, "narrow"),
        ((2, 3), [1, 1], {"mode": "reflect", "value": 1.0}, RuntimeError, "doesn't take in"),
        ((2, 3), [1, 1], {"mode": "foo"}, NotImplementedError, "Unrecognised padding mode foo"),
        ((1, 2, 3, 4), [1, 1], {"mode": "reflect"}, NotImplementedError, "Padding size 2"),
        ((2, 3), [3, 0], {"mode": "reflect"}, RuntimeError, "should be less than"),
        ((2, 3), [4, 0], {"mode": "circular"}, RuntimeError, "wrapping around more than once"),
    ],
)
def test_pad_errors_match_torch(torch, shape, pad, kwargs, error, message):
    with pytest.raises(error, match=message):
        F.pad(rand(*shape), pad, **kwargs)
    with pytest.raises(error, match=message):
        torch.nn.functional.pad(torch.zeros(shape), pad, **kwargs)


RESIZES = [
    {"scale_factor": 2.0},
    {"scale_factor": (1.5, 0.7)},
    {"scale_factor": 2.3, "recompute_scale_factor": True},
    {"size": (9, 4)},
    {"size": 5},
    {"size": (13, 3)},
    {"size": (5, 7)},
    {"scale_factor": 2.0, "mode": "bilinear"},
    {"scale_factor": (1.5, 2.5), "mode": "bilinear"},
    {"scale_factor": 0.37, "mode": "bilinear"},
    {"scale_factor": 1.7, "mode": "bilinear", "align_corners": True},
    {"size": (11, 13), "mode": "bilinear", "align_corners": True},
    {"size": (3, 4), "mode": "bilinear"},
    {"size": (5, 7), "mode": "bilinear", "align_corners": False},
    {"size": (1, 1), "mode": "bilinear", "align_corners": True},
    {"size": (3, 4), "mode": "area"},
    {"scale_factor": 0.5, "mode": "area"},
    {"scale_factor": (1.3, 2.1), "mode": "nearest-exact"},
]
RESIZES_1D = [
    {"scale_factor": 2.0},
    {"size": 11, "mode": "linear"},
    {"scale_factor": 0.6, "mode": "linear", "align_corners": True},
    {"size": 4, "mode": "area"},
    {"scale_factor": 1.7, "mode": "nearest-exact"},
]
RESIZES_3D = [
    {"scale_factor": 2.0},
    {"size": (4, 5, 7), "mode": "trilinear"},
    {"scale_factor": (1.5, 0.5, 2.0), "mode": "trilinear", "align_corners": True},
    {"size": (2, 3, 4), "mode": "nearest-exact"},
]
CASES = (
    [((2, 3, 5, 7), k) for k in RESIZES]
    + [((2, 3, 7), k) for k in RESIZES_1D]
    + [((1, 2, 3, 4, 5), k) for k in RESIZES_3D]
)


@pytest.mark.parametrize(("shape", "kwargs"), CASES)
def test_interpolate_matches_torch(torch, shape, kwargs):
    x = rand(*shape)
    expected = torch.nn.functional.interpolate(to_torch(x), **kwargs)
    # nearest is exact; the blends within float32 rounding (torch's kernels may fuse
    # multiply-adds, and area pooling sums in another order)
    tol = 0.0 if kwargs.get("mode", "nearest").startswith("nearest") else 1e-6
    assert_same(F.interpolate(x, **kwargs), expected, atol=tol, rtol=tol)


def test_interpolate_errors_match_torch(torch):
    x = rand(1, 1, 2, 2)
    for kwargs, message in (
        ({"size": 3, "scale_factor": 2.0}, "only one of size or scale_factor"),
        ({}, "either size or scale_factor should be defined"),
        ({"size": 3, "align_corners": True}, "align_corners option can only be set"),
        ({"size": [3, 3, 3]}, "same number of spatial dimensions"),
        ({"size": 3, "recompute_scale_factor": True}, "not meaningful with an explicit size"),
    ):
        with pytest.raises(ValueError, match=message):
            F.interpolate(x, **kwargs)
        with pytest.raises(ValueError, match=message):
            torch.nn.functional.interpolate(to_torch(x), **kwargs)
    with pytest.raises(NotImplementedError, match="bicubic"):
        F.interpolate(x, size=3, mode="bicubic")
    for module in (ember, torch):
        with pytest.raises(NotImplementedError, match="Got 4D input, but trilinear mode needs 5D"):
            module.nn.functional.interpolate(ember_or_torch(module, x), size=3, mode="trilinear")


def ember_or_torch(module, x):
    return x if module is ember else to_torch(x)


class Resizer(nn.Module):
    def forward(self, x):
        a = F.interpolate(x, scale_factor=[2.0, 1.5])
        b = F.interpolate(x, size=[5, 6], mode="bilinear", align_corners=False)
        c = F.interpolate(x, scale_factor=[1.5, 1.5], mode="bilinear", align_corners=True)
        d = F.pad(x, [1, 1, 2, 0], mode="reflect")
        e = F.pad(x, [1, -1], value=2.0)
        return a.sum(2) + b.sum(2).sum(2, keepdim=True) + c.mean() + d.mean() + e.mean()


def test_scripted_and_traced_resizing_match_torch_and_call_its_ops(torch):
    x = rand(1, 2, 3, 4)
    eager = Resizer()(x)
    scripted = ember.jit.script(Resizer())
    traced = ember.jit.trace(Resizer(), x)
    for run in (scripted, traced):
        assert_same(run(x), to_torch(eager), atol=1e-6, rtol=1e-6)
    graph = str(traced.graph)
    for op in ("aten::upsample_nearest2d", "aten::upsample_bilinear2d", "aten::pad"):
        assert op in graph
        assert op in str(scripted.inlined_graph)
    buffer = io.BytesIO()
    ember.jit.save(scripted, buffer)
    loaded = torch.jit.load(io.BytesIO(buffer.getvalue()))
    np.testing.assert_allclose(loaded(to_torch(x)).numpy(), eager.numpy(), 1e-6, 1e-6)


class ThreeResizes(nn.Module):
    def forward(self, x, y):
        a = F.interpolate(x, size=[9], mode="linear", align_corners=True)
        b = F.interpolate(y, scale_factor=[2.0, 1.0, 0.5], mode="trilinear")
        c = F.interpolate(x, scale_factor=[0.5], mode="area")
        return a.sum() + b.sum() + c.sum() + F.interpolate(y, size=[2, 2, 2]).sum()


def test_scripted_interpolate_in_every_dimension():
    x, y = rand(1, 2, 6), rand(1, 1, 2, 3, 4)
    expected = ThreeResizes()(x, y)
    assert_same(ember.jit.script(ThreeResizes())(x, y), to_torch(expected), atol=1e-5, rtol=1e-6)


class TorchResizer:
    """Resizer with torch bound: torch's archives of F.interpolate and F.pad load in ember."""

    @staticmethod
    def build(torch):
        class Module(torch.nn.Module):
            def forward(self, x):
                tF = torch.nn.functional
                a = tF.interpolate(x, scale_factor=2.0)
                b = tF.interpolate(x, size=[5, 6], mode="bilinear", align_corners=False)
                return a.sum() + b.sum() + tF.pad(x, [1, 1, 2, 0], mode="reflect").sum()

        return Module()


@pytest.mark.parametrize("kind", ["script", "trace"])
def test_torch_archives_of_interpolate_and_pad_run_in_ember(torch, kind):
    module = TorchResizer.build(torch)
    x = rand(1, 2, 3, 4)
    compiled = (
        torch.jit.script(module) if kind == "script" else torch.jit.trace(module, to_torch(x))
    )
    buffer = io.BytesIO()
    torch.jit.save(compiled, buffer)
    loaded = ember.jit.load(io.BytesIO(buffer.getvalue()))
    assert_same(loaded(x), module(to_torch(x)), atol=1e-5, rtol=1e-6)
