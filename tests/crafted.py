"""Hand-made checkpoints for the hostile- and damaged-file tests: pickles naming any global,
zip files around them."""

import io
import pickle
from collections import OrderedDict

import numpy as np

import ember
from ember.serializer.zipwriter import ZipWriter
from serialization_helpers import E


def checkpoint(pkl: bytes, records=None, version=b"3\n") -> bytes:
    """A zip checkpoint with a hand-made data.pkl and data records."""
    buf = io.BytesIO()
    with ZipWriter(buf, "archive") as w:
        w.write_record("data.pkl", pkl)
        for name, data in (records or {}).items():
            w.write_record(name, data)
        if version is not None:
            w.write_record("version", version)
    return buf.getvalue()


def load_bytes(data: bytes, **kw):
    return ember.load(io.BytesIO(data), **kw)


def good_file() -> bytes:
    buf = io.BytesIO()
    sd = OrderedDict([("w", E(np.arange(64, dtype=np.float32))), ("b", E(np.ones(3)))])
    ember.save(sd, buf)
    return buf.getvalue()


class Call:
    """Pickles as `func(*args)` (REDUCE) without needing the target to be importable here."""

    def __init__(self, module, name, *args):
        self.module, self.name, self.args = module, name, args

    def __reduce__(self):
        return (_Global(self.module, self.name), self.args)


class _Global:
    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):
        raise AssertionError("never called while pickling")


class _GlobalPickler(pickle._Pickler):
    dispatch = pickle._Pickler.dispatch.copy()

    def save_fake_global(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())

    dispatch[_Global] = save_fake_global


def hostile_pickle(obj) -> bytes:
    buf = io.BytesIO()
    _GlobalPickler(buf, 2).dump(obj)
    return buf.getvalue()


def tensor_pickle(
    numel, size=(4,), stride=(1,), offset=0, kind="FloatStorage", location="cpu"
) -> bytes:
    class T:
        def __reduce__(self):
            return (
                _Global("torch._utils", "_rebuild_tensor_v2"),
                (_Pid(), offset, size, stride, False, OrderedDict()),
            )

    class _Pid:
        pass

    class P(_GlobalPickler):
        def persistent_id(self, obj):
            if isinstance(obj, _Pid):
                return ("storage", _Global("torch", kind), "0", location, numel)
            return None

    buf = io.BytesIO()
    P(buf, 2).dump(T())
    return buf.getvalue()
