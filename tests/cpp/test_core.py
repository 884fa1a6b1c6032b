"""cpp_loader's core (dtypes, half types, conversions, strided loops, tensors, values) and its
npz reader and writer, built with AddressSanitizer and UndefinedBehaviorSanitizer from
tests/cpp/core and checked against torch and numpy."""

import random
import subprocess
from pathlib import Path

import cmake
import ml_dtypes
import ninja
import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
CMAKE = Path(cmake.CMAKE_BIN_DIR) / "cmake"
NINJA = Path(ninja.BIN_DIR) / "ninja"


def _run(*args, ok=(0,)):
    done = subprocess.run([str(a) for a in args], capture_output=True, timeout=600)
    out, err = done.stdout.decode("latin-1"), done.stderr.decode("latin-1")
    assert done.returncode in ok, f"{args}\n{out}\n{err}"
    assert "Sanitizer" not in err and "runtime error" not in err, err
    return done.returncode, out


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    build = tmp_path_factory.mktemp("core")
    _run(CMAKE, "-S", HERE / "core", "-B", build, "-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={NINJA}")
    _run(CMAKE, "--build", build)
    return build


def test_promote_types_matches_torch(build, tmp_path, torch):
    numbers = {0: torch.uint8, 1: torch.int8, 2: torch.int16, 3: torch.int32, 4: torch.int64,
               5: torch.float16, 6: torch.float32, 7: torch.float64, 9: torch.complex64,
               10: torch.complex128, 11: torch.bool, 15: torch.bfloat16}  # fmt: skip
    back = {d: n for n, d in numbers.items()}
    rows = [f"{a} {b} {back[torch.promote_types(da, db)]}"
            for a, da in numbers.items() for b, db in numbers.items()]  # fmt: skip
    (tmp_path / "promote.txt").write_text("\n".join(rows) + "\n")
    assert "144 pairs" in _run(build / "core_check", "promote", tmp_path / "promote.txt")[1]


def test_half_types_round_like_numpy_and_torch(build, tmp_path, torch):
    rng = np.random.default_rng(0)
    values = np.concatenate([
        rng.standard_normal(4000) * 10.0 ** rng.integers(-9, 6, 4000),
        [0.0, -0.0, np.inf, -np.inf, np.nan, 65504, 65520, 65519.99, 6e-8, 3e-8, 2.98e-8,
         6.1e-5, 5.96e-8, 1 / 3, 3e38, 1e-40, 0.1],
    ]).astype(np.float32)  # fmt: skip
    with np.errstate(over="ignore"):
        half = values.astype(np.float16).view(np.uint16)
    bf16 = torch.from_numpy(values).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    rows = [f"{b} {h} {f}" for b, h, f in zip(values.view(np.uint32), half, bf16)]
    (tmp_path / "half.txt").write_text("\n".join(rows) + "\n")
    assert f"{len(values)} values" in _run(build / "core_check", "half", tmp_path / "half.txt")[1]


def test_result_type_matches_ember(build, tmp_path):
    from ember import dtypes

    scalars = {"sb": True, "si": 1, "sf": 1.5, "sc": 1j}
    kinds = [f"t{d.scalar_type}:{nd}" for d in dtypes.ALL_DTYPES for nd in (0, 1)]
    kinds += list(scalars)

    def operand(kind):
        if kind in scalars:
            return scalars[kind]
        number, ndim = kind[1:].split(":")
        return (dtypes.from_scalar_type(int(number)), int(ndim))

    rng = random.Random(0)
    cases = [[a, b] for a in kinds for b in kinds]
    cases += [rng.sample(kinds, 3) for _ in range(500)]
    rows = [" ".join([str(dtypes.result_type(*map(operand, c)).scalar_type), *c]) for c in cases]
    (tmp_path / "result.txt").write_text("\n".join(rows) + "\n")
    out = _run(build / "core_check", "result", tmp_path / "result.txt")[1]
    assert f"{len(cases)} cases" in out


@pytest.mark.parametrize("part", ["tensor", "value", "iter", "copy"])
def test_core_checks(build, part):
    assert "ok (0 failures)" in _run(build / "core_check", part)[1]


def _arrays():
    rng = np.random.default_rng(1)
    return {
        "f32": rng.standard_normal((3, 4)).astype(np.float32),
        "f64": rng.standard_normal(5),
        "f16": rng.standard_normal((2, 2)).astype(np.float16),
        "bf16": rng.standard_normal(4).astype(ml_dtypes.bfloat16),
        "i8": np.arange(-5, 5, dtype=np.int8),
        "u8": np.arange(250, 256, dtype=np.uint8),
        "i16": np.arange(6, dtype=np.int16).reshape(2, 3),
        "i32": np.array([1, -2], np.int32),
        "i64": np.array(7),
        "bool": np.array([True, False, True]),
        "bool0": np.array(True),
        "c64": (rng.standard_normal(3) + 1j * rng.standard_normal(3)).astype(np.complex64),
        "c128": np.array([1 + 2j]),
        "empty": np.zeros((0, 3), np.float32),
        "fortran": np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4)),
        "big_endian": np.arange(6, dtype=">i4").reshape(2, 3),
        "big_complex": np.array([1 + 2j, 3 - 4j], dtype=">c16"),
    }


@pytest.mark.parametrize("save", [np.savez, np.savez_compressed])
def test_npz_round_trip(build, tmp_path, save):
    arrays = _arrays()
    save(tmp_path / "in.npz", **arrays)
    _, listing = _run(build / "npz_tool", tmp_path / "in.npz", tmp_path / "out.npz")
    assert "bf16 bfloat16 [4,]" in listing and "i64 int64 []" in listing
    back = np.load(tmp_path / "out.npz")
    assert list(back.keys()) == list(arrays)
    for name, want in arrays.items():
        got = back[name].view(ml_dtypes.bfloat16) if name == "bf16" else back[name]
        assert got.dtype == want.dtype.newbyteorder("="), name
        assert got.shape == want.shape and np.array_equal(got, want), name
        assert got.flags.c_contiguous


def test_npz_refuses_what_it_cannot_read(build, tmp_path):
    np.savez(tmp_path / "u16.npz", a=np.zeros(3, np.uint16))
    code, out = _run(build / "npz_tool", tmp_path / "u16.npz", ok=(2,))
    assert "unsupported npy dtype '<u2'" in out and "u16.npz:a.npy" in out
    np.savez(tmp_path / "rec.npz", a=np.zeros(3, [("x", np.int8)]))
    assert "structured" in _run(build / "npz_tool", tmp_path / "rec.npz", ok=(2,))[1]
    (tmp_path / "text.npz").write_text("not a zip file")
    assert "not a zip file" in _run(build / "npz_tool", tmp_path / "text.npz", ok=(2,))[1]


def test_damaged_npz_files_fail_cleanly(build, tmp_path):
    """Truncations and byte flips: an error or (rarely) a still-valid file, never a crash."""
    arrays = _arrays()
    np.savez(tmp_path / "stored.npz", **arrays)
    np.savez_compressed(tmp_path / "deflated.npz", **arrays)
    files = [(tmp_path / n).read_bytes() for n in ("stored.npz", "deflated.npz")]
    rng = random.Random(0)
    refused = 0
    for trial in range(300):
        data = bytearray(files[trial % 2])
        if trial % 3 == 0:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        (tmp_path / "damaged.npz").write_bytes(bytes(data))
        code, _ = _run(build / "npz_tool", tmp_path / "damaged.npz", ok=(0, 2))
        refused += code == 2
    assert refused > 250
