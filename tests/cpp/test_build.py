"""The C++ SDK installed with the package works for a C++ user: examples/cpp configures with
`find_package(ember)` against the package's CMake config, builds, links ember::runtime and
runs an archive that ember.jit.save wrote, giving what the Python runtime gives."""

import subprocess
from pathlib import Path

import cmake
import ninja
import numpy as np
import pytest

import ember
import ember.cpp
import ember.nn as nn

ROOT = Path(__file__).resolve().parents[2]
CMAKE = Path(cmake.CMAKE_BIN_DIR) / "cmake"
NINJA = Path(ninja.BIN_DIR) / "ninja"


def _run(*args, cwd=None):
    run = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, f"{' '.join(map(str, args))}\n{run.stdout}\n{run.stderr}"
    return run.stdout


@pytest.fixture(scope="module")
def predict(tmp_path_factory):
    """examples/cpp built against the installed package: the `predict` executable."""
    build = tmp_path_factory.mktemp("example")
    _run(CMAKE, "-S", ROOT / "examples" / "cpp", "-B", build, "-G", "Ninja",
         f"-DCMAKE_MAKE_PROGRAM={NINJA}", f"-Dember_DIR={ember.cpp.cmake_dir()}",
         "-DCMAKE_BUILD_TYPE=Release")  # fmt: skip
    _run(CMAKE, "--build", build)
    return build / "predict"


class TwoLayers(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = nn.Linear(4, 3)
        self.l1 = nn.Linear(3, 2)

    def forward(self, x):
        if x.dim() > 1:
            return ember.zeros(1)
        return self.l1(nn.functional.relu(self.l0(x))) * 2


def _parse(out: str):
    lines = dict(line.split(":", 1) for line in out.strip().splitlines())
    sizes = [int(v) for v in lines["sizes"].split()]
    return sizes, np.array([float(v) for v in lines["values"].split()])


def test_the_package_ships_the_sdk():
    assert (ember.cpp.include_dir() / "ember" / "ember.h").is_file()
    assert (ember.cpp.cmake_dir() / "emberConfig.cmake").is_file()
    assert (ember.cpp.cmake_dir() / "emberTargets.cmake").is_file()


def test_the_example_builds_with_find_package(predict):
    assert predict.is_file()
    usage = subprocess.run([str(predict)], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2
    assert "usage:" in usage.stderr


def test_the_example_reports_a_missing_archive(predict, tmp_path):
    run = subprocess.run(
        [str(predict), str(tmp_path / "missing.pt"), "1"], capture_output=True, text=True
    )
    assert run.returncode == 1
    assert run.stderr.startswith("error: ")


def test_the_example_runs_an_ember_archive_as_python_does(predict, tmp_path):
    ember.manual_seed(0)
    module = ember.jit.script(TwoLayers())
    path = tmp_path / "two_layers.pt"
    ember.jit.save(module, path)
    x = [1.0, -2.0, 3.5, 0.25]
    expected = ember.jit.load(path)(ember.tensor(x))

    sizes, values = _parse(_run(predict, path, *x))
    assert sizes == list(expected.shape)
    np.testing.assert_allclose(values, expected.numpy(), rtol=1e-5)
