"""Fuzzing ember.load: every damaged file loads or raises an ember error, never anything raw.

Seeds are valid files from ember.save and torch.save (zip, legacy, compact); mutants are made
with a fixed seed (see fuzz_corpus / fuzz_pickle); tools/fuzz_serialization.py runs more of them.
"""

import io
import os
import random
import struct
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
import fuzz_corpus
import fuzz_pickle
from ember.serializer.zipwriter import ZipWriter
from fuzz_pickle import short

PER_SEED = 150


@pytest.fixture(scope="module")
def corpus(torch):
    return fuzz_corpus.seeds(torch)


def _loads(data: bytes, trusted: bool, path: str):
    yield "weights_only", lambda: ember.load(io.BytesIO(data))
    if trusted:
        yield "weights_only=False", lambda: ember.load(io.BytesIO(data), weights_only=False)
    if data.startswith(b"PK"):
        with open(path, "wb") as f:
            f.write(data)
        yield "mmap", lambda: ember.load(path, mmap=True)


def _fail_report(failures: list) -> str:
    return f"{len(failures)} raw outcomes, first ones:\n" + "\n".join(failures[:5])


def test_harness_catches_raw_exceptions_and_hangs():
    assert fuzz_corpus.run_load(lambda: ember.load(io.BytesIO(b"junk")))[0] == "SerializationError"
    outcome, detail = fuzz_corpus.run_load(lambda: {}["missing"])
    assert outcome == "FAIL" and "KeyError" in detail

    def spin():
        while True:
            pass

    outcome, detail = fuzz_corpus.run_load(spin, limit=0.2)
    assert outcome == "FAIL" and "Hang" in detail

    outcome, detail = fuzz_corpus.run_load(
        lambda: _raise(ember.SerializationError("x: MemoryError"))
    )
    assert outcome == "FAIL" and "unchecked" in detail


def _raise(exc):
    raise exc


def test_seeds_load(corpus):
    assert len(corpus) >= 14
    for name, data in corpus:
        assert fuzz_corpus.run_load(lambda: ember.load(io.BytesIO(data)))[0] == "ok", name


def test_mutants_raise_only_ember_errors(corpus, tmp_path):
    rng = random.Random(20261123)
    path = str(tmp_path / "mutant.pt")
    failures, outcomes = [], {}
    for name, data in corpus:
        for what, mutant in fuzz_corpus.mutants(name, data, rng, PER_SEED):
            trusted = name.startswith("ember") and ": pickle " not in what
            for mode, load in _loads(mutant, trusted, path):
                outcome, detail = fuzz_corpus.run_load(load)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
                if outcome == "FAIL":
                    failures.append(f"--- {what} [{mode}]\n{detail}")
    assert not failures, _fail_report(failures)
    assert outcomes["SerializationError"] > 500 and outcomes["ok"] > 50


def _argument_variants(pkl: bytes):
    """(description, pickle) with each int and str argument replaced by each interesting value."""
    ops = fuzz_pickle.decode(pkl)
    for i, (name, arg) in enumerate(ops):
        if name in ("PROTO", "BINPUT", "LONG_BINPUT") or isinstance(arg, bool):
            continue
        if isinstance(arg, int):
            values = fuzz_pickle.INTERESTING_INTS
        elif isinstance(arg, str) and name != "GLOBAL":
            values = fuzz_pickle.INTERESTING_STRS
        else:
            continue
        for value in values:
            changed = ops[:i] + [(name, value)] + ops[i + 1 :]
            yield f"op {i} {name} {short(arg)} -> {short(value)}", fuzz_pickle.encode(changed)


def _every_argument_mutant(data: bytes):
    """Every argument variant of a zip file's data.pkl (repacked, valid CRCs)."""
    for what, pkl in _argument_variants(fuzz_corpus.ZipReader(data).read("data.pkl")):
        yield what, fuzz_corpus.repack(data, {"data.pkl": pkl})


def _every_legacy_argument_mutant(data: bytes):
    """Every argument variant of each of a legacy file's five pickles (magic number, ...)."""
    cuts = fuzz_corpus.legacy_cuts(data)
    for k in range(5):
        for what, pkl in _argument_variants(data[cuts[k] : cuts[k + 1]]):
            yield f"pickle {k} {what}", data[: cuts[k]] + pkl + data[cuts[k + 1] :]


