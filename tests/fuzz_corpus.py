"""Seed checkpoints and deterministic mutators for the serialization fuzzer.

`seeds(torch)` writes valid files with ember.save and torch.save (zip, legacy, compact);
`mutants(seed, rng, n)` yields (description, bytes) for damaged variants; `run_load` loads one
file and classifies the outcome: "ok", an ember error, or a failure (anything else, or a hang).
"""

import io
import signal
import struct
import traceback
from collections import OrderedDict

import numpy as np

import ember
import fuzz_pickle
from ember.errors import EmberError
from ember.nn.parameter import Parameter
from ember.serializer.zipreader import ZipReader
from ember.serializer.zipwriter import ZipWriter
from serialization_helpers import SAMPLES, E, V

INTERESTING = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE]


def ember_objects() -> dict:
    """Objects covering what checkpoints hold: every dtype, views, parameters, nesting."""
    base = E(np.arange(24, dtype=np.float32).reshape(4, 6))
    sd = OrderedDict([("l.weight", Parameter(E(np.ones((2, 3), np.float32)))), ("l.b", E([1.0]))])
    sd._metadata = OrderedDict([("", {"version": 1}), ("l", {"version": 2})])
    return {
        "dtypes": {k: E(v) for k, v in SAMPLES.items()},
        "views": [base, V(base, base._np[1:3, ::2]), V(base, base._np.T), E(np.float64(3.5))],
        "state_dict": sd,
        "nested": {"a": [(E(np.arange(3)), {"b": E(np.zeros((0, 2)))})], "n": 3, "s": "x"},
    }


def torch_objects(torch) -> dict:
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    sd = OrderedDict([("l.weight", torch.nn.Parameter(torch.ones(2, 3))), ("l.b", base[0])])
    sd._metadata = OrderedDict([("", {"version": 1})])
    return {
        "views": [base, base[1:3, ::2], base.t(), torch.tensor(2.0, dtype=torch.bfloat16)],
        "state_dict": sd,
        "dtypes": [torch.ones(2, dtype=d) for d in (torch.int8, torch.float16, torch.complex64)],
        "objects": _torch_objects_around_tensors(torch),
    }


def _torch_objects_around_tensors(torch) -> list:
    """Lazy conj/neg views, attributes on a tensor and a parameter, a device."""
    z = torch.tensor([1 + 2j, 3 - 1j, 0.5j]).expand(2, 3)
    tagged, param = torch.ones(2), torch.nn.Parameter(torch.zeros(2))
    tagged.note, param.step = "x", 3
    return [z.conj(), z[:, 1:]._neg_view(), tagged, param, torch.device("cuda", 1)]


def seeds(torch) -> list[tuple[str, bytes]]:
    """(name, file bytes) of valid checkpoints written by ember and by torch."""
    out = []
    for name, obj in ember_objects().items():
        for fmt, kw in (("zip", {}), ("legacy", {"_use_new_zipfile_serialization": False})):
            buf = io.BytesIO()
            ember.save(obj, buf, **kw)
            out.append((f"ember-{fmt}-{name}", buf.getvalue()))
    buf = io.BytesIO()
    ember.save(ember_objects()["views"][1], buf, compact=True)
    out.append(("ember-zip-compact", buf.getvalue()))
    for name, obj in torch_objects(torch).items():
        for fmt, new in (("zip", True), ("legacy", False)):
            buf = io.BytesIO()
            torch.save(obj, buf, _use_new_zipfile_serialization=new)
            out.append((f"torch-{fmt}-{name}", buf.getvalue()))
    return out


# -- structure ---------------------------------------------------------------------------------


def zip_layout(data: bytes) -> dict:
    """Offsets of a zip file's structures: local headers, data, central entries, end records."""
    reader = ZipReader(data)
    eocd = data.rfind(b"PK\x05\x06")
    cd_offset = struct.unpack_from("<I", data, eocd + 16)[0]
    entries, pos = [], cd_offset
    while data[pos : pos + 4] == b"PK\x01\x02":
        entries.append(pos)
        n, m, k = struct.unpack_from("<HHH", data, pos + 28)
        pos += 46 + n + m + k
    records = []
    for name in reader.names():
        rec = reader.record(name)
        records.append((name, rec.header_offset, reader.data_offset(name), rec.csize))
    return {"records": records, "central": entries, "cd_end": pos, "eocd": eocd}


