"""Pickle opcode streams for the serialization fuzzer: decode, mutate, re-encode.

`decode` turns a pickle into a list of (opcode name, argument) pairs; `encode` writes such a list
back, choosing the encoding from the argument, so mutants can hold arguments of any size.
"""

import io
import pickle
import pickletools
import struct

_NO_ARG = {op.name for op in pickletools.opcodes if op.arg is None}
NO_ARG_OPS = sorted(_NO_ARG - {"STOP"})

INTERESTING_INTS = [0, 1, -1, 2, 3, 7, 255, 256, 65535, 2**31 - 1, -(2**31), 2**32, 2**62,
                    -(2**62), 2**63 - 1, 2**64, 10**30, -(10**30), 7**20000]  # fmt: skip
INTERESTING_STRS = ["", "0", "1", "99", "FloatStorage", "HalfStorage", "BogusStorage", "cpu",
                    "_rebuild_tensor_v2", "_rebuild_parameter", "storage", "\udcff", "x" * 300,
                    "torch", "collections", "OrderedDict", "builtins", "eval"]  # fmt: skip


def short(value) -> str:
    """A repr for descriptions; huge ints (over Python's str-conversion limit) by bit length."""
    if isinstance(value, int) and value.bit_length() > 1000:
        return f"<int of {value.bit_length()} bits>"
    return repr(value)[:40]


def decode(data: bytes) -> list:
    """The opcodes of the first pickle in `data` as (name, arg) pairs."""
    return [(op.name, arg) for op, arg, _ in pickletools.genops(io.BytesIO(data))]


def pickle_end(data: bytes, start: int = 0) -> int:
    """The offset just past the pickle starting at `start`."""
    stream = io.BytesIO(data)
    stream.seek(start)
    for _ in pickletools.genops(stream):
        pass
    return stream.tell()


def _int(value: int) -> bytes:
    if 0 <= value < 256:
        return pickle.BININT1 + bytes([value])
    if -(2**31) <= value < 2**31:
        return pickle.BININT + struct.pack("<i", value)
    body = pickle.encode_long(value)
    if len(body) < 256:
        return pickle.LONG1 + bytes([len(body)]) + body
    return pickle.LONG4 + struct.pack("<i", len(body)) + body


def _text(value: str) -> bytes:
    raw = value.encode("utf-8", "surrogatepass")
    return pickle.BINUNICODE + struct.pack("<I", len(raw)) + raw


def _bytes(value: bytes) -> bytes:
    return pickle.BINBYTES + struct.pack("<I", len(value)) + value


def _op(name: str, arg) -> bytes:
    code = getattr(pickle, name)
    if name in _NO_ARG:
        return code
    if name == "PROTO":
        return code + bytes([arg & 0xFF])
    if name in ("BININT", "BININT1", "BININT2", "LONG1", "LONG4", "INT", "LONG"):
        return _int(arg) if isinstance(arg, int) else _text(str(arg))
    if name in ("BINUNICODE", "SHORT_BINUNICODE", "UNICODE", "BINUNICODE8"):
        return _text(arg) if isinstance(arg, str) else _int(arg)
    if name in ("BINBYTES", "SHORT_BINBYTES", "BINBYTES8"):
        return _bytes(arg)
    if name in ("BINPUT", "BINGET", "LONG_BINPUT", "LONG_BINGET"):
        long = "LONG_" + name.removeprefix("LONG_")
        return getattr(pickle, long) + struct.pack("<I", arg & 0xFFFFFFFF)
    if name == "BINFLOAT":
        return code + struct.pack(">d", arg)
    if name == "GLOBAL":
        module, _, attr = str(arg).partition(" ")
        return code + f"{module}\n{attr}\n".encode("utf-8", "surrogatepass")
    if name in ("FRAME",):
        return b""
    raise ValueError(f"cannot encode {name}")


def encode(ops: list) -> bytes:
    """A pickle from (name, arg) pairs (names as in `pickletools`)."""
    return b"".join(_op(name, arg) for name, arg in ops)


def mutate(ops: list, rng) -> tuple[list, str]:
    """One deterministic mutation of an opcode list, and its description."""
    ops = list(ops)
    i = rng.randrange(len(ops))
    name, arg = ops[i]
    choice = rng.randrange(6)
    if choice == 0 and isinstance(arg, int) and not isinstance(arg, bool):
        new = rng.choice(INTERESTING_INTS)
        ops[i] = (name, new)
        return ops, f"op {i} {name} int {short(arg)} -> {short(new)}"
    if choice == 1 and isinstance(arg, str):
        new = rng.choice(INTERESTING_STRS)
        if name == "GLOBAL":
            module, _, attr = arg.partition(" ")
            new = f"{module} {new}" if rng.random() < 0.5 else f"{new} {attr}"
        ops[i] = (name, new)
        return ops, f"op {i} {name} str {arg!r} -> {new!r}"
    if choice == 2 and i + 1 < len(ops):
        ops[i], ops[i + 1] = ops[i + 1], ops[i]
        return ops, f"swap ops {i},{i + 1}"
    if choice == 3:
        del ops[i]
        return ops, f"delete op {i} {name}"
    if choice == 4:
        ops.insert(i, ops[rng.randrange(len(ops))])
        return ops, f"duplicate an op at {i}"
    new = rng.choice(NO_ARG_OPS)
    ops[i] = (new, None)
    return ops, f"op {i} {name} -> {new}"
