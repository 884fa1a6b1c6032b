"""Damaged and hostile archives fail to load in `ember.cpp` with an ember error, never a crash:
truncated files, bit flips (in the zip structure and, with the CRC fixed, in the program
record), bad offsets, huge sizes, and program records whose indices, sizes, dtypes, views,
registers or block arities do not hold."""

import io
import random
import struct
import zipfile

import pytest
from tests.cpp.loader_helpers import (
    K,
    archive,
    constant,
    load,
    operator,
    records,
    saved,
    with_program,
)

import ember
import ember.cpp
import ember.nn as nn
from ember.errors import EmberError, SerializationError, VersionError
from ember.serializer.program import model
from ember.serializer.program.encode import encode


@pytest.fixture(scope="module")
def data():
    ember.manual_seed(0)
    return saved(nn.Linear(4, 4))


def attempt(path) -> str:
    """Loads and runs the archive at `path`: 'refused', 'failed' (forward raised) or 'ran'."""
    try:
        m = ember.cpp.load(str(path))
    except EmberError:
        return "refused"
    try:
        m.forward(ember.ones(2, 4))
    except EmberError:
        return "failed"
    return "ran"


def test_every_truncation_is_refused(data, tmp_path):
    path = tmp_path / "cut.pt"
    for cut in range(len(data)):
        path.write_bytes(data[:cut])
        with pytest.raises(SerializationError):
            ember.cpp.load(str(path))
    path.write_bytes(data)
    assert attempt(path) == "ran"


def test_bit_flips_anywhere_never_crash(data, tmp_path):
    rng, path, seen = random.Random(1), tmp_path / "flip.pt", set()
    for _ in range(600):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(b))
        seen.add(attempt(path))
    assert "refused" in seen


def test_bit_flips_in_the_program_record_never_crash(data, tmp_path):
    prefix, recs = records(data)
    program = recs["program.fb"]
    rng, path, seen = random.Random(2), tmp_path / "flip.pt", {}
    for _ in range(600):
        b = bytearray(program)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(b))
            b[at] = rng.choice([b[at] ^ (1 << rng.randrange(8)), 0, 0xFF, rng.randrange(256)])
        path.write_bytes(archive(prefix, {**recs, "program.fb": bytes(b)}))  # CRC recomputed
        outcome = attempt(path)
        seen[outcome] = seen.get(outcome, 0) + 1
    assert seen.get("refused", 0) > 100


def _central_entries(data: bytes):
    """(offset of each central directory entry, its name)."""
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        yield at, data[at + 46 : at + 46 + n].decode()
        at += 46


def _patched(data: bytes, name: str, field_offset: int, fmt: str, value) -> bytes:
    b = bytearray(data)
    for at, entry in _central_entries(data):
        if entry.endswith(name):
            struct.pack_into(fmt, b, at + field_offset, value)
    return bytes(b)


@pytest.mark.parametrize(
    "field_offset, value, message",
    [
        (42, 0x7FFFFFF0, "no local header"),  # local header offset past the end
        (42, 3, "no local header"),  # into the middle of another record
        (20, 0x7FFFFFF0, "two sizes|runs past"),  # compressed size
        (24, 0x7FFFFFF0, "two sizes|runs past"),  # uncompressed size
        (20, 0xFFFFFFFF, "zip64 sizes without a zip64 extra field"),
        (10, 8, "compressed"),  # method: deflate
        (8, 1, "encrypted"),  # flags: encrypted
        (16, 0x12345678, "CRC-32"),
    ],
)
def test_bad_offsets_and_sizes_in_the_directory_are_refused(
    data, tmp_path, field_offset, value, message
):
    fmt = "<H" if field_offset in (8, 10) else "<I"
    with pytest.raises(SerializationError, match=message):
        load(_patched(data, "program.fb", field_offset, fmt, value), tmp_path)


def _end(data: bytes) -> int:
    return data.rindex(b"PK\x05\x06")


@pytest.mark.parametrize(
    "field_offset, fmt, value, message",
    [
        (16, "<I", 0x7FFFFFF0, "lies outside the file"),  # central directory offset
        (12, "<I", 0x7FFFFFF0, "lies outside the file"),  # central directory size
        (10, "<H", 0xFFF0, "more entries than"),  # entry count
        (20, "<H", 5, "no end of central directory"),  # a comment that is not there
    ],
)
def test_a_bad_end_record_is_refused(data, tmp_path, field_offset, fmt, value, message):
    b = bytearray(data)
    at = _end(data)
    struct.pack_into(fmt, b, at + field_offset, value)
    if field_offset == 10:
        struct.pack_into("<H", b, at + 8, value)
    with pytest.raises(SerializationError, match=message):
        load(bytes(b), tmp_path)


