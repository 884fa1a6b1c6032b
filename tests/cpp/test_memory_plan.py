"""Memory planning at load (cpp_loader/src/runtime/plan.cpp): each register is cleared after
its last reader and tensor registers whose lifetimes do not overlap share arena memory. The
results stay those of the unplanned runtime (and of the Python runtime), the arena holds less,
and with fixed shapes a forward allocates nothing after the first but the tensors it returns
(they leave the arena with the caller).
Views of arena tensors, values carried through loops and branches, and results that escape the
call keep their memory."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.cpp
import ember.nn as nn


class Chain(nn.Module):
    """Eight convolutions in a row: each intermediate dies at the next layer."""

    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList(
            [nn.Conv2d(4 if i == 0 else 8, 8, 3, padding=1) for i in range(8)]
        )

    def forward(self, x):
        for conv in self.convs:
            x = ember.tanh(conv(x))
        return x.sum(1)


class Views(nn.Module):
    """Views of intermediates outlive the registers that held them."""

    def forward(self, x):
        a = x * 2.0
        first = a[0]  # a view of a
        b = ember.tanh(a) + 1.0
        c = b.transpose(0, 1)  # a view of b
        d = ember.exp(x) - 3.0  # may take a's slot once a's register is gone
        e = d * 0.5
        return first, c, e, first.sum() + e.sum()


class Control(nn.Module):
    """A loop carrying a tensor, an If choosing between fresh tensors, and a value defined
    before the loop that is read inside it."""

    def forward(self, x, n: int):
        outer = x * 3.0
        y = x + 1.0
        for i in range(n):
            t = y * 0.5
            if bool(t.sum() > 0):
                y = t - outer
            else:
                y = t + outer * 0.25
        z = ember.tanh(y) * 2.0
        return z, outer


def _save(tmp_path, model):
    path = tmp_path / "model.pt"
    ember.jit.save(ember.jit.script(model), path)
    return path


def _arrays(result):
    if isinstance(result, tuple):
        return [np.array(r.numpy()) for r in result]
    return [np.array(result.numpy())]


def _python(path, args):
    return _arrays(ember.jit.load(path)(*args))


@pytest.mark.parametrize(
    ("model", "args"),
    [
        (
            Chain,
            lambda rng: (ember.tensor(rng.standard_normal((1, 4, 12, 20)).astype(np.float32)),),
        ),
        (Views, lambda rng: (ember.tensor(rng.standard_normal((3, 5)).astype(np.float32)),)),
        (Control, lambda rng: (ember.tensor(rng.standard_normal((4, 6)).astype(np.float32)), 5)),
    ],
    ids=["chain", "views", "control"],
)
def test_planned_results_equal_unplanned(tmp_path, model, args):
    path = _save(tmp_path, model())
    rng = np.random.default_rng(1)
    calls = [args(rng) for _ in range(3)]
    want = [_python(path, a) for a in calls]
    planned = ember.cpp.load(path)
    unplanned = ember.cpp.load(path, plan_memory=False)
    kept = []
    for a, w in zip(calls * 2, want * 2):
        got = _arrays(planned.forward(*a))
        kept.append(got)  # results that escape keep their values while later calls run
        for g, e in zip(got, w):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
        for g, e in zip(_arrays(unplanned.forward(*a)), w):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
    for got, w in zip(kept, want * 2):
        for g, e in zip(got, w):
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_planning_shares_the_arena_and_stops_allocating(tmp_path):
    path = _save(tmp_path, Chain())
    x = ember.tensor(np.random.default_rng(2).standard_normal((1, 4, 16, 16)).astype(np.float32))
    stats = {}
    for plan in (False, True):
        module = ember.cpp.load(path, plan_memory=plan)
        seen = []
        for _ in range(4):
            module.forward(x)  # the result is dropped before the next call
            seen.append(module._arena_stats())
        stats[plan] = seen
    held_plain, held_planned = stats[False][-1][0], stats[True][-1][0]
    plane = 8 * 16 * 16 * 4
    assert held_plain >= 8 * plane  # every intermediate kept
    assert held_planned <= 3 * plane  # two or three buffers, taken in turn
    for plan in (False, True):
        allocations = [s[1] for s in stats[plan]]
        assert np.diff(allocations).tolist() == [1, 1, 1], (plan, allocations)  # the result


def test_loops_stop_allocating(tmp_path):
    path = _save(tmp_path, Control())
    module = ember.cpp.load(path)
    x = ember.tensor(np.ones((4, 6), np.float32))
    counts = []
    for _ in range(4):
        module.forward(x, 7)
        counts.append(module._arena_stats()[1])
    assert np.diff(counts).tolist() == [2, 2, 2], counts  # z and outer, returned


class Residual(nn.Module):
    """ResNet's pattern: in-place add and relu keep a block's tensor alive past its register,
    and a small result follows large intermediates."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.a = nn.Conv2d(8, 8, 3, padding=1)
        self.b = nn.Conv2d(8, 8, 1)
        self.relu = nn.ReLU(inplace=True)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        x = self.relu(self.stem(x))
        for _ in range(3):
            out = self.b(self.relu(self.a(x)))
            out += x
            x = self.relu(out)
        return self.fc(x.mean((2, 3)))


def test_small_result_takes_no_intermediate_buffer(tmp_path):
    path = _save(tmp_path, Residual())
    x = ember.tensor(np.random.default_rng(3).standard_normal((1, 3, 24, 24)).astype(np.float32))
    want = _python(path, (x,))
    module = ember.cpp.load(path)
    counts = []
    for _ in range(4):
        np.testing.assert_allclose(_arrays(module.forward(x))[0], want[0], rtol=1e-5, atol=1e-6)
        counts.append(module._arena_stats()[1])
    assert np.diff(counts).tolist() == [1, 1, 1], counts  # the result alone
