"""`ember inspect` and `ember check` on files built against them (issue 13, findings 4, 5 and 9):
names from the file never reach the terminal raw, and structures that defeat `repr` (deep,
self-containing, memo-doubled, huge ints) or the memory (a deflated pickle of EMPTY_SET
opcodes) give a report or one line naming the problem, quickly, never a traceback."""

import io
import pickle
import pickletools
import resource
import time
import zipfile

import pytest
from tests.cli.inspecting import report, run

import ember
from crafted import checkpoint
from ember.cli import objects

HOSTILE = "\x1b[2J\x1b[H\rall clear\u202e\ngpj.exe"
RAW = ("\x1b", "\r", "\u202e")


def short(text: str) -> bytes:
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw  # SHORT_BINUNICODE


def stack_global(module: str, name: str) -> bytes:
    return short(module) + short(name) + b"\x93"


def assert_printable(*outputs: str) -> None:
    for text in outputs:
        assert not any(c in text for c in RAW), text
        assert "\\x1b[2J" in text and "\\u202e" in text


# -- escaping (finding 9) --------------------------------------------------------------------


def test_check_escapes_the_names_it_lists(tmp_path, capsys):
    path = tmp_path / "names.pt"
    path.write_bytes(checkpoint(b"\x80\x04" + stack_global("os", HOSTILE) + b")R."))
    status, out, err = run(capsys, "check", path)
    assert status == 1 and err == ""
    assert_printable(out)
    assert out.count("\n") == 2  # the heading and one name: no line forged


def test_inspect_escapes_keys_globals_and_record_names(tmp_path, capsys):
    pkl = (
        b"\x80\x04}" + short(HOSTILE) + b"K\x01s"  # {HOSTILE: 1}
        + short("g") + stack_global("evil", HOSTILE) + b")Rs."  # ["g"] = evil.HOSTILE()
    )  # fmt: skip
    path = tmp_path / "keys.pt"
    path.write_bytes(checkpoint(pkl, {"data/" + HOSTILE: b""}))
    status, out, err = run(capsys, "inspect", path)
    assert status == 0 and err == ""
    assert_printable(out)
    assert [line for line in out.splitlines() if line.startswith("file")] == [f"file       {path}"]
    status, out, _ = run(capsys, "inspect", "--json", path)
    assert status == 0 and out.isascii() and "\x1b" not in out and "\\u001b[2J" in out


def test_inspect_code_keeps_its_lines_but_not_escape_sequences(tmp_path, capsys):
    buf = io.BytesIO()
    ember.jit.save(ember.jit.script(ember.nn.Linear(2, 1)), buf)
    with zipfile.ZipFile(buf) as z:
        name = next(n for n in z.namelist() if n.endswith(".py"))
        code = z.read(name) + f"# {HOSTILE}\n".encode()
    path = tmp_path / "code.pt"
    path.write_bytes(replace_record(buf.getvalue(), code, name.split("/", 1)[1]))
    status, out, _ = run(capsys, "inspect", "--code", path)
    assert status == 0
    assert_printable(out)
    assert "\nclass Linear(Module):\n" in out and "gpj.exe" in out


def test_errors_naming_file_contents_are_escaped(tmp_path, capsys):
    buf = io.BytesIO()
    ember.jit.save(ember.jit.script(ember.nn.Linear(2, 1)), buf)
    hostile = b"\x80\x02" + f"cos\n{HOSTILE.replace(chr(10), ' ')}\n".encode() + b"."
    path = tmp_path / "archive.pt"
    path.write_bytes(replace_record(buf.getvalue(), hostile))
    status, out, err = run(capsys, "inspect", path)
    assert status == 2 and out == "" and err.count("\n") == 1
    assert not any(c in err for c in RAW) and "\\x1b[2J" in err


# -- structures that defeat repr (findings 4 and 5) ------------------------------------------


def inspect_quickly(capsys, tmp_path, data: bytes):
    """(status, stdout, stderr) of `ember inspect` on `data`, checked to take under a second
    and to raise the process's peak memory by less than 200 MB."""
    path = tmp_path / "hostile.pt"
    path.write_bytes(data)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    start = time.perf_counter()
    status, out, err = run(capsys, "inspect", path)
    assert time.perf_counter() - start < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 200 << 10
    assert "Traceback" not in out + err
    assert status == 0 or (status == 2 and err.count("\n") == 1), err
    return status, out, err


def doubling(leaf: bytes, pair: bytes, levels: int = 40) -> bytes:
    """A pickle fragment: `leaf`, then `levels` times a pair (`pair`: TUPLE2, or a list) of
    the previous value with itself through the memo: 2**levels leaves in a few hundred bytes."""
    out = leaf + b"q\x00"
    for i in range(1, levels + 1):
        both = b"h" + bytes([i - 1]) + b"h" + bytes([i - 1])
        out += (both + b"\x86" if pair == b"tuple" else b"](" + both + b"e") + b"q" + bytes([i])
    return out


