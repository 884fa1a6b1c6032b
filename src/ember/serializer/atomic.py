"""Saving to a path atomically, and the folder name PyTorch puts an archive's records under.

`write_atomic(path, write)` calls `write(file, prefix)` on a temporary file beside `path`, syncs
it and renames it over `path`, so a crash or an error never leaves a half-written file where a
good one was; `archive_name(path)` is that `prefix` (the basename without its last extension).

Example:
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.pt")
    >>> write_atomic(path, lambda f, prefix: f.write(prefix.encode()))
    >>> open(path, "rb").read()
    b'model'
"""

from __future__ import annotations

import contextlib
import os
import secrets

from ember.errors import SerializationError

__all__ = ["write_atomic", "archive_name"]

_BUFFER = 1 << 20  # many small records (headers, pickles, code) reach the file in few writes


def archive_name(path: str) -> str:
    """The folder PyTorch puts records under: the file's basename without its last extension.

    >>> archive_name("/tmp/model.pt"), archive_name("a.b.c.pth"), archive_name("weird name.pt")
    ('model', 'a.b.c', 'weird name')
    """
    base = os.path.basename(path)
    if not base.isascii():
        return "archive"
    stem = base[: base.rfind(".")] if "." in base else base
    if not stem:
        raise SerializationError(f"invalid file name: {base}")
    return stem


def write_atomic(path, write) -> None:
    """Call `write(f, prefix)` on a temporary file beside `path`, fsync it, rename it over `path`.

    A symlink is written through (its target is replaced, as opening the path would); a path
    that is not a regular file (a device such as /dev/null, a FIFO) is written directly. An
    overwritten file keeps its mode.
    """
    path = os.fspath(path)
    prefix = archive_name(path)
    path = os.path.realpath(path)
    if os.path.exists(path) and not os.path.isfile(path):
        with open(path, "wb") as out:
            write(out, prefix)
        return
    folder = os.path.dirname(path)
    fd, tmp = _temporary_beside(path)
    try:
        with os.fdopen(fd, "wb", buffering=_BUFFER) as out:
            write(out, prefix)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def _temporary_beside(path: str) -> tuple[int, str]:
    """A new file next to `path`, created with mode 0o666 less the umask (as open() would)."""
    while True:
        tmp = f"{os.path.dirname(path)}/.{os.path.basename(path)}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
