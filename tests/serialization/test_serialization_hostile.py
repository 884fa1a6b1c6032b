"""Hostile files: pickles that would run code are refused with SerializationError and nothing
from the file runs (damaged files: test_serialization_damaged.py)."""

import io
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
from crafted import Call, checkpoint, hostile_pickle, load_bytes, tensor_pickle


@pytest.fixture
def marker(tmp_path):
    return tmp_path / "pwned"


def attacks(marker):
    cmd = f"touch {marker}"
    code = f"open({str(marker)!r}, 'w').close()"
    return {
        "os.system": Call("os", "system", cmd),
        "posix.system": Call("posix", "system", cmd),
        "subprocess": Call("subprocess", "call", ["sh", "-c", cmd]),
        "eval": Call("builtins", "eval", code),
        "exec": Call("builtins", "exec", code),
        "__import__": Call("builtins", "__import__", "os"),
        "getattr": Call("builtins", "getattr", Call("builtins", "__import__", "os"), "system"),
        "py2 builtin": Call("__builtin__", "eval", code),
        "nested in state dict": OrderedDict([("w", Call("os", "system", cmd))]),
        "OrderedDict bad args": Call("collections", "OrderedDict", 1, 2, 3),
        "bytearray bomb": Call("builtins", "bytearray", 10**12),
        "codecs": Call("_codecs", "encode", Call("builtins", "eval", code), "latin1"),
        "rebuild bad args": Call("torch._utils", "_rebuild_tensor_v2", "x", -1, (2,), (1,)),
        "storage type call": Call("torch", "FloatStorage", 10),
        "nt.system": Call("nt", "system", cmd),
        "open": Call("builtins", "open", str(marker), "w"),
        "importlib": Call("importlib", "import_module", "os"),
        "nested pickle": Call("pickle", "loads", pickle.dumps(Call("os", "system", cmd))),
        "runpy": Call("runpy", "_run_code", code, {}),
        "functools.partial": Call("functools", "partial", Call("os", "system"), cmd),
        "operator.methodcaller": Call("operator", "methodcaller", "system", cmd),
        "numpy reconstruct": Call("numpy.core.multiarray", "_reconstruct", "x", (0,), b"b"),
        "torch.load": Call("torch", "load", str(marker)),
        "tensor class call": Call("torch", "Tensor", 10**12),
        "rebuild_from_type_v2 with a foreign function": Call(
            "torch._tensor", "_rebuild_from_type_v2", Call("os", "system"), "x", (cmd,), None
        ),
    }


@pytest.mark.parametrize(
    "name",
    list(attacks("m")),
)
@pytest.mark.parametrize("weights_only_file", ["zip", "legacy"])
def test_malicious_pickles_are_refused(name, weights_only_file, marker):
    payload = hostile_pickle(attacks(marker)[name])
    if weights_only_file == "zip":
        data = checkpoint(payload)
    else:
        head = b"".join(
            pickle.dumps(x, protocol=2)
            for x in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True})
        )
        data = head + payload + pickle.dumps([], protocol=2)
    with pytest.raises(ember.SerializationError):
        load_bytes(data)
    assert not marker.exists()


def test_refusal_names_the_global_and_how_to_allow_it(marker):
    data = checkpoint(hostile_pickle(Call("fractions", "Fraction", 1, 3)))
    with pytest.raises(ember.SerializationError) as info:
        load_bytes(data)
    message = str(info.value)
    assert "fractions.Fraction" in message
    assert "add_safe_globals" in message and "safe_globals" in message
    assert "weights_only=False" in message


def test_blocked_modules_stay_blocked_even_if_allowed(marker):
    import os

    data = checkpoint(hostile_pickle(Call("os", "getcwd")))
    with ember.serialization.safe_globals([os.getcwd]), pytest.raises(ember.SerializationError):
        load_bytes(data)


