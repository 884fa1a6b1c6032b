"""Hand-built hostile inputs for the load-hardening tests (issue 13): pickles made opcode by
opcode, zips with odd directories, legacy files, archives and a child-process runner."""

import io
import os
import pickle
import struct
import subprocess
import sys
import textwrap
from collections import OrderedDict

import numpy as np

import ember
from crafted import _Global, _GlobalPickler, checkpoint
from ember.serializer.zipwriter import ZipWriter

PROTO = b"\x80\x02"
STOP = b"."


def put_get_pop(index: int = 0) -> bytes:
    """Memoize the stack top at `index` and pop it (BINPUT, POP)."""
    return b"q" + bytes([index]) + b"0"


def doubling_tuple(levels: int, leaf: bytes = b"K\x00") -> bytes:
    """Opcodes leaving `t_levels` on the stack, where t_0 = leaf and t_{k+1} = (t_k, t_k):
    2**levels leaves in about 8 bytes per level (memo references)."""
    ops = leaf
    for _ in range(levels):
        ops += put_get_pop() + b"h\x00h\x00\x86"  # BINGET 0, BINGET 0, TUPLE2
    return ops


def global_op(module: str, name: str) -> bytes:
    return b"c" + f"{module}\n{name}\n".encode()


def deep_tuple_key(depth: int) -> bytes:
    """{(((...1...),),): 2} with `depth` nested one-element tuples as the key."""
    return PROTO + b"}" + b"K\x01" + b"\x85" * depth + b"K\x02s" + STOP


def zip_checkpoint(pkl: bytes, compress: bool = False, records=None) -> bytes:
    """A zip checkpoint around `pkl`, its data.pkl deflated if `compress`."""
    buf = io.BytesIO()
    with ZipWriter(buf, "archive") as w:
        w.write_record("data.pkl", pkl, compress=compress)
        for name, data in (records or {}).items():
            w.write_record(name, data)
        w.write_record("version", b"3\n")
    return buf.getvalue()


def saved(obj, **kw) -> bytes:
    buf = io.BytesIO()
    ember.save(obj, buf, **kw)
    return buf.getvalue()


def jit_archive() -> bytes:
    buf = io.BytesIO()
    ember.jit.save(ember.jit.script(ember.nn.Linear(2, 1)), buf)
    return buf.getvalue()


def rezip(data: bytes, rename=None, extra=()) -> bytes:
    """The zip `data` rewritten record by record (stored): names changed by `rename(name)`
    (None drops the record), then `extra` (name, bytes) records appended."""
    from ember.serializer.zipreader import ZipReader

    reader = ZipReader(data)
    buf = io.BytesIO()
    with ZipWriter(buf, reader.prefix) as w:
        for name in reader.names():
            new = name if rename is None else rename(name)
            if new is not None:
                w.write_record(new, reader.read(name))
        for name, payload in extra:
            w.write_record(name, payload)
    return buf.getvalue()


def tensor_call(size, stride, numel: int = 1) -> bytes:
    """Opcodes pushing `_rebuild_tensor_v2(storage of numel floats, 0, size, stride, ...)`."""

    class _Pid:
        pass

    class T:
        def __reduce__(self):
            return (
                _Global("torch._utils", "_rebuild_tensor_v2"),
                (_Pid(), 0, size, stride, False, OrderedDict()),
            )

    class P(_GlobalPickler):
        def persistent_id(self, obj):
            if isinstance(obj, _Pid):
                return ("storage", _Global("torch", "FloatStorage"), "0", "cpu", numel)
            return None

    buf = io.BytesIO()
    P(buf, 2).dump(T())
    return buf.getvalue()[2:-1]  # without PROTO and STOP


def call_on(module: str, name: str, arg_ops: bytes) -> bytes:
    """A pickle calling `module.name(<arg>)` where `arg_ops` pushes the argument."""
    return PROTO + global_op(module, name) + arg_ops + b"\x85R" + STOP


def checkpoint_with_storage(pkl: bytes, nbytes: int = 4) -> bytes:
    return checkpoint(pkl, {"data/0": bytes(nbytes)})


def legacy_file(obj_pickle: bytes, keys_pickle: bytes, storages=()) -> bytes:
    """A legacy checkpoint: magic, protocol, sys_info, the object, the key list, then each
    (element count, bytes) of `storages`."""
    head = b"".join(
        pickle.dumps(x, protocol=2) for x in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True})
    )
    tail = b"".join(struct.pack("<q", n) + data for n, data in storages)
    return head + obj_pickle + keys_pickle + tail


def legacy_conj_views(views: int, numel: int) -> bytes:
    """A legacy file whose object is a list of `views` complex tensors, each viewing the whole
    of one storage through its own storage view key, each with conj metadata."""

    class _View:
        def __init__(self, key):
            self.key = key

    class T:
        def __init__(self, key):
            self.pid = _View(key)

        def __reduce__(self):
            return (
                _Global("torch._utils", "_rebuild_tensor_v2"),
                (self.pid, 0, (numel,), (1,), False, OrderedDict(), {"conj": True}),
            )

    class P(_GlobalPickler):
        def persistent_id(self, obj):
            if isinstance(obj, _View):
                kind = _Global("torch", "ComplexFloatStorage")
                return ("storage", kind, "root", "cpu", numel, (f"v{obj.key}", 0, numel))
            return None

    buf = io.BytesIO()
    P(buf, 2).dump([T(i) for i in range(views)])
    keys = pickle.dumps(["root"], protocol=2)
    return legacy_file(buf.getvalue(), keys, [(numel, bytes(8 * numel))])


def run_python(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter (a crash there cannot take the test run with it)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONFAULTHANDLER": "0"},
    )


def small_state() -> dict:
    return {"w": ember.tensor(np.arange(16384, dtype=np.float32))}


def tensor_with_metadata(storage_type: str, metadata: dict) -> bytes:
    """A pickle of a 2-element tensor over storage `data/0` of `storage_type`, with PyTorch's
    tensor `metadata` (e.g. {"conj": True})."""

    class _Pid:
        pass

    class T:
        def __reduce__(self):
            args = (_Pid(), 0, (2,), (1,), False, OrderedDict(), metadata)
            return (_Global("torch._utils", "_rebuild_tensor_v2"), args)

    class P(_GlobalPickler):
        def persistent_id(self, obj):
            if isinstance(obj, _Pid):
                return ("storage", _Global("torch", storage_type), "0", "cpu", 2)
            return None

    buf = io.BytesIO()
    P(buf, 2).dump(T())
    return buf.getvalue()