@pytest.mark.parametrize("seed", ["ember-zip-views", "torch-zip-views", "ember-zip-state_dict"])
def test_persistent_ids_and_rebuild_arguments(corpus, seed):
    """Storage ids (numel, key, type), offsets, sizes, strides: every value tried."""
    data = dict(corpus)[seed]
    failures, count = [], 0
    for what, mutant in _every_argument_mutant(data):
        count += 1
        outcome, detail = fuzz_corpus.run_load(lambda m=mutant: ember.load(io.BytesIO(m)))
        if outcome == "FAIL":
            failures.append(f"--- {what}\n{detail}")
    assert count > 300
    assert not failures, _fail_report(failures)


@pytest.mark.parametrize("seed", ["ember-legacy-views", "torch-legacy-views"])
def test_legacy_headers_and_storage_ids(corpus, seed):
    """Magic number, protocol version, sys_info, 6-tuple storage ids, key list: every value."""
    failures, count = [], 0
    for what, mutant in _every_legacy_argument_mutant(dict(corpus)[seed]):
        count += 1
        for weights_only in (True, False) if seed.startswith("ember") else (True,):
            load = lambda m=mutant, w=weights_only: ember.load(io.BytesIO(m), weights_only=w)  # noqa: E731
            outcome, detail = fuzz_corpus.run_load(load)
            if outcome == "FAIL":
                failures.append(f"--- {what} weights_only={weights_only}\n{detail}")
    assert count > 300
    assert not failures, _fail_report(failures)


_OPS = st.sampled_from(
    [
        ("MARK", None),
        ("EMPTY_DICT", None),
        ("EMPTY_LIST", None),
        ("EMPTY_TUPLE", None),
        ("TUPLE", None),
        ("TUPLE1", None),
        ("TUPLE2", None),
        ("TUPLE3", None),
        ("REDUCE", None),
        ("BUILD", None),
        ("SETITEMS", None),
        ("SETITEM", None),
        ("APPENDS", None),
        ("APPEND", None),
        ("BINPERSID", None),
        ("NEWOBJ", None),
        ("POP", None),
        ("DUP", None),
        ("NONE", None),
        ("NEWTRUE", None),
        ("NEWFALSE", None),
        ("STOP", None),
        ("BINGET", 0),
        ("BINPUT", 0),
        ("BINGET", 3),
        ("GLOBAL", "torch._utils _rebuild_tensor_v2"),
        ("GLOBAL", "torch._utils _rebuild_parameter"),
        ("GLOBAL", "torch FloatStorage"),
        ("GLOBAL", "torch LongStorage"),
        ("GLOBAL", "collections OrderedDict"),
        ("GLOBAL", "torch.storage UntypedStorage"),
        ("GLOBAL", "builtins set"),
        ("GLOBAL", "torch float32"),
        ("BINUNICODE", "storage"),
        ("BINUNICODE", "0"),
        ("BINUNICODE", "cpu"),
        ("BINBYTES", b"\x00"),
    ]  # fmt: skip
    + [("BININT", v) for v in fuzz_pickle.INTERESTING_INTS]
)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(st.lists(_OPS, min_size=1, max_size=40))
def test_random_opcode_streams(ops):
    pkl = b"\x80\x02" + fuzz_pickle.encode(ops) + b"."
    data = fuzz_corpus.checkpoint(pkl, {"data/0": bytes(range(16))})
    outcome, detail = fuzz_corpus.run_load(lambda: ember.load(io.BytesIO(data)))
    assert outcome != "FAIL", detail


@pytest.mark.parametrize("op", [b"r\x00\x00\x00\x04", b"p67108864\n"])
def test_memo_index_bomb_is_refused_before_allocating(op):
    """A 10-byte pickle naming memo slot 2**26 would make the C unpickler allocate ~1 GiB."""
    data = fuzz_corpus.checkpoint(b"\x80\x02N" + op + b".", {})
    with pytest.raises(ember.SerializationError, match="memo index 67108864"):
        ember.load(io.BytesIO(data), weights_only=False)
    assert ember.load(io.BytesIO(data)) is None  # the dict memo of weights_only=True is harmless