@pytest.mark.parametrize("pair", [b"tuple", b"list"])
def test_memo_doubled_structures_are_walked_once(capsys, tmp_path, pair):
    pkl = (
        b"\x80\x02" + doubling(b"K\x07\x85", pair) + b"0"  # memo 40: 2**40 leaves of (7,)
        + b"}(" + short("raw") + b"h\x28"  # {"raw": it,
        + short("called") + b"cevil\nf\nh\x28\x85R"  # "called": evil.f(it)}
        + b"u."
    )  # fmt: skip
    status, out, _ = inspect_quickly(capsys, tmp_path, checkpoint(pkl))
    assert status == 0 and "evil.f(" in out


def test_self_containing_and_deep_structures(capsys, tmp_path):
    deep = b"]" * 900 + b"a" * 899  # 900 nested lists (1000 is the unpickler's nesting budget)
    loop = b"]q\x00h\x00a"  # a list that holds itself
    loop_tuple = b"]q\x01h\x01\x85q\x02a0h\x02"  # a tuple holding a list holding the tuple
    pkl = (
        b"\x80\x02}(" + short("deep") + deep + short("loop") + loop
        + short("tuple") + loop_tuple + short("call") + b"cevil\nf\nh\x02\x85R"
        + b"u."
    )  # fmt: skip
    status, out, _ = inspect_quickly(capsys, tmp_path, checkpoint(pkl))
    assert status == 0 and "the same object as loop" in out and "evil.f(([...],))" in out
    assert "<nested more than 100 levels deep: not shown>" in out


def legacy_with_keys(keys: bytes) -> bytes:
    """A legacy checkpoint whose storage-key pickle is `keys`."""
    buf = io.BytesIO()
    ember.save({"w": ember.arange(3.0)}, buf, _use_new_zipfile_serialization=False)
    data = buf.getvalue()
    stream = io.BytesIO(data)
    for _ in range(4):  # magic number, protocol, sys_info, the object
        for _op in pickletools.genops(stream):
            pass
    start = stream.tell()
    for _op in pickletools.genops(stream):
        pass
    return data[:start] + keys + data[stream.tell() :]


@pytest.mark.parametrize(
    "keys",
    [b"](" + b"]" * 5000 + b"a" * 4999 + b"]" * 5000 + b"a" * 4999 + b"e",  # two deep lists
     b"](]q\x00h\x00a]q\x01h\x01ae"],  # two lists that hold themselves
    ids=["deep", "self-containing"],
)  # fmt: skip
def test_legacy_storage_keys_that_defeat_comparison(capsys, tmp_path, keys):
    status, _, err = inspect_quickly(capsys, tmp_path, legacy_with_keys(b"\x80\x02" + keys + b"."))
    assert status == 2 and ("storage key" in err or "nest too deeply" in err)


def test_huge_ints_are_abbreviated(capsys, tmp_path):
    big = 7**6000  # 5,071 digits: str() refuses it
    pkl = pickle.dumps({big: -big, "x": [big, 1]}, protocol=2)
    status, out, _ = inspect_quickly(capsys, tmp_path, checkpoint(pkl))
    assert status == 0
    assert "<int of 5071 digits>" in out and "<negative int of 5071 digits>" in out
    found = report(capsys, tmp_path / "hostile.pt")
    assert found["entries"]["children"][0]["name"] == "<int of 5071 digits>"


def test_huge_int_attribute_names_in_archives(capsys, tmp_path):
    buf = io.BytesIO()
    ember.jit.save(ember.jit.script(ember.nn.Linear(2, 1)), buf)
    state = pickle.dumps({7**6000: 1}, protocol=2)[2:-1]
    obj = b"\x80\x02c__torch__.torch.nn.modules.linear\nLinear\n)\x81" + state + b"b."
    status, out, _ = inspect_quickly(capsys, tmp_path, replace_record(buf.getvalue(), obj))
    assert status == 0 and "<int of 5071 digits>" in out


def replace_record(data: bytes, new: bytes, name: str = "data.pkl") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as z:
        for item in old.infolist():
            z.writestr(item, new if item.filename.endswith("/" + name) else old.read(item))
    return out.getvalue()


def test_a_deflated_pickle_of_empty_sets_is_refused(capsys, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", b"\x80\x04" + b"\x8f" * 8_000_000 + b".")
        z.writestr("archive/version", b"3\n")
    data = buf.getvalue()
    assert len(data) < 10_000
    status, _, err = inspect_quickly(capsys, tmp_path, data)
    assert status == 2 and "data.pkl" in err and "inflates" in err


def test_long_containers_and_trees_are_cut(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(objects, "MAX_CHILDREN", 100)
    monkeypatch.setattr(objects, "MAX_NODES", 150)
    items = b"]q\x00" + b"h\x00" * 129  # one empty list, 130 times
    pkl = b"\x80\x02}(" + short("a") + b"](" + items + b"e" + short("b") + b"](" + items + b"eu."
    status, out, _ = inspect_quickly(capsys, tmp_path, checkpoint(pkl))
    assert status == 0 and "30 more not shown" in out and "82 more not shown" in out
    assert len(out.splitlines()) < 170
