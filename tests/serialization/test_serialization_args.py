"""torch.load/torch.save arguments PyTorch code passes: pickle_module, encoding, errors."""

import fractions
import io
import pickle

import pytest

import ember
from ember.serializer.zipwriter import ZipWriter

PY2_STRING = b"\x80\x02U\x04caf\xe9q\x00."  # SHORT_BINSTRING: a Python 2 str, latin-1 bytes


def _zip(pkl: bytes) -> bytes:
    buf = io.BytesIO()
    with ZipWriter(buf, "archive") as w:
        w.write_record("data.pkl", pkl)
        w.write_record("version", b"3\n")
    return buf.getvalue()


@pytest.mark.parametrize("encoding", ["latin1", "bytes"])
def test_encoding_for_python2_strings_matches_torch(torch, encoding):
    data = _zip(PY2_STRING)
    theirs = torch.load(io.BytesIO(data), weights_only=False, encoding=encoding)
    for weights_only in (True, False):
        ours = ember.load(io.BytesIO(data), weights_only=weights_only, encoding=encoding)
        assert ours == theirs == ("café" if encoding == "latin1" else b"caf\xe9")


def test_default_utf8_refuses_latin1_bytes_and_errors_is_honoured(torch):
    data = _zip(PY2_STRING)
    with pytest.raises(ember.SerializationError):
        ember.load(io.BytesIO(data))
    with pytest.raises(Exception):  # noqa: B017 - torch fails too (UnicodeDecodeError inside)
        torch.load(io.BytesIO(data), weights_only=True)
    assert ember.load(io.BytesIO(data), errors="replace") == "caf\ufffd"


def test_encoding_reaches_legacy_files(torch):
    buf = io.BytesIO()
    torch.save([torch.ones(1), "x"], buf, _use_new_zipfile_serialization=False)
    assert ember.load(io.BytesIO(buf.getvalue()), encoding="latin1")[1] == "x"


def test_unknown_load_arguments_are_refused():
    buf = io.BytesIO()
    ember.save(1, buf)
    with pytest.raises(TypeError, match="fix_imports"):
        ember.load(io.BytesIO(buf.getvalue()), fix_imports=False)


def test_standard_pickle_module_is_accepted_as_in_torch(torch):
    buf = io.BytesIO()
    ember.save({"f": fractions.Fraction(1, 3)}, buf, pickle_module=pickle)
    data = buf.getvalue()
    # An explicit pickle_module makes weights_only default to False, in both.
    assert ember.load(io.BytesIO(data), pickle_module=pickle) == {"f": fractions.Fraction(1, 3)}
    assert torch.load(io.BytesIO(data), pickle_module=pickle) == {"f": fractions.Fraction(1, 3)}
    with pytest.raises(RuntimeError, match="explicit pickle_module"):
        ember.load(io.BytesIO(data), pickle_module=pickle, weights_only=True)
    with pytest.raises(RuntimeError, match="explicit pickle_module"):
        torch.load(io.BytesIO(data), pickle_module=pickle, weights_only=True)
    with pytest.raises(ember.SerializationError):
        ember.load(io.BytesIO(data))  # no pickle_module: safe by default


def test_other_pickle_modules_are_refused():
    import json

    with pytest.raises(TypeError, match="json"):
        ember.save(1, io.BytesIO(), pickle_module=json)
    with pytest.raises(TypeError, match="json"):
        ember.load(io.BytesIO(b""), pickle_module=json)


@pytest.mark.parametrize("zip_format", [True, False])
def test_pickle_protocol_1_both_ways(torch, zip_format):
    buf = io.BytesIO()
    torch.save(
        {"a": torch.arange(3)}, buf, pickle_protocol=1, _use_new_zipfile_serialization=zip_format
    )
    assert ember.load(io.BytesIO(buf.getvalue()))["a"].tolist() == [0, 1, 2]
    buf = io.BytesIO()
    ember.save(
        {"a": ember.arange(3)}, buf, pickle_protocol=1, _use_new_zipfile_serialization=zip_format
    )
    # torch's weights-only loader lacks protocol 1's text opcodes (INT, LONG); ember has them
    back = torch.load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert back["a"].tolist() == [0, 1, 2]
    assert ember.load(io.BytesIO(buf.getvalue()))["a"].tolist() == [0, 1, 2]


def test_pickle_protocol_0_is_refused_where_torch_writes_an_unloadable_file(torch):
    buf = io.BytesIO()
    torch.save(torch.ones(1), buf, pickle_protocol=0)
    with pytest.raises(AssertionError, match="saved_id must be a tuple"):
        torch.load(io.BytesIO(buf.getvalue()), weights_only=False)
    for zip_format in (True, False):
        with pytest.raises(ValueError, match="protocol 0"):
            ember.save(
                ember.ones(1),
                io.BytesIO(),
                pickle_protocol=0,
                _use_new_zipfile_serialization=zip_format,
            )
