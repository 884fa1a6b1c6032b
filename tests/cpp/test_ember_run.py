"""`ember-run MODEL.pt IN.npz OUT.npz` (the command installed next to `ember`): it runs
`forward` in the C++ runtime on in0, in1, ... and writes out0, out1, ... that equal what
ember's Python runtime returns for the same archive and inputs."""

# ruff: noqa: UP045 - typing.Optional, as TorchScript spells it
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Optional

import numpy as np
import pytest

import ember
import ember.nn as nn


def _ember_run() -> str:
    found = Path(sysconfig.get_path("scripts")) / "ember-run"
    return str(found) if found.is_file() else shutil.which("ember-run")


def run(*args):
    return subprocess.run([_ember_run(), *map(str, args)], capture_output=True, text=True,
                          timeout=120)  # fmt: skip


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(4, 16)
        self.l1 = nn.Linear(16, 16)
        self.l2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.l2(self.l1(self.l0(x)))


class Affine(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(4, 2)

    def forward(self, x):
        return self.l0(x)


class Scalars(nn.Module):
    def forward(self, x, n: int, scale: float, flag: bool):
        y = x.reshape([n, -1]) if flag else x
        return y, n + 1, [x.t(), y[0]], None, scale / 2, flag


class IntList(nn.Module):
    def forward(self, x, shape: list[int]):
        return x.reshape(shape)


def _save(module, path):
    ember.jit.save(ember.jit.script(module), str(path))
    return path


def _python(path, *args):
    """The Python runtime's result for `args` (numpy arrays become tensors, also in lists)."""

    def convert(a):
        if isinstance(a, np.ndarray):
            return ember.from_numpy(a)
        if isinstance(a, (list, tuple)):
            return type(a)(convert(x) for x in a)
        return a

    return ember.jit.load(str(path))(*map(convert, args))


def _as_numpy(value):
    return value.numpy() if isinstance(value, ember.Tensor) else np.asarray(value)


def test_help_prints_the_usage():
    done = run("--help")
    assert done.returncode == 0
    assert "usage: ember-run" in done.stdout and "in0" in done.stdout


def test_wrong_usage_exits_2():
    assert run().returncode == 2
    assert run("--bogus", "a", "b", "c").returncode == 2


def test_mlp_matches_the_python_runtime(tmp_path):
    model = _save(MLP(), tmp_path / "mlp.pt")
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.savez(tmp_path / "in.npz", in0=x)
    done = run(model, tmp_path / "in.npz", tmp_path / "out.npz")
    assert done.returncode == 0, done.stderr
    out = np.load(tmp_path / "out.npz")
    assert list(out.keys()) == ["out0"]
    want = _as_numpy(_python(model, x))
    assert out["out0"].dtype == np.float32 and out["out0"].shape == (5, 3)
    np.testing.assert_allclose(out["out0"], want, rtol=1e-5, atol=1e-6)


def test_compressed_inputs_are_read(tmp_path):
    model = _save(Affine(), tmp_path / "affine.pt")
    x = np.ones((2, 4), np.float32)
    np.savez_compressed(tmp_path / "in.npz", in0=x)
    assert run(model, tmp_path / "in.npz", tmp_path / "out.npz").returncode == 0
    np.testing.assert_allclose(np.load(tmp_path / "out.npz")["out0"], _as_numpy(_python(model, x)),
                               rtol=1e-5, atol=1e-6)  # fmt: skip


def test_scalars_and_nested_outputs(tmp_path):
    model = _save(Scalars(), tmp_path / "scalars.pt")
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.savez(tmp_path / "in.npz", in0=x, in1=np.array(3), in2=np.array(0.5), in3=np.array(True))
    done = run(model, tmp_path / "in.npz", tmp_path / "out.npz")
    assert done.returncode == 0, done.stderr
    out = np.load(tmp_path / "out.npz")
    y, n, (xt, y0), _, half, flag = _python(model, x, 3, 0.5, True)
    assert list(out.keys()) == [f"out{i}" for i in range(6)]  # None is skipped
    np.testing.assert_array_equal(out["out0"], _as_numpy(y))
    assert out["out0"].shape == (3, 2)
    assert out["out1"].shape == () and out["out1"].dtype == np.int64 and out["out1"] == n == 4
    np.testing.assert_array_equal(out["out2"], _as_numpy(xt))
    np.testing.assert_array_equal(out["out3"], _as_numpy(y0))
    assert out["out4"].dtype == np.float64 and out["out4"] == half == 0.25
    assert out["out5"].dtype == np.bool_ and out["out5"] == flag


def test_a_1d_integer_array_is_an_int_list(tmp_path):
    model = _save(IntList(), tmp_path / "reshape.pt")
    x = np.arange(6, dtype=np.int64)
    np.savez(tmp_path / "in.npz", in0=x, in1=np.array([3, 2]))
    done = run(model, tmp_path / "in.npz", tmp_path / "out.npz")
    assert done.returncode == 0, done.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "out.npz")["out0"], x.reshape(3, 2))