def test_add_safe_globals_allows_a_class():
    import fractions

    data = checkpoint(hostile_pickle([Call("fractions", "Fraction", 1, 3)]))
    with ember.serialization.safe_globals([fractions.Fraction]):
        assert load_bytes(data) == [fractions.Fraction(1, 3)]
    with pytest.raises(ember.SerializationError):
        load_bytes(data)
    ember.serialization.add_safe_globals([(fractions.Fraction, "my.Frac")])
    try:
        assert ember.serialization.get_safe_globals() == [(fractions.Fraction, "my.Frac")]
        assert load_bytes(checkpoint(hostile_pickle(Call("my", "Frac", 2)))) == 2
    finally:
        ember.serialization.clear_safe_globals()
    assert ember.serialization.get_safe_globals() == []


def test_weights_only_false_runs_the_file(marker):
    data = checkpoint(hostile_pickle(Call("os", "system", f"touch {marker}")))
    load_bytes(data, weights_only=False)
    assert marker.exists()


@pytest.mark.parametrize(
    "opcode",
    [
        b"\x80\x02c__builtin__\nlist\n)\x81.",  # NEWOBJ of a non-allowlisted class
        b"\x80\x02(cos\nsystem\nS'true'\ni.",  # INST
        b"\x80\x02(cos\nsystem\nS'true'\no.",  # OBJ
        b"\x80\x02\x82\x01.",  # EXT1
        b"\x80\x02]q\x00}b.",  # BUILD on a list
        b"\x80\x02}(K\x01K\x02e.",  # APPENDS to a dict
        b"\x80\x02]K\x01K\x02s.",  # SETITEM on a list
    ],
)
def test_dangerous_opcodes_are_refused(opcode):
    with pytest.raises(ember.SerializationError):
        load_bytes(checkpoint(opcode))


def test_build_cannot_shadow_methods():
    # OrderedDict() then BUILD {'keys': ...}: refused (a state dict's only attribute is _metadata)
    pkl = b"\x80\x02ccollections\nOrderedDict\n)R}X\x04\x00\x00\x00keysK\x01sb."
    with pytest.raises(ember.SerializationError):
        load_bytes(checkpoint(pkl))
    ok = b"\x80\x02ccollections\nOrderedDict\n)R}X\t\x00\x00\x00_metadataK\x01sb."
    assert load_bytes(checkpoint(ok))._metadata == 1


@pytest.mark.parametrize("zip_format", [True, False])
def test_unsafe_globals_are_listed_without_running_anything(torch, zip_format, marker):
    import fractions

    buf = io.BytesIO()
    torch.save(
        {"f": fractions.Fraction(1, 3), "t": torch.ones(2)},
        buf,
        _use_new_zipfile_serialization=zip_format,
    )
    found = ember.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(buf.getvalue()))
    assert found == ["fractions.Fraction"]
    evil = checkpoint(hostile_pickle([Call("os", "system", f"touch {marker}")]))
    assert ember.serialization.get_unsafe_globals_in_checkpoint(evil) == ["os.system"]
    assert not marker.exists()


def test_storages_from_other_devices_load_on_the_cpu():
    data = checkpoint(
        tensor_pickle(numel=4, location="cuda:0"), {"data/0": np.arange(4, dtype=np.float32)}
    )
    t = load_bytes(data, map_location="cpu")
    assert t.device == "cpu" and t._np.tolist() == [0, 1, 2, 3]
    assert load_bytes(data, map_location=lambda storage, loc: storage)._np.tolist() == [0, 1, 2, 3]


def test_allowlist_covers_torchs(torch):
    """Every global torch's weights-only loader allows either maps to an ember object or is
    refused naming what ember lacks; ember allows nothing beyond it but frozenset and the
    Python 2 spellings of builtins."""
    from torch._weights_only_unpickler import _get_allowed_globals

    from ember.serializer.rebuild import TORCH_GLOBALS
    from ember.serializer.unpickler import resolve_torch_global

    unexplained = []
    for full in _get_allowed_globals():
        module, _, name = full.rpartition(".")
        try:
            if resolve_torch_global(module, name) is None:
                unexplained.append(full)
        except ember.SerializationError as exc:
            assert "does not support" in str(exc), full
    assert not unexplained
    ours = {f"{m}.{n}" for m, n in TORCH_GLOBALS}
    extra = {n for n in ours - set(_get_allowed_globals()) if not n.endswith("Storage")}
    assert extra == {"builtins.frozenset", "__builtin__.set", "__builtin__.frozenset",
                     "__builtin__.complex"}  # fmt: skip
