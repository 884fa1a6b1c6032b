"""`get_unsafe_globals_in_checkpoint` / `ember check` against pickles built to hide what a full
load runs (issue 13, finding 1): each file here makes torch.load(weights_only=False) or pickle
call `payload` below, and the scanner must name it, or report a callable it cannot name.
`payload` only records its arguments, so nothing harmful runs even when a test fails."""

import copyreg
import io
import pickle
import pickletools

import pytest

import ember
from crafted import checkpoint
from ember.serializer.legacy import MAGIC_NUMBER, is_legacy
from ember.serializer.scan import scan_file

MOD = __name__
CALLS = []
PAYLOAD = f"{MOD}.payload"


def payload(*args):
    CALLS.append(args)


@pytest.fixture(autouse=True)
def no_calls_yet():
    CALLS.clear()


def unsafe(data: bytes) -> list[str]:
    return ember.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data))


def short(text: str) -> bytes:
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw  # SHORT_BINUNICODE


def torch_runs(torch, data: bytes) -> list:
    torch.load(io.BytesIO(data), weights_only=False)
    return list(CALLS)


# -- zip checkpoints ---------------------------------------------------------------------------


def test_inst_opcode_names_a_global(torch):
    pkl = f"(S'inst'\ni{MOD}\npayload\n.".encode()  # protocol 0: INST calls payload('inst')
    data = checkpoint(pkl)
    assert torch_runs(torch, data) == [("inst",)]
    assert unsafe(data) == [PAYLOAD]


def memo_fed_stack_global(call: bytes) -> bytes:
    """STACK_GLOBAL whose strings come from the memo, after two decoy strings that name an
    allowed global; `call` turns the global on the stack into a call."""
    return (
        b"\x80\x04"
        + short(MOD) + b"\x94" + b"0"  # memo 0 = module, popped
        + short("payload") + b"\x94" + b"0"  # memo 1 = name, popped
        + short("collections") + short("OrderedDict") + b"00"  # decoys, popped
        + b"h\x00h\x01\x93"  # BINGET 0, BINGET 1, STACK_GLOBAL
        + call
    )  # fmt: skip


def test_stack_global_fed_from_the_memo_after_decoys(torch):
    data = checkpoint(memo_fed_stack_global(short("memo") + b"\x85R."))  # TUPLE1, REDUCE
    assert torch_runs(torch, data) == [("memo",)]
    assert unsafe(data) == [PAYLOAD]


def test_obj_opcode_on_a_memo_fed_class(torch):
    # MARK before the class: OBJ calls payload('obj')
    pkl = memo_fed_stack_global(short("obj") + b"o.")
    pkl = pkl.replace(b"h\x00h\x01\x93", b"(h\x00h\x01\x93", 1)
    data = checkpoint(pkl)
    assert torch_runs(torch, data) == [("obj",)]
    assert unsafe(data) == [PAYLOAD]


def test_every_pickle_of_an_archive_is_scanned():
    buf = io.BytesIO()
    ember.jit.save(ember.jit.script(ember.nn.Linear(2, 1)), buf)
    hostile = memo_fed_stack_global(short("constants") + b"\x85R.")
    data = _replace_record(buf.getvalue(), "constants.pkl", hostile)
    pickle.loads(hostile)  # what a full unpickling of the record runs
    assert CALLS == [("constants",)]
    scan = scan_file(data)
    assert (scan.kind, scan.unsafe) == ("archive", [PAYLOAD])
    assert {"data.pkl", "constants.pkl"} <= set(scan.pickles)


def _replace_record(data: bytes, short_name: str, new: bytes) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as z:
        for item in old.infolist():
            body = new if item.filename.endswith("/" + short_name) else old.read(item)
            z.writestr(item.filename, body)
    return out.getvalue()


def test_extension_codes_are_callables_the_file_does_not_name():
    pkl = b"\x80\x02\x83\xbc\x0a" + short("ext") + b"\x85R."  # EXT2 0x0abc, ('ext',), REDUCE
    copyreg.add_extension(MOD, "payload", 0x0ABC)
    try:
        pickle.loads(pkl)
    finally:
        copyreg.remove_extension(MOD, "payload", 0x0ABC)
    assert CALLS == [("ext",)]
    assert unsafe(checkpoint(pkl)) == [
        "unknown global: extension code 2748, looked up in copyreg at load "
        "(EXT2 at byte 2 of data.pkl)"
    ]


def test_allowed_globals_and_literals_are_not_reported():
    buf = io.BytesIO()
    ember.save({"w": ember.ones(2), "names": ["os", "system"], "n": 3}, buf)
    assert unsafe(buf.getvalue()) == []
    assert scan_file(buf.getvalue()).pickles == ["data.pkl"]