def test_the_zip64_end_record_is_read(data, tmp_path):
    b = bytearray(data)
    at = _end(data)
    struct.pack_into("<HHII", b, at + 8, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    assert attempt(_write(tmp_path, bytes(b))) == "ran"


def _write(tmp_path, data, name="m.pt"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_duplicate_record_names_are_refused(data, tmp_path):
    prefix, recs = records(data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, payload in recs.items():
            z.writestr(f"{prefix}/{name}", payload)
        z.writestr(f"{prefix}/DATA/0", b"x")
    with pytest.raises(SerializationError, match="duplicate record .*DATA/0"):
        load(buf.getvalue(), tmp_path)


def test_a_compressed_program_record_is_refused(data, tmp_path):
    prefix, recs = records(data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, payload in recs.items():
            z.writestr(f"{prefix}/{name}", payload)
    with pytest.raises(SerializationError, match="program.fb is compressed"):
        load(buf.getvalue(), tmp_path)


def test_an_archive_without_the_record_asks_for_ember_convert(data, tmp_path):
    prefix, recs = records(data)
    del recs["program.fb"]
    with pytest.raises(SerializationError, match=r"no program record .*ember convert IN OUT"):
        load(archive(prefix, recs), tmp_path)


def test_not_a_flatbuffer_is_refused(data, tmp_path):
    prefix, recs = records(data)
    with pytest.raises(SerializationError, match="flatbuffer verifier"):
        load(archive(prefix, {**recs, "program.fb": b"\x00" * 3 + b"junk" * 9}), tmp_path)


# -- program records that verify but do not hold together --------------------------------------


def _fn(p):
    return p.functions[0]


def _extra_register(p, type_="Tensor"):
    f = _fn(p)
    f.num_registers += 1
    f.register_types.append(type_)
    f.register_names.append("")
    return f.num_registers - 1


def _reads_unwritten(p):
    _fn(p).body.results = [_extra_register(p)]


def _writes_twice(p):
    _fn(p).body.ops[-1].outputs = [1]


def _register_out_of_range(p):
    _fn(p).body.ops[-1].inputs[0] = 4000


def _constant_out_of_range(p):
    op = model.Op(operator(p, "prim::Constant"), [], [_extra_register(p, "int")], constant=999)
    _fn(p).body.ops.insert(0, op)


def _later_item(p):
    constant(p, model.Constant(K["List"], items=[len(p.constants) + 3]))


def _cycle(p):
    c = constant(p, model.Constant(K["Object"], object=p.root))
    p.objects[p.root].slots[0] = c


def _view_beyond(p):
    t = next(c for c in p.constants if c.kind == K["Tensor"])
    t.tensor.sizes = [100, 100]
    t.tensor.strides = [100, 1]


def _overflowing_view(p):
    t = next(c for c in p.constants if c.kind == K["Tensor"])
    t.tensor.sizes = [2**62, 4]
    t.tensor.strides = [2**62, 1]


def _negative_stride(p):
    t = next(c for c in p.constants if c.kind == K["Tensor"])
    t.tensor.strides = [-1] * len(t.tensor.strides)


def _if_with_one_block(p):
    f = _fn(p)
    cond = _extra_register(p, "bool")
    out = _extra_register(p)
    f.body.arguments.append(cond)
    op = model.Op(operator(p, "prim::If"), [cond], [out], blocks=[model.Block([], [], [1])])
    f.body.ops.append(op)


def _loop_arity(p):
    f = _fn(p)
    n, c, i, out = (_extra_register(p, t) for t in ("int", "bool", "int", "Tensor"))
    f.body.arguments += [n, c]
    body = model.Block([i], [], [c])  # one carried value in, none in the body
    f.body.ops.append(model.Op(operator(p, "prim::Loop"), [n, c, 1], [out], blocks=[body]))


def _dtype(p):
    p.storages[0].dtype = 13


def _numel(p):
    p.storages[0].numel = 10**15


def _record(p):
    p.storages[0].record = "data/99"


def _slots(p):
    p.objects[p.root].slots.pop()


def _method(p):
    p.methods[0].function = 7


def _root(p):
    p.root = 40


def _registers(p):
    _fn(p).num_registers = 2**31


def _storage_index(p):
    t = next(c for c in p.constants if c.kind == K["Tensor"])
    t.tensor.storage = 77


def _operator_index(p):
    _fn(p).body.ops[-1].operator = 500


@pytest.mark.parametrize(
    "edit, message",
    [
        (_reads_unwritten, "read before it is written"),
        (_writes_twice, "written twice"),
        (_register_out_of_range, "register 4000 out of range"),
        (_constant_out_of_range, "constant index 999 out of range"),
        (_later_item, "is not an earlier constant"),
        (_cycle, "contains itself"),
        (_view_beyond, "reaches element"),
        (_overflowing_view, "overflow"),
        (_negative_stride, "negative size or stride"),
        (_if_with_one_block, "prim::If"),
        (_loop_arity, "prim::Loop block with 1 arguments"),
        (_dtype, "bad dtype 13"),
        (_numel, "need more than the record's"),
        (_record, "no such record"),
        (_slots, "slots for"),
        (_method, "function index out of range"),
        (_root, "root object index out of range"),
        (_registers, "more than the record can write"),
        (_storage_index, "storage 77 out of range"),
        (_operator_index, "operator index 500 out of range"),
    ],
)
def test_inconsistent_programs_are_refused(data, tmp_path, edit, message):
    with pytest.raises(SerializationError, match=message):
        load(with_program(data, edit), tmp_path)


@pytest.mark.parametrize("version", [0, 11, 2**40])
def test_versions_outside_the_window_are_refused_naming_both(data, tmp_path, version):
    def edit(p):
        p.version = version

    with pytest.raises(VersionError, match=rf"archive version {version} .*versions 1\.\.10"):
        load(with_program(data, edit), tmp_path)


def test_a_newer_record_format_is_refused(data, tmp_path):
    def edit(p):
        p.format = 2

    with pytest.raises(VersionError, match=r"format 2 is newer .*format 1"):
        load(with_program(data, edit), tmp_path)


def test_the_encoder_round_trips(data):
    prefix, recs = records(data)
    from ember.serializer.program import read_program

    assert encode(read_program(recs["program.fb"])) == recs["program.fb"]


def test_a_misaligned_int64_vector_is_refused(data, tmp_path):
    """The flatbuffers verifier checks a vector's length word, not its elements' alignment: a
    tensor's sizes moved 4 bytes off an 8-byte boundary passed it, and reading them was
    undefined behaviour (UBSan, found by the fuzzer)."""
    from ember.serializer.program.fb.program_generated import Program

    prefix, recs = records(data)
    buf = bytearray(recs["program.fb"])
    root = Program.GetRootAs(buf, 0)
    ref = next(
        root.Constants(i).Tensor()
        for i in range(root.ConstantsLength())
        if root.Constants(i).Tensor() is not None
    )
    field = ref._tab.Pos + ref._tab.Offset(8)  # the sizes field: an offset to the vector
    sizes = [ref.Sizes(d) for d in range(ref.SizesLength())]
    buf += bytes(-len(buf) % 8)  # the length word at 0 mod 8 puts the elements at 4 mod 8
    vector = len(buf)
    buf += struct.pack(f"<I{len(sizes)}q", len(sizes), *sizes)
    struct.pack_into("<I", buf, field, vector - field)
    path = tmp_path / "misaligned.pt"
    path.write_bytes(archive(prefix, {**recs, "program.fb": bytes(buf)}))
    with pytest.raises(SerializationError, match="sizes vector is not aligned to 8 bytes"):
        ember.cpp.load(str(path))


@pytest.mark.parametrize("cut", [0, 3])
def test_a_batch_norm_with_missing_arguments_is_not_folded(tmp_path, cut):
    """The optimizer read torch's argument positions of batch_norm and the convolution before
    it without checking the op had them (ASan/UBSan findings of the long libFuzzer run)."""
    ember.manual_seed(0)
    data = saved(nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3)).eval())

    def edit(p):
        for fn in p.functions:
            for op in _ops(fn.body):
                if p.operators[op.operator].qualified_name == "aten::batch_norm":
                    del op.inputs[cut:]

    try:
        m = load(with_program(data, edit), tmp_path)
    except SerializationError:
        return
    with pytest.raises(EmberError):
        m.forward(ember.ones(1, 2, 5, 5))


def _ops(block):
    for op in block.ops:
        yield op
        for nested in op.blocks:
            yield from _ops(nested)