def boundaries(data: bytes, layout: dict) -> list[int]:
    cuts = {0, 4, layout["eocd"], layout["eocd"] + 4, len(data) - 1}
    for _, header, start, size in layout["records"]:
        cuts.update({header, header + 30, start, start + size // 2, start + size})
    for entry in layout["central"]:
        cuts.update({entry, entry + 46})
    return sorted(c for c in cuts if 0 <= c < len(data))


def _put(data: bytearray, pos: int, width: int, value: int) -> None:
    data[pos : pos + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")


# Field (offset, width) in local headers, central entries, the end record.
_LOCAL_FIELDS = [(4, 2), (6, 2), (8, 2), (14, 4), (18, 4), (22, 4), (26, 2), (28, 2)]
_CENTRAL_FIELDS = [(10, 2), (16, 4), (20, 4), (24, 4), (28, 2), (30, 2), (32, 2), (42, 4)]
_EOCD_FIELDS = [(4, 2), (8, 2), (10, 2), (12, 4), (16, 4), (20, 2)]


def zip_mutant(data: bytes, layout: dict, rng) -> tuple[str, bytes]:
    out = bytearray(data)
    kind = rng.randrange(7)
    if kind == 0:
        cut = rng.choice(boundaries(data, layout)) + rng.choice((-1, 0, 0, 1))
        return f"truncate at {cut}", bytes(out[: max(cut, 0)])
    if kind in (1, 2):
        at, fields, what = _header(layout, rng, kind)
        off, width = rng.choice(fields)
        value = rng.choice(INTERESTING + [len(data), len(data) + 1, rng.getrandbits(32)])
        _put(out, at + off, width, value)
        return f"{what}+{off} = {value:#x}", bytes(out)
    if kind == 3:
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(out))
            out[pos] ^= 1 << rng.randrange(8)
        return "bit flips", bytes(out)
    if kind == 4:
        pos = rng.randrange(len(out))
        out[pos] = rng.choice((0x00, 0xFF, 0x7F, 0x80))
        return f"byte {pos} replaced", bytes(out)
    if kind == 5:
        return _edit_directory(data, layout, rng)
    off, width = rng.choice(_EOCD_FIELDS)
    _put(out, layout["eocd"] + off, width, rng.choice(INTERESTING))
    return f"end record +{off}", bytes(out)


def _header(layout, rng, kind):
    if kind == 1:
        _, header, _, _ = rng.choice(layout["records"])
        return header, _LOCAL_FIELDS, f"local header at {header}"
    entry = rng.choice(layout["central"])
    return entry, _CENTRAL_FIELDS, f"central entry at {entry}"


def _edit_directory(data: bytes, layout: dict, rng) -> tuple[str, bytes]:
    """Duplicate or remove a central-directory entry, fixing the end record's counts."""
    entries = layout["central"] + [layout["cd_end"]]
    i = rng.randrange(len(entries) - 1)
    entry = data[entries[i] : entries[i + 1]]
    cd = data[entries[0] : layout["cd_end"]]
    rel = entries[i] - entries[0]
    if rng.random() < 0.5:
        cd, count, what = cd[:rel] + entry + cd[rel:], 1, "duplicate"
    else:
        cd, count, what = cd[:rel] + cd[rel + len(entry) :], -1, "remove"
    eocd = bytearray(data[layout["eocd"] :])
    for off in (8, 10):
        _put(eocd, off, 2, struct.unpack_from("<H", eocd, off)[0] + count)
    _put(eocd, 12, 4, len(cd))
    rest = data[layout["cd_end"] : layout["eocd"]] + bytes(eocd)  # zip64 records keep old counts
    return f"{what} central entry {i}", data[: entries[0]] + cd + rest


def repack(data: bytes, replace: dict) -> bytes:
    """The archive rewritten (valid CRCs) with some records' contents replaced."""
    reader = ZipReader(data)
    buf = io.BytesIO()
    with ZipWriter(buf, reader.prefix or "archive") as w:
        for name in reader.names():
            w.write_record(name, replace.get(name, reader.read(name)))
    return buf.getvalue()


def checkpoint(pkl: bytes, records: dict) -> bytes:
    """A zip checkpoint around a hand-made data.pkl."""
    buf = io.BytesIO()
    with ZipWriter(buf, "archive") as w:
        w.write_record("data.pkl", pkl)
        for name, data in records.items():
            w.write_record(name, data)
        w.write_record("version", b"3\n")
    return buf.getvalue()


def pickle_mutant(data: bytes, rng, legacy: bool) -> tuple[str, bytes]:
    """A mutant whose object pickle is changed but whose container is intact."""
    if legacy:
        starts = [0]
        for _ in range(4):
            starts.append(fuzz_pickle.pickle_end(data, starts[-1]))
        a, b = starts[3], starts[4]
        ops, what = fuzz_pickle.mutate(fuzz_pickle.decode(data[a:b]), rng)
        return what, data[:a] + fuzz_pickle.encode(ops) + data[b:]
    ops, what = fuzz_pickle.mutate(fuzz_pickle.decode(ZipReader(data).read("data.pkl")), rng)
    return what, repack(data, {"data.pkl": fuzz_pickle.encode(ops)})


def legacy_cuts(data: bytes) -> list[int]:
    """Where each of the five pickles of a legacy file ends (start of storage data last)."""
    cuts = [0]
    for _ in range(5):
        cuts.append(fuzz_pickle.pickle_end(data, cuts[-1]))
    return cuts


def legacy_mutant(data: bytes, rng) -> tuple[str, bytes]:
    out = bytearray(data)
    cuts = legacy_cuts(data)
    kind = rng.randrange(4)
    if kind == 0:
        cut = rng.choice(cuts + [cuts[-1] + 8, len(data) - 1]) + rng.choice((-1, 0, 1))
        return f"truncate at {cut}", data[: max(cut, 0)]
    if kind == 1:  # magic number, protocol version, sys_info
        pos = rng.randrange(cuts[3])
        out[pos] = rng.choice((0x00, 0xFF, 0x7F, 0x80, 0x01))
        return f"header byte {pos}", bytes(out)
    if kind == 2:
        pos = rng.randrange(len(out))
        out[pos] ^= 1 << rng.randrange(8)
        return f"bit flip at {pos}", bytes(out)
    value = rng.choice(INTERESTING + [2**62, -1, -(2**63)])
    out[cuts[5] : cuts[5] + 8] = struct.pack("<q", value if value < 2**63 else -1)
    return f"first storage count = {value}", bytes(out)


def mutants(name: str, data: bytes, rng, n: int):
    """`n` (description, bytes) mutants of one seed."""
    legacy = not data.startswith(b"PK")
    layout = None if legacy else zip_layout(data)
    for i in range(n):
        if i % 3 == 0:
            what, out = pickle_mutant(data, rng, legacy)
            what = f"pickle {what}"
        elif legacy:
            what, out = legacy_mutant(data, rng)
        else:
            what, out = zip_mutant(data, layout, rng)
        yield f"{name}: {what}", out


# -- running -----------------------------------------------------------------------------------


# Wrapped into a SerializationError by the unpickler's catch-all, these still mean a missing check.
_UNCHECKED = ("MemoryError", "OverflowError", "ValueError", "RecursionError", "int_max_str")


class Hang(Exception):
    """A load that ran past its time limit."""


def _alarm(signum, frame):
    raise Hang("load did not finish in time")


def run_load(load, limit: float = 3.0) -> tuple[str, str | None]:
    """("ok" | error class name, None) or ("FAIL", traceback) for one load attempt."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        load()
        return "ok", None
    except EmberError as exc:
        if len(str(exc)) < 10:
            return "FAIL", f"{type(exc).__name__} with a vague message: {exc!r}"
        if any(name in str(exc) for name in _UNCHECKED):
            return "FAIL", f"an unchecked value reached numpy or memory: {exc}"
        return type(exc).__name__, None
    except BaseException as exc:  # noqa: BLE001  (everything else is the bug we look for)
        if isinstance(exc, KeyboardInterrupt):
            raise
        return "FAIL", "".join(traceback.format_exception(exc)[-6:])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
