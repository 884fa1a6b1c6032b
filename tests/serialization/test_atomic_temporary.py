"""The temporary file of an atomic save: unnamed where the filesystem allows, named otherwise,
and the next save of a path removes what killed saves left (never a live save's file).

The rule is the note "What a killed save leaves behind" in `ember.serializer.temporary`.
"""

import errno
import fcntl
import os
import random
import signal
import time

import numpy as np
import pytest

import ember
import ember.serialization as serialization
from ember.errors import SerializationError
from ember.serializer import temporary
from ember.serializer.atomic import write_atomic
from serialization_helpers import E

STALE = ".model.pt.0123456789ab.tmp"


@pytest.fixture(params=["unnamed", "named"])
def mode(request, monkeypatch):
    """Each test runs with O_TMPFILE and with the named fallback (O_TMPFILE missing)."""
    if request.param == "named":
        monkeypatch.delattr(os, "O_TMPFILE")
    return request.param


def _listing_during_the_write(monkeypatch, folder) -> list:
    """The listings of `folder`, one taken during each ember.save's write from now on."""
    seen = []
    real = serialization._write

    def write(obj, out, *args):
        seen.append(sorted(os.listdir(folder)))
        real(obj, out, *args)

    monkeypatch.setattr(serialization, "_write", write)
    return seen


def test_this_filesystem_gets_an_unnamed_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    ember.save(E(np.arange(3)), path)
    seen = _listing_during_the_write(monkeypatch, tmp_path)
    ember.save(E(np.arange(4)), path)  # replacing
    ember.save(E(np.arange(5)), tmp_path / "new.pt")  # creating
    assert seen == [["model.pt"], ["model.pt"]]
    assert sorted(os.listdir(tmp_path)) == ["model.pt", "new.pt"]
    assert ember.load(path).tolist() == [0, 1, 2, 3]


def test_a_new_file_is_linked_in_without_any_temporary_name(tmp_path, monkeypatch):
    names = []
    real_link = os.link

    def link(src, dst, **kw):
        names.append(dst)
        real_link(src, dst, **kw)

    monkeypatch.setattr(os, "link", link)
    monkeypatch.setattr(os, "replace", lambda *a: pytest.fail("renamed"))
    write_atomic(tmp_path / "new.pt", lambda f, prefix: f.write(b"x"))
    assert names == ["new.pt"] and (tmp_path / "new.pt").read_bytes() == b"x"


def test_the_named_fallback_writes_a_named_temporary(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "O_TMPFILE")
    path = tmp_path / "model.pt"
    seen = _listing_during_the_write(monkeypatch, tmp_path)
    ember.save(E(np.arange(3)), path)
    assert len(seen[0]) == 1 and temporary._pattern("model.pt").fullmatch(seen[0][0])
    assert os.listdir(tmp_path) == ["model.pt"]
    assert ember.load(path).tolist() == [0, 1, 2]


@pytest.mark.parametrize("code", [errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL])
def test_filesystems_refusing_o_tmpfile_fall_back_to_a_named_file(tmp_path, monkeypatch, code):
    real_open = os.open
    refused = []

    def open_(name, flags, *args, **kw):
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            refused.append(name)
            raise OSError(code, os.strerror(code), name)
        return real_open(name, flags, *args, **kw)

    monkeypatch.setattr(os, "open", open_)
    seen = _listing_during_the_write(monkeypatch, tmp_path)
    path = tmp_path / "model.pt"
    ember.save(E(np.arange(3)), path)
    ember.save(E(np.arange(4)), path)
    assert len(refused) == 2
    assert [len(names) for names in seen] == [1, 2]  # the named temporary (and the old file)
    assert os.listdir(tmp_path) == ["model.pt"] and ember.load(path).tolist() == [0, 1, 2, 3]


def test_other_errors_creating_the_temporary_name_the_users_path(tmp_path, monkeypatch, mode):
    real_open = os.open

    def full(name, flags, *args, **kw):
        if flags & os.O_CREAT or flags & getattr(os, "O_TMPFILE", 0):
            raise OSError(errno.ENOSPC, "No space left on device", name)
        return real_open(name, flags, *args, **kw)

    monkeypatch.setattr(os, "open", full)
    path = tmp_path / "model.pt"
    with pytest.raises(OSError, match="No space left") as info:
        ember.save(E(np.arange(3)), path)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)


def test_saving_into_a_missing_folder_names_the_path(tmp_path, mode):
    path = tmp_path / "missing" / "model.pt"
    for save in (
        lambda: ember.save(E(np.arange(3)), path),
        lambda: ember.save(E(np.arange(3)), path, _use_new_zipfile_serialization=False),
        lambda: ember.jit.save(ember.jit.script(ember.nn.ReLU()), path),
    ):
        with pytest.raises(SerializationError) as info:
            save()
        assert str(info.value) == (
            f"Parent directory {tmp_path / 'missing'} does not exist (saving to {path})"
        )