def test_inputs_of_every_dtype_round_trip(tmp_path):
    class Identity(nn.Module):
        def forward(self, x):
            return x

    model = _save(Identity(), tmp_path / "id.pt")
    for dtype in (np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16,
                  np.float32, np.float64):  # fmt: skip
        x = (np.arange(6) % 3).astype(dtype).reshape(2, 3)
        np.savez(tmp_path / "in.npz", in0=np.asfortranarray(x))
        done = run(model, tmp_path / "in.npz", tmp_path / "out.npz")
        assert done.returncode == 0, done.stderr
        got = np.load(tmp_path / "out.npz")["out0"]
        assert got.dtype == x.dtype and np.array_equal(got, x)


@pytest.mark.parametrize(
    "inputs, message",
    [
        ({}, "forward() takes 1 argument but 0 were given"),
        ({"in0": np.ones((2, 4), np.float32), "in1": np.ones(1)}, "takes 1 argument"),
        ({"x": np.ones((2, 4), np.float32)}, "found 'x'"),
        ({"in0": np.ones((2, 5), np.float32)}, ""),
    ],
)
def test_failures_exit_1_with_the_message(tmp_path, inputs, message):
    model = _save(Affine(), tmp_path / "affine.pt")
    np.savez(tmp_path / "in.npz", **inputs)
    done = run(model, tmp_path / "in.npz", tmp_path / "out.npz")
    assert done.returncode == 1
    assert done.stderr.startswith("ember-run: ") and message in done.stderr
    assert not (tmp_path / "out.npz").exists()


def test_unreadable_files_exit_1(tmp_path):
    model = _save(Affine(), tmp_path / "affine.pt")
    np.savez(tmp_path / "in.npz", in0=np.ones((1, 4), np.float32))
    done = run(tmp_path / "missing.pt", tmp_path / "in.npz", tmp_path / "out.npz")
    assert done.returncode == 1 and "missing.pt" in done.stderr
    data = (tmp_path / "in.npz").read_bytes()
    (tmp_path / "bad.npz").write_bytes(data[: len(data) // 2])
    done = run(model, tmp_path / "bad.npz", tmp_path / "out.npz")
    assert done.returncode == 1 and "bad.npz" in done.stderr


class Sequences(nn.Module):
    def forward(self, xs: list[ember.Tensor], bias: Optional[ember.Tensor],
                pair: tuple[ember.Tensor, int]):  # fmt: skip
        out = ember.cat(xs).repeat(pair[1])
        if bias is not None:
            out = ember.cat([out, bias])
        return out


def test_lists_tuples_and_missing_optionals(tmp_path):
    model = _save(Sequences(), tmp_path / "seq.pt")
    a, b = np.ones(2, np.float32), np.arange(3, dtype=np.float32)
    two = np.array(2)
    np.savez(tmp_path / "in.npz", **{"in0.0": a, "in0.1": b, "in2.0": b, "in2.1": two})
    done = run(model, tmp_path / "in.npz", tmp_path / "out.npz")
    assert done.returncode == 0, done.stderr
    want = _as_numpy(_python(model, [a, b], None, (b, 2)))
    np.testing.assert_array_equal(np.load(tmp_path / "out.npz")["out0"], want)
    np.savez(tmp_path / "in.npz", **{"in0.0": a, "in1": a, "in2.0": b, "in2.1": two})
    done = run(model, tmp_path / "in.npz", tmp_path / "out.npz")
    assert done.returncode == 0, done.stderr
    want = _as_numpy(_python(model, [a], a, (b, 2)))
    np.testing.assert_array_equal(np.load(tmp_path / "out.npz")["out0"], want)
    np.savez(tmp_path / "in.npz", **{"in1": a, "in2.0": b, "in2.1": two})
    done = run(model, tmp_path / "in.npz", tmp_path / "out.npz")
    assert done.returncode == 1 and "in0 is missing" in done.stderr
    np.savez(tmp_path / "in.npz", **{"in0.0": a, "in0.2": a, "in2.0": b, "in2.1": two})
    done = run(model, tmp_path / "in.npz", tmp_path / "out.npz")
    assert done.returncode == 1 and "in0.1 is missing" in done.stderr


def test_the_runtime_linked_into_ember_run_is_at_most_2_mb_stripped(tmp_path):
    """Issue 12's size budget: the runtime (BLAS apart, a shared library) linked into a
    minimal program, ember-run, and stripped."""
    stripped = tmp_path / "ember-run"
    subprocess.run(["strip", "-o", str(stripped), _ember_run()], check=True)
    assert stripped.stat().st_size <= 2_000_000
