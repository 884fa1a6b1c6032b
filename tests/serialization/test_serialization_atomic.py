"""Saving to a path is atomic: a save that fails or is killed mid-write leaves the old file whole.

Failures are simulated inside the write itself (after part of the checkpoint is on disk), for
both formats, as exceptions (disk full, Ctrl-C, fsync failing) and as a process killed outright.
A power failure cannot be simulated here; what protects against it is checked instead: when a
file is replaced, the new file's data is synced before the rename (see the note in
`ember.serializer.atomic`), and saves that replace nothing sync nothing.
"""

import errno
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ember
import ember.serialization as serialization
from serialization_helpers import E

FORMATS = [
    pytest.param(True, id="zip"),
    pytest.param(False, id="legacy"),
]


def _big_state():
    return {f"w{i}": E(np.full(64 << 10, i, np.float32)) for i in range(8)}  # 2 MiB


class _FailingFile:
    """Passes writes through to `f` until `budget` bytes are written, then raises `error`."""

    def __init__(self, f, budget: int, error: BaseException):
        self.f, self.budget, self.error = f, budget, error

    def write(self, data) -> int:
        n = memoryview(data).nbytes
        if n > self.budget:
            self.f.write(memoryview(data).cast("B")[: self.budget])
            self.f.flush()
            raise self.error
        self.budget -= n
        return self.f.write(data)


def _fail_midway(monkeypatch, error, budget=1 << 20):
    real = serialization._write

    def write(obj, out, *args):
        real(obj, _FailingFile(out, budget, error), *args)

    monkeypatch.setattr(serialization, "_write", write)


def _saved(tmp_path, zip_format):
    path = tmp_path / "model.pt"
    ember.save({"old": E(np.arange(5))}, path, _use_new_zipfile_serialization=zip_format)
    return path, path.read_bytes()


@pytest.mark.parametrize("zip_format", FORMATS)
@pytest.mark.parametrize(
    "error",
    [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()],
    ids=["disk full", "ctrl-c"],
)
def test_failure_mid_write_keeps_the_old_file(tmp_path, monkeypatch, zip_format, error):
    path, before = _saved(tmp_path, zip_format)
    _fail_midway(monkeypatch, error)
    with pytest.raises(type(error)):
        ember.save(_big_state(), path, _use_new_zipfile_serialization=zip_format)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.pt"]  # the partial temporary file is gone
    assert ember.load(path)["old"].tolist() == [0, 1, 2, 3, 4]


def test_the_simulated_failure_really_writes_part_of_a_file(tmp_path, monkeypatch):
    """The harness itself: without the atomic rename, the target would be half written."""
    target = tmp_path / "direct.pt"
    _fail_midway(monkeypatch, OSError(errno.ENOSPC, "full"), budget=100_000)
    with open(target, "wb") as f, pytest.raises(OSError):
        serialization._write(_big_state(), f, "direct", 2, True, True, False)
    assert target.stat().st_size == 100_000


def _spy_on_syncs(monkeypatch) -> list:
    """Record, in order, each sync (the synced file's inode) and each rename."""
    events = []

    def sync(fd):
        events.append(("sync", os.fstat(fd).st_ino))

    real_replace, real_link = os.replace, os.link

    def replace(src, dst):
        events.append(("rename", os.path.basename(dst)))
        real_replace(src, dst)

    def link(src, dst, **kw):
        if not dst.startswith("."):  # linked in under its final name (not a temporary one)
            events.append(("link", os.path.basename(dst)))
        real_link(src, dst, **kw)

    monkeypatch.setattr(os, "fsync", sync)
    monkeypatch.setattr(os, "fdatasync", sync, raising=False)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "link", link)
    return events


@pytest.mark.parametrize("zip_format", FORMATS)
def test_replacing_a_file_syncs_the_new_data_before_the_rename(tmp_path, monkeypatch, zip_format):
    path, _ = _saved(tmp_path, zip_format)
    events = _spy_on_syncs(monkeypatch)
    ember.save(_big_state(), path, _use_new_zipfile_serialization=zip_format)
    monkeypatch.undo()
    assert events == [("sync", path.stat().st_ino), ("rename", "model.pt")]