def test_the_next_save_removes_what_killed_saves_left(tmp_path, mode):
    path = tmp_path / "model.pt"
    (tmp_path / STALE).write_bytes(b"left by a killed save")
    (tmp_path / ".model.pt.ffffffffffff.tmp").write_bytes(b"another")
    ember.save(E(np.arange(3)), path)
    assert os.listdir(tmp_path) == ["model.pt"]


def test_only_embers_exact_names_for_that_path_are_removed(tmp_path, mode):
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"keep")
    keep = [
        ".model.pt.0123456789AB.tmp",  # not ember's lowercase hex
        ".model.pt.0123456789a.tmp",  # 11 digits
        ".model.pt.0123456789abc.tmp",  # 13 digits
        ".other.pt.0123456789ab.tmp",  # another target's
        "model.pt.0123456789ab.tmp",  # not hidden
        ".model.pt.0123456789ab.tmp~",
        ".model.pt.0123456789ab.tmpx",
        ".model.pt.0123456789ab",
    ]
    for name in keep:
        (tmp_path / name).write_bytes(b"keep")
    (tmp_path / ".model.pt.aaaaaaaaaaaa.tmp").symlink_to(outside)
    (tmp_path / ".model.pt.bbbbbbbbbbbb.tmp").mkdir()
    ember.save(E(np.arange(3)), tmp_path / "model.pt")
    expected = keep + ["model.pt", "outside.bin", ".model.pt.aaaaaaaaaaaa.tmp"]
    expected.append(".model.pt.bbbbbbbbbbbb.tmp")
    assert sorted(os.listdir(tmp_path)) == sorted(expected)
    assert outside.read_bytes() == b"keep"


def test_a_concurrent_saves_locked_temporary_is_kept(tmp_path, mode):
    """Another save of the same path holds a lock on its temporary file while it lives."""
    live = tmp_path / STALE
    fd = os.open(live, os.O_WRONLY | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        ember.save(E(np.arange(3)), tmp_path / "model.pt")
        assert live.exists()
    finally:
        os.close(fd)  # that save ends (or dies): its lock goes
    ember.save(E(np.arange(3)), tmp_path / "model.pt")
    assert os.listdir(tmp_path) == ["model.pt"]


def test_a_clean_up_between_creating_and_locking_a_named_temporary(tmp_path, monkeypatch):
    """A named temporary exists, unlocked, for an instant after it is created; a clean-up
    that takes it then makes the save start over with a new name, not fail."""
    monkeypatch.delattr(os, "O_TMPFILE")
    path = tmp_path / "model.pt"
    real_lock, removed = temporary._lock, []

    def lock(fd):
        if not removed:
            removed.extend(temporary.remove_stale(str(path)))
        real_lock(fd)

    monkeypatch.setattr(temporary, "_lock", lock)
    ember.save(E(np.arange(3)), path)
    assert len(removed) == 1 and os.listdir(tmp_path) == ["model.pt"]
    assert ember.load(path).tolist() == [0, 1, 2]


def test_a_save_killed_between_link_and_rename(tmp_path, monkeypatch):
    """The only moment an unnamed temporary has a name; the next save removes it."""
    path = tmp_path / "model.pt"
    ember.save(E(np.arange(3)), path)
    before = path.read_bytes()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child dies)
        os.replace = lambda *a, **kw: os.kill(os.getpid(), signal.SIGKILL)
        ember.save(E(np.arange(9)), path)
        os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    (left,) = [n for n in os.listdir(tmp_path) if n != "model.pt"]
    assert temporary._pattern("model.pt").fullmatch(left) and path.read_bytes() == before
    ember.save(E(np.arange(4)), path)
    assert os.listdir(tmp_path) == ["model.pt"] and ember.load(path).tolist() == [0, 1, 2, 3]


def _big_state():
    return {f"w{i}": E(np.full(1 << 20, i, np.float32)) for i in range(4)}  # 16 MiB


def test_repeatedly_killed_saves_keep_the_file_and_leave_nothing(tmp_path, mode):
    """20 saves SIGKILLed at random moments: the file stays whole each time, and the next
    save leaves only the file (without the fix: up to one 16 MiB temporary per kill)."""
    path, state, rng = tmp_path / "model.pt", _big_state(), random.Random(1)
    ember.save(state, path)
    before, leftovers = path.read_bytes(), 0
    for _ in range(20):
        pid = os.fork()
        if pid == 0:  # pragma: no cover (killed)
            try:
                while True:
                    ember.save(state, path)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.002, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert path.read_bytes() == before
        leftovers += len(os.listdir(tmp_path)) - 1
    if mode == "named":
        assert leftovers >= 1  # the kills did land mid-write
    ember.save(state, path)
    assert os.listdir(tmp_path) == ["model.pt"]
    assert ember.load(path)["w3"].tolist()[:2] == [3.0, 3.0]


def test_a_missing_relative_folder_is_named_as_given(tmp_path, monkeypatch, mode):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SerializationError, match=r"^Parent directory a/b does not exist \("):
        ember.save(E(np.arange(3)), "a/b/model.pt")
