"""Raw deflate streams for the compressed records of an archive (its code files).

`isal` compresses a few times faster than zlib and, unlike `zlib.compress`, sets up its state
cheaply: an archive's handful of small code records cost microseconds each instead of tens
(in a fresh process `zlib.compress` spends ~60 µs per call setting up its quarter-megabyte
state). zlib is the fallback. The streams differ from miniz's (PyTorch's) byte for byte, as
any two deflaters' do; every inflater reads them, and the zip records carry the CRC of the
uncompressed bytes.

Example:
    >>> import zlib
    >>> zlib.decompress(deflate(b"abc" * 100), -15) == b"abc" * 100
    True
"""

from __future__ import annotations

import zlib

try:
    from isal.isal_zlib import compress as _isal_compress
except ImportError:  # pragma: no cover - isal is a declared dependency
    _isal_compress = None

__all__ = ["deflate"]

# isal's fastest level (of 0-3): code records come out ~15% larger than at level 1 (about as
# small as zlib's 6) in half the time; they are a few kilobytes beside the weights.
_LEVEL = 0


def deflate(data) -> bytes:
    """The raw deflate stream (no zlib header or trailer) of `data`, any buffer."""
    if _isal_compress is not None:
        return _isal_compress(data, _LEVEL, wbits=-15)
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()