def test_py2_names_are_shown_as_a_full_load_imports_them():
    pkl = b"\x80\x02ccommands\ngetoutput\nU\x04true\x85R."  # commands -> subprocess
    assert unsafe(checkpoint(pkl)) == [
        "commands.getoutput (a full load imports subprocess.getoutput)"
    ]


def test_a_call_on_a_global_itself_is_reported():
    pkl = b"\x80\x02ccollections\nOrderedDict\n}b."  # BUILD on the class: sets its attributes
    assert unsafe(checkpoint(pkl)) == [
        "BUILD on the global collections.OrderedDict itself calls its methods "
        "(BUILD at byte 28 of data.pkl)"
    ]


def test_damage_after_a_payload_still_lists_the_payload():
    pkl = f"\x80\x02c{MOD}\npayload\n)R\xff".encode("latin-1")
    assert unsafe(checkpoint(pkl)) == [PAYLOAD]
    with pytest.raises(ember.SerializationError, match="corrupt or truncated at byte"):
        unsafe(checkpoint(b"\x80\x02K\x01\xff"))


# -- legacy checkpoints: five pickles, each unpickled by a full load ---------------------------


def legacy_file() -> bytes:
    buf = io.BytesIO()
    ember.save({"w": ember.arange(3.0)}, buf, _use_new_zipfile_serialization=False)
    return buf.getvalue()


def pickle_spans(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of the five pickles at the start of a legacy file."""
    spans, stream = [], io.BytesIO(data)
    for _ in range(5):
        start = stream.tell()
        for _op in pickletools.genops(stream):
            pass
        spans.append((start, stream.tell()))
    return spans


def with_payload(data: bytes, index: int, arg: str) -> bytes:
    """The legacy file with pickle `index` calling payload(arg) (result popped) before STOP."""
    start, end = pickle_spans(data)[index]
    call = f"c{MOD}\npayload\n".encode() + short(arg) + b"\x85R0"
    return data[: end - 1] + call + data[end - 1 :]


@pytest.mark.parametrize(
    "index, what",
    [(0, "the magic number"), (1, "the protocol version"), (2, "sys_info"),
     (3, "the object pickle"), (4, "the storage key list")],
)  # fmt: skip
def test_every_legacy_pickle_is_scanned(torch, index, what):
    data = with_payload(legacy_file(), index, what)
    assert torch_runs(torch, data) == [(what,)]
    scan = scan_file(data)
    assert scan.unsafe == [PAYLOAD] and len(scan.pickles) == 5 and not scan.damage


def test_a_global_named_by_persistent_ids_is_reported(torch):
    """torch's legacy loader returns a ('module', value, '', '') persistent id's value: the
    strings STACK_GLOBAL takes are computed at load, and the decoys before it name nothing."""
    data = legacy_file()
    spans = pickle_spans(data)
    start, end = spans[3]

    def persistent(text):
        return b"(" + short("module") + short(text) + short("") + short("") + b"tQ"

    body = (
        b"\x80\x02" + persistent(MOD) + persistent("payload")
        + short("collections") + short("OrderedDict") + b"00"
        + b"\x93" + short("persid") + b"\x85R0}."
    )  # fmt: skip
    keys = pickle.dumps([], protocol=2)
    hostile = data[:start] + body + keys
    assert torch_runs(torch, hostile) == [("persid",)]
    assert unsafe(hostile) == [
        "unknown global, its name computed at load (STACK_GLOBAL at byte 88 of the object pickle)"
    ]


def test_a_file_torch_reads_as_legacy_is_scanned_even_without_the_magic_head(torch):
    magic = pickle.dumps(MAGIC_NUMBER, protocol=2)
    data = magic[:2] + f"c{MOD}\npayload\n".encode() + b")R0" + magic[2:]
    assert not is_legacy(data[:32])
    with pytest.raises(EOFError):  # after the magic number, the file ends
        torch.load(io.BytesIO(data), weights_only=False)
    assert CALLS == [()]
    assert unsafe(data) == [PAYLOAD]
    with pytest.raises(ember.SerializationError, match="not a checkpoint"):
        unsafe(pickle.dumps(3, protocol=2) + b"garbage")


def test_a_deflated_pickle_bomb_is_followed_only_as_far_as_the_file_size_allows():
    import time
    import zipfile

    pkl = b"\x80\x04" + f"c{MOD}\npayload\n)R0".encode() + b"\x8f" * 4_000_000 + b"."
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/version", b"3\n")
    start = time.perf_counter()
    scan = scan_file(buf.getvalue())
    assert time.perf_counter() - start < 1.0
    assert scan.unsafe == [PAYLOAD]
    assert len(scan.damage) == 1 and f"inflates to {len(pkl)} bytes" in scan.damage[0]