def test_views_numpy_cannot_describe_are_refused():
    for size, stride, match in [
        ((0, 2**62), (1, 1), "too large"),
        ((1,), (2**62,), "too large"),
        ((1,) * 65, (1,) * 65, "65 dimensions"),
    ]:
        pid = [
            ("MARK", None),
            ("BINUNICODE", "storage"),
            ("GLOBAL", "torch FloatStorage"),
            ("BINUNICODE", "0"),
            ("BINUNICODE", "cpu"),
            ("BININT", 4),
            ("TUPLE", None),
        ]
        ops = [("PROTO", 2), ("GLOBAL", "torch._utils _rebuild_tensor_v2"), ("MARK", None),
               *pid, ("BINPERSID", None), ("BININT", 0),
               ("MARK", None), *[("BININT", n) for n in size], ("TUPLE", None),
               ("MARK", None), *[("BININT", n) for n in stride], ("TUPLE", None),
               ("NEWFALSE", None), ("EMPTY_DICT", None), ("TUPLE", None), ("REDUCE", None),
               ("STOP", None)]  # fmt: skip
        data = fuzz_corpus.checkpoint(fuzz_pickle.encode(ops), {"data/0": bytes(16)})
        with pytest.raises(ember.SerializationError, match=match):
            ember.load(io.BytesIO(data))


_CAPPED = textwrap.dedent(
    """
    import io, resource, sys
    import ember
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
    failures = 0
    for arg in sys.argv[2:]:
        path, _, mode = arg.partition(":")
        try:
            ember.load(path, weights_only=mode != "full")
        except ember.SerializationError:
            pass
        except BaseException as exc:
            print(path, type(exc).__name__, exc)
            failures += 1
    print("done", failures)
    """
)


def test_huge_sizes_stay_within_a_memory_cap(corpus, tmp_path):
    """Huge numel / sizes in a subprocess capped at its start size + 300 MiB: no MemoryError."""
    rng = random.Random(5)
    paths = []
    for name, data in corpus:
        if not data.startswith(b"PK"):
            mutants = list(fuzz_corpus.mutants(name, data, rng, 30))
        else:
            big = {short(v) for v in fuzz_pickle.INTERESTING_INTS if abs(v) >= 2**31}
            mutants = [m for m in _every_argument_mutant(data) if m[0].split("-> ")[1] in big]
            mutants = rng.sample(mutants, min(20, len(mutants)))
        for i, (_, mutant) in enumerate(mutants):
            paths.append(str(tmp_path / f"{name}-{i}.pt"))
            with open(paths[-1], "wb") as f:
                f.write(mutant)
    for i, op in enumerate(_LENGTH_BOMBS):
        paths.append(str(tmp_path / f"bomb-{i}.pt"))
        with open(paths[-1], "wb") as f:
            f.write(fuzz_corpus.checkpoint(b"\x80\x04" + op + b"x" * 100 + b".", {}))
        paths += [paths[-1] + ":full"]
    base = _address_space_after_import()
    cap = base + (300 << 20)
    result = subprocess.run(
        [sys.executable, "-c", _CAPPED, str(cap), *paths], capture_output=True, text=True,
        timeout=120, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert result.stdout.strip().endswith("done 0"), result.stdout[-2000:] + result.stderr[-2000:]


# Opcodes claiming 2 GiB (BINBYTES8, BYTEARRAY8, BINUNICODE8) and memo slot 2**28.
_LENGTH_BOMBS = [
    b"\x8e" + struct.pack("<Q", 2**31),
    b"\x96" + struct.pack("<Q", 2**31),
    b"\x8d" + struct.pack("<Q", 2**31),
    b"N" + b"r" + struct.pack("<I", 2**28),
]


def test_deflated_records_cannot_inflate_far_beyond_the_file():
    bomb = b"\x80\x02N" + b"0" * (64 << 20) + b"."
    for name, body in [("data.pkl", bomb), ("version", b"3" + b" " * (1 << 20))]:
        buf = io.BytesIO()
        with ZipWriter(buf, "archive") as w:
            w.write_record("data.pkl", bomb if name == "data.pkl" else b"\x80\x02N.", True)
            w.write_record("version", body if name == "version" else b"3\n", True)
        with pytest.raises(
            ember.SerializationError, match=f"{name}.*(zip bomb|at most 64|pickle budget)"
        ):
            ember.load(io.BytesIO(buf.getvalue()))


def _address_space_after_import() -> int:
    code = "import ember\nprint(open('/proc/self/statm').read().split()[0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout) * os.sysconf("SC_PAGE_SIZE")
