"""Who wrote a zip checkpoint or archive: ember, torch, or unknown.

ember writes torch's records in torch's order, aligned as torch aligns them, often byte for
byte the same. The one record that differs is ``.data/serialization_id``, 40 digits both
writers compute from the records written before it, each its own way:

- torch (``PyTorchStreamWriter::writeSerializationId``): 20 digits of a hash of the record
  names (``std::hash`` values, combined in ``unordered_set`` order, so not recomputable
  portably), then 20 digits of the records' CRC-32s folded in file order with
  ``c10::hash_combine`` (``seed ^ (crc + 0x9e3779b9 + (seed << 6) + (seed >> 2))`` on 64
  bits), which is. The CRCs are taken from the data descriptors miniz writes, and it writes
  none for an empty record, so empty records are left out;
- ember (`ember.serializer.zipformat.serialization_id`): the CRC-32 of the full names
  joined by NUL bytes, then the CRCs folded as ``(h * 31 + crc) mod 10**20``.

A file whose id matches neither was changed after it was written (a record rewritten, as in
the upgrader fixtures) or written by another tool: its writer is unknown.

Example:
    >>> import io, ember
    >>> from ember.serializer.zipreader import ZipReader
    >>> buf = io.BytesIO()
    >>> ember.save([1, 2], buf)
    >>> writer_of(ZipReader(buf.getvalue()))["name"]
    'ember'
"""

from __future__ import annotations

from ember.serializer.zipformat import serialization_id
from ember.serializer.zipreader import ZipReader

__all__ = ["writer_of", "torch_crc_hash"]

_ID = ".data/serialization_id"
_MASK = (1 << 64) - 1


def torch_crc_hash(crcs) -> int:
    """The second half of torch's serialization id: CRCs folded with ``c10::hash_combine``.

    >>> torch_crc_hash([0]), torch_crc_hash([1, 2])
    (2654435769, 175247769363)
    """
    seed = 0
    for crc in crcs:
        seed = (seed ^ (crc + 0x9E3779B9 + ((seed << 6) & _MASK) + (seed >> 2))) & _MASK
    return seed


def writer_of(reader: ZipReader) -> dict:
    """``{"name": "ember" | "torch" | "unknown", "evidence": why}`` for an open zip file.

    >>> import io, zipfile
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     z.writestr("archive/data.pkl", b"")
    >>> writer_of(ZipReader(buf.getvalue()))["evidence"]
    'it has no .data/serialization_id record (written by an older torch or another tool)'
    """
    if not reader.has(_ID):
        return _unknown(f"it has no {_ID} record (written by an older torch or another tool)")
    found = reader.read(_ID, limit=64)
    names = list(zip(reader.order, reader.names()))
    before = names[: [short for _, short in names].index(_ID)]  # (`ember convert` appends)
    crcs = [reader.record(short).crc for _, short in before]
    if found == serialization_id([(full.encode(), c) for (full, _), c in zip(before, crcs)]):
        return {"name": "ember", "evidence": f"{_ID} is ember's hash of the records"}
    sized = [c for (_, short), c in zip(before, crcs) if reader.record(short).usize]
    if found[20:] == b"%020d" % torch_crc_hash(sized):
        return {"name": "torch", "evidence": f"{_ID} ends in torch's hash of the records' CRCs"}
    return _unknown(
        f"{_ID} is neither torch's nor ember's hash of the records: the file was changed "
        "after it was written, or another tool wrote it"
    )


def _unknown(why: str) -> dict:
    return {"name": "unknown", "evidence": why}