def test_replacing_an_archive_syncs_it_before_the_rename(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    module = ember.jit.script(ember.nn.Linear(2, 1))
    ember.jit.save(module, path)
    events = _spy_on_syncs(monkeypatch)
    ember.jit.save(module, path)
    monkeypatch.undo()
    assert events == [("sync", path.stat().st_ino), ("rename", "model.pt")]


def test_a_save_that_replaces_nothing_syncs_nothing(tmp_path, monkeypatch):
    """No old file to protect: no data sync, and no folder sync (the new name need not be
    durable)."""
    events = _spy_on_syncs(monkeypatch)
    ember.save(_big_state(), tmp_path / "new.pt")
    ember.jit.save(ember.jit.script(ember.nn.ReLU()), tmp_path / "new_archive.pt")
    monkeypatch.undo()
    assert events == [("link", "new.pt"), ("link", "new_archive.pt")]


def test_a_file_that_appears_during_the_save_is_protected_too(tmp_path, monkeypatch):
    """Whether a file is replaced is decided just before the rename."""
    path = tmp_path / "model.pt"
    real = serialization._write

    def write(obj, out, *args):
        path.write_bytes(b"written by someone else meanwhile")
        real(obj, out, *args)

    monkeypatch.setattr(serialization, "_write", write)
    events = _spy_on_syncs(monkeypatch)
    ember.save(E(np.arange(3)), path)
    monkeypatch.undo()
    assert events == [("sync", path.stat().st_ino), ("rename", "model.pt")]
    assert ember.load(path).tolist() == [0, 1, 2]


def test_fsync_failure_keeps_the_old_file(tmp_path, monkeypatch):
    path, before = _saved(tmp_path, True)

    def broken_fsync(fd):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    monkeypatch.setattr(os, "fdatasync", broken_fsync, raising=False)
    with pytest.raises(OSError, match="I/O error"):
        ember.save(_big_state(), path)
    monkeypatch.undo()
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["model.pt"]


_TEST_DIRS = [os.path.dirname(__file__), os.path.dirname(os.path.dirname(__file__))]


@pytest.mark.parametrize("zip_format", FORMATS)
def test_process_killed_mid_write_keeps_the_old_file(tmp_path, zip_format):
    path, before = _saved(tmp_path, zip_format)
    script = textwrap.dedent(
        f"""
        import os, sys
        import numpy as np
        import ember, ember.serialization as s
        sys.path[:0] = {_TEST_DIRS!r}
        from test_serialization_atomic import _big_state

        real = s._write

        class Dying:
            def __init__(self, f):
                self.f, self.left = f, 1 << 20
            def write(self, data):
                n = memoryview(data).nbytes
                if n > self.left:
                    self.f.write(memoryview(data).cast("B")[: self.left])
                    self.f.flush()
                    os._exit(3)  # killed: no cleanup, no rename
                self.left -= n
                return self.f.write(data)

        s._write = lambda obj, out, *args: real(obj, Dying(out), *args)
        ember.save(_big_state(), {str(path)!r}, _use_new_zipfile_serialization={zip_format})
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.pt"]  # the unnamed temporary died with the process
    assert ember.load(path)["old"].tolist() == [0, 1, 2, 3, 4]


def test_modes_of_new_and_overwritten_files(tmp_path):
    mask = os.umask(0o027)
    try:
        ember.save(E(np.ones(1)), tmp_path / "new.pt")
        assert (tmp_path / "new.pt").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(mask)
    old = tmp_path / "old.pt"
    ember.save(E(np.ones(1)), old)
    old.chmod(0o604)
    ember.save(E(np.zeros(1)), old)
    assert old.stat().st_mode & 0o777 == 0o604 and ember.load(old).tolist() == [0]


def test_symlinks_are_written_through(tmp_path, torch):
    real = tmp_path / "store" / "v3.pt"
    real.parent.mkdir()
    ember.save(E(np.ones(2)), real)
    link = tmp_path / "model.pt"
    link.symlink_to(real)
    ember.save(E(np.arange(3)), link)
    assert link.is_symlink() and ember.load(real).tolist() == [0, 1, 2]
    assert sorted(os.listdir(real.parent)) == ["v3.pt"]
    assert torch.load(link, weights_only=True).tolist() == [0, 1, 2]


def test_special_files_are_written_directly():
    ember.save(E(np.ones(2)), os.devnull)
    assert os.path.exists(os.devnull) and not os.path.isfile(os.devnull)


def test_gathered_writes_survive_partial_writes_and_a_missing_writev(tmp_path, monkeypatch):
    """The atomic stream hands its buffers to one writev; whatever the kernel leaves over
    (or everything, without writev) is written one buffer at a time, in order."""
    from ember.serializer.atomic import GatheredFile

    pieces = [b"header", np.arange(5, dtype=np.float32), memoryview(b"tail"), b""]
    expected = b"".join(bytes(memoryview(p).cast("B")) for p in pieces)
    real = os.writev

    def short_writev(fd, buffers):
        return real(fd, [memoryview(buffers[0])[:4]])

    for fake in (short_writev, None):
        monkeypatch.setattr(os, "writev", fake)
        path = tmp_path / "out.bin"
        with GatheredFile(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)) as f:
            f.writelines(pieces)
        assert path.read_bytes() == expected
