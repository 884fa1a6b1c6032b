"""A structure-aware mutator for the fuzzer: half the mutations change one record of a zip
input and write the archive again with valid CRCs (else nearly every byte-level mutation of a
zip stops at the CRC check), or one pickle of a legacy input at the opcode level; the other
half are libFuzzer's own byte-level mutations of the whole file.
"""

from __future__ import annotations

import io
import random
import zipfile

import atheris

import fuzz_pickle
from ember.serializer.zipwriter import ZipWriter

__all__ = ["mutate"]

_MAX_RECORDS = 64
_MAX_UNPACKED = 1 << 20


def _records(data: bytes) -> list[tuple[str, bytes, bool]] | None:
    """(name, contents, deflated) of each record, if `data` is a small, readable zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_RECORDS or sum(i.file_size for i in infos) > _MAX_UNPACKED:
                return None
            return [(i.filename, archive.read(i), i.compress_type != 0) for i in infos]
    except Exception:  # noqa: BLE001 (anything unreadable is left to byte-level mutation)
        return None


def _pickle_mutant(data: bytes, rng: random.Random) -> bytes:
    try:
        ops, _ = fuzz_pickle.mutate(fuzz_pickle.decode(data), rng)
        return fuzz_pickle.encode(ops)
    except Exception:  # noqa: BLE001 (not a pickle any more: mutate its bytes)
        return atheris.Mutate(data, len(data) * 2 + 64)


def _zip_mutant(records: list, rng: random.Random) -> bytes:
    records = list(records)
    i = rng.randrange(len(records))
    name, contents, deflated = records[i]
    if rng.random() < 0.05 and len(records) > 1:
        del records[i]
    elif name.endswith(".pkl") and rng.random() < 0.6:
        records[i] = (name, _pickle_mutant(contents, rng), deflated)
    else:
        records[i] = (name, atheris.Mutate(contents, len(contents) * 2 + 64), deflated)
    prefix = records[0][0].split("/", 1)[0] if "/" in records[0][0] else "archive"
    buf = io.BytesIO()
    with ZipWriter(buf, prefix) as writer:
        for name, contents, deflated in records:
            inner = name.split("/", 1)[1] if name.startswith(prefix + "/") else name
            writer.write_record(inner, contents, compress=deflated)
    return buf.getvalue()


def _legacy_mutant(data: bytes, rng: random.Random) -> bytes:
    """One of the legacy file's first four pickles (magic, protocol, sys_info, objects)."""
    try:
        starts = [0]
        for _ in range(4):
            starts.append(fuzz_pickle.pickle_end(data, starts[-1]))
    except Exception:  # noqa: BLE001
        return atheris.Mutate(data, len(data) * 2 + 64)
    k = rng.randrange(4)
    a, b = starts[k], starts[k + 1]
    return data[:a] + _pickle_mutant(data[a:b], rng) + data[b:]


def mutate(data: bytes, max_size: int, seed: int) -> bytes:
    """libFuzzer's custom mutator: one mutant of `data`, at most `max_size` bytes."""
    rng = random.Random(seed)
    if rng.random() < 0.5:
        records = _records(data) if data.startswith(b"PK") else None
        if records:
            out = _zip_mutant(records, rng)
        elif data[:2] == b"\x80\x02":  # a legacy file starts with a protocol-2 pickle
            out = _legacy_mutant(data, rng)
        else:
            out = b""
        if out and len(out) <= max_size:
            return out
    return atheris.Mutate(data, max_size)
