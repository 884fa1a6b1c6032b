"""Hostile zip containers (issue 13, findings 2, 3, 4 and 6): repeated record names, directory
and inflation budgets, files truncated under a mapping, mmap of a file object."""

import io
import signal
import tracemalloc

import pytest

import ember
from crafted import checkpoint
from ember.serializer import zipreader
from ember.serializer.zipwriter import ZipWriter
from hostile_files import (
    PROTO,
    STOP,
    jit_archive,
    rezip,
    run_python,
    saved,
    small_state,
    zip_checkpoint,
)

HARMLESS = PROTO + b"K\x01" + STOP
OTHER = PROTO + b"K\x02" + STOP


def _two_pickles(second_name: str) -> bytes:
    buf = io.BytesIO()
    with ZipWriter(buf, "archive") as w:
        w.write_record("data.pkl", HARMLESS)
        w.write_record(second_name, OTHER)
        w.write_record("version", b"3\n")
    return buf.getvalue()


@pytest.mark.parametrize("second", ["data.pkl", "DATA.pkl", "Data.PKL"])
def test_repeated_record_names_are_refused(second):
    with pytest.raises(ember.SerializationError, match="more than once") as info:
        ember.load(io.BytesIO(_two_pickles(second)))
    assert "data.pkl" in str(info.value).lower()


def test_repeated_names_are_refused_with_mmap(tmp_path):
    path = tmp_path / "dup.pt"
    path.write_bytes(_two_pickles("DATA.PKL"))
    with pytest.raises(ember.SerializationError, match="more than once"):
        ember.load(path, mmap=True)


@pytest.mark.parametrize("repeat", ["data.pkl", "CONSTANTS.PKL"])
def test_repeated_names_are_refused_by_jit_load(tmp_path, repeat):
    archive = jit_archive()
    twice = rezip(archive, extra=[(repeat, b"x")])
    with pytest.raises(ember.SerializationError, match="more than once"):
        ember.jit.load(io.BytesIO(twice))
    path = tmp_path / "dup.pt"
    path.write_bytes(twice)
    with pytest.raises(ember.SerializationError, match="more than once"):
        ember.jit.load(path)


def test_directory_entries_are_budgeted_by_file_size():
    """A small analogue of 2,000,000 central entries in 98 MB: entries that all share one
    local header cost 46 bytes each but far more in memory; the budget is one per 64 bytes."""
    good = checkpoint(HARMLESS)
    reader = zipreader.ZipReader(good)
    head = reader.records["archive/data.pkl"]
    entries = 3000
    central = b"".join(
        zipreader._CENTRAL.pack(0x02014B50, 20, 20, 0, 0, 0, 0, head.crc, head.csize,
                                head.usize, 6, 0, 0, 0, 0, 0, head.header_offset)
        + f"a{i:05d}".encode()
        for i in range(entries)
    )  # fmt: skip
    body = good[: good.index(b"PK\x01\x02")]
    end = zipreader._EOCD.pack(0x06054B50, 0, 0, entries, entries, len(central), len(body), 0)
    bomb = body + central + end
    with pytest.raises(ember.SerializationError, match="directory entries") as info:
        zipreader.ZipReader(bomb)
    assert "64 bytes" in str(info.value)
    assert zipreader.ZipReader(good).names()  # genuine files stay well inside it


def test_a_deflated_pickle_may_not_inflate_past_the_ratio_budget():
    """8 KB of deflated EMPTY_SET opcodes made 1.8 GB of sets: pickles inflate at most
    PICKLE_RATIO times their compressed size."""
    bomb = zip_checkpoint(PROTO + b"\x8f" * (1 << 19) + STOP, compress=True)
    assert len(bomb) < 8192
    tracemalloc.start()
    try:
        with pytest.raises(ember.SerializationError, match="pickle budget") as info:
            ember.load(io.BytesIO(bomb))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20
    assert "data.pkl" in str(info.value)


def test_ordinary_deflated_pickles_still_load():
    state = {f"layer{i}.weight": ember.zeros(2) for i in range(300)}
    plain = saved(state)
    squeezed = rezip(plain)  # same records, but data.pkl deflated below
    reader = zipreader.ZipReader(squeezed)
    buf = io.BytesIO()
    with ZipWriter(buf, reader.prefix) as w:
        for name in reader.names():
            w.write_record(name, reader.read(name), compress=name == "data.pkl")
    assert zipreader.ZipReader(buf.getvalue()).record("data.pkl").method == 8
    back = ember.load(io.BytesIO(buf.getvalue()))
    assert sorted(back) == sorted(state)


_TRUNCATE_AFTER_MAPPING = """
    import os, sys
    import numpy as np
    import ember
    path, which = sys.argv[1], sys.argv[2]
    real = np.memmap
    def map_then_truncate(*args, **kwargs):
        mapping = real(*args, **kwargs)
        os.truncate(path, 100)  # another process cuts the file once ember has mapped it
        return mapping
    np.memmap = map_then_truncate
    try:
        if which == "load":
            ember.load(path, mmap=True)
        else:
            ember.jit.load(path)
    except ember.SerializationError as exc:
        print("refused:", exc)
"""


@pytest.mark.parametrize("which", ["load", "jit"])
def test_truncation_after_mapping_does_not_kill_the_process(tmp_path, which):
    """The directory and pickles are read with ordinary reads, not through the mapping: a
    file cut short under the mapping is an error, not SIGBUS. (Touching tensor data of a
    mapping whose file was cut is the operating system's business: SIGBUS.)"""
    path = tmp_path / "m.pt"
    if which == "load":
        ember.save(small_state(), path)
    else:
        m = ember.jit.script(ember.nn.Linear(128, 128))
        ember.jit.save(m, path)
    assert path.stat().st_size > 60_000
    done = run_python(_TRUNCATE_AFTER_MAPPING, str(path), which)
    assert done.returncode != -signal.SIGBUS, done.stderr
    assert done.returncode == 0, done.stderr
    assert "refused:" in done.stdout and "truncated" in done.stdout


def test_mmap_refuses_file_objects_as_torch_does(tmp_path):
    """A file object positioned at a second checkpoint was mapped from byte 0 and loaded the
    first checkpoint; torch.load refuses file objects with mmap=True, and so does ember."""
    path = tmp_path / "two.pt"
    first, second = saved([ember.tensor([1.0])]), saved([ember.tensor([2.0])])
    path.write_bytes(first + second)
    with open(path, "rb") as f:
        f.seek(len(first))
        with pytest.raises(ember.SerializationError, match="file path"):
            ember.load(f, mmap=True)
        f.seek(len(first))
        assert ember.load(f)[0].tolist() == [2.0]
    with open(path, "rb") as f, pytest.raises(ember.SerializationError, match="file path"):
        ember.load(f, mmap=True)


def test_mmap_refusal_matches_torch(torch, tmp_path):
    path = tmp_path / "m.pt"
    torch.save([torch.ones(1)], path)
    with open(path, "rb") as f, pytest.raises(ValueError, match="file path"):
        torch.load(f, mmap=True)
