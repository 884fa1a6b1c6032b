"""One module loaded by the C++ runtime runs `forward` from 8 threads at once, each call
giving what a lone call gives: tests/cpp/threads/threads_check.cpp, built against the
installed package with find_package(ember)."""

import subprocess
from pathlib import Path

import cmake
import ninja
import pytest

import ember
import ember.cpp
import ember.nn as nn

HERE = Path(__file__).resolve().parent
CMAKE = Path(cmake.CMAKE_BIN_DIR) / "cmake"
NINJA = Path(ninja.BIN_DIR) / "ninja"


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(16, 64)
        self.l1 = nn.Linear(64, 64)
        self.l2 = nn.Linear(64, 4)

    def forward(self, x):
        return self.l2(self.l1(self.l0(x)))


class Loop(nn.Module):
    def forward(self, x):
        sizes: list[int] = []
        y = x
        for i in range(x.size(0)):
            y = ember.cat([y[1:], x[i : i + 1].t().reshape([1, -1])])
            sizes.append(y.size(0) + i)
        return y, sizes


def _run(*args):
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def threads_check(tmp_path_factory):
    build = tmp_path_factory.mktemp("threads")
    _run(CMAKE, "-S", HERE / "threads", "-B", build, "-G", "Ninja",
         f"-DCMAKE_MAKE_PROGRAM={NINJA}", f"-Dember_DIR={ember.cpp.cmake_dir()}",
         "-DCMAKE_BUILD_TYPE=Release")  # fmt: skip
    _run(CMAKE, "--build", build)
    return build / "threads_check"


@pytest.mark.parametrize("module, shape", [(MLP, (8, 16)), (Loop, (6, 5))])
def test_eight_threads_agree_with_one(threads_check, tmp_path, module, shape):
    path = tmp_path / "model.pt"
    ember.jit.save(ember.jit.script(module()), str(path))
    out = _run(threads_check, path, 8, 200, *shape)
    assert "0 mismatches, 0 errors" in out


def test_the_check_can_fail(threads_check, tmp_path):
    done = subprocess.run([str(threads_check), str(tmp_path / "missing.pt"), "2", "1", "3"],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1 and "missing.pt" in done.stderr
