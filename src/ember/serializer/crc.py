"""CRC-32 (the zip polynomial), as fast as the machine allows.

`isal` computes it several times faster than zlib; zlib is the fallback. Both release the GIL on
large buffers, so a background thread can checksum one chunk while the caller does I/O on the
next (`CrcPipe`).

Example:
    >>> crc32(b"hello")
    907060870
"""

from __future__ import annotations

import queue
import threading
import zlib

try:
    from isal.isal_zlib import crc32 as _fast_crc32
except ImportError:  # pragma: no cover - isal is a declared dependency
    _fast_crc32 = zlib.crc32

__all__ = ["crc32", "CrcPipe"]

CHUNK = 16 << 20


def crc32(data, value: int = 0) -> int:
    """CRC-32 of `data` (any buffer), continuing from `value`."""
    return _fast_crc32(data, value) & 0xFFFFFFFF


class CrcPipe:
    """Checksums buffers on a background thread while the caller keeps doing I/O.

    `feed(tag, chunk)` queues a chunk of record `tag` (chunks of one tag arrive in order);
    `wait()` blocks until everything fed so far is done and returns {tag: crc};
    `close()` stops the thread.
    """

    def __init__(self):
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._crcs: dict = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            tag, chunk = item
            try:
                self._crcs[tag] = crc32(chunk, self._crcs.get(tag, 0))
            except BaseException as exc:  # noqa: BLE001 - reported by finish()
                self._error = exc

    def feed(self, tag, chunk) -> None:
        self._crcs.setdefault(tag, 0)
        self._queue.put((tag, chunk))

    def wait(self) -> dict:
        done = threading.Event()
        self._queue.put(done)
        done.wait()
        if self._error is not None:
            raise self._error
        return self._crcs

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
