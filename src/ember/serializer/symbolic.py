"""Following a pickle as Python's unpickler runs it, without building or importing anything.

`trace_pickle` runs a symbolic pickle machine over the opcodes (decoded with `pickletools`):
a stack with its marks and a memo, exactly as the unpickler keeps them, holding what each
value is rather than the value. A string is known exactly, wherever it came from (a literal,
the memo, DUP), so the module and name of every GLOBAL, STACK_GLOBAL and INST are known
exactly; a value some call makes at load time is `COMPUTED`, and a call whose callee is not
a global (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ on a computed value; EXT1/2/4, which look a global up
in `copyreg`'s registry of the loading process; a STACK_GLOBAL whose strings are computed;
BUILD or APPEND... on a global itself) is reported as an `Unknown`. Nothing else in a pickle
calls code: literals, containers and the memo are plain data.

The globals are named as a full load imports them: with protocols 0-2 the unpickler maps
Python 2 names (``__builtin__``, ``copy_reg``, ``commands`` ...) to Python 3's, and
`Import.loaded` holds the mapped name (`Import.module`/`Import.name` what the file says).

Example:
    >>> import pickle
    >>> memo_fed = (b"\\x80\\x04\\x8c\\x02os\\x94\\x8c\\x06system\\x94"  # memo 0 'os', 1 'system'
    ...             b"\\x8c\\x05decoy\\x8c\\x04name\\x94h\\x00h\\x01\\x93\\x94.")
    >>> [str(found) for found in trace_pickle(memo_fed).found]
    ['os.system (STACK_GLOBAL at byte 34)']
"""

from __future__ import annotations

import _compat_pickle
import codecs
import io
import pickletools
from dataclasses import dataclass, field

__all__ = ["Import", "Unknown", "Trace", "trace_pickle", "COMPUTED"]


@dataclass(frozen=True)
class Import:
    """A global the pickle imports: `module.name` as written, `loaded` as a full load maps it."""

    module: str
    name: str
    opcode: str
    pos: int
    loaded: tuple[str, str]

    def __str__(self) -> str:
        return f"{self.module}.{self.name} ({self.opcode} at byte {self.pos})"


@dataclass(frozen=True)
class Unknown:
    """A call or import whose target the file does not name: it is computed at load."""

    what: str
    opcode: str
    pos: int

    def __str__(self) -> str:
        return f"{self.what} ({self.opcode} at byte {self.pos})"


@dataclass
class Trace:
    """What one pickle does: `found` (Imports and Unknowns, in order), and why it could not
    be followed to its STOP opcode (`damage`), if it could not."""

    found: list = field(default_factory=list)
    damage: str | None = None


class _Global:
    __slots__ = ("full",)

    def __init__(self, full: str):
        self.full = full


class _Text:
    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = value


class _Kind:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


DATA = _Kind("DATA")  # numbers, bytes, containers, None: never callable
COMPUTED = _Kind("COMPUTED")  # made by a call or a persistent id at load time: anything

_LITERALS = (
    "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "BINBYTES",
    "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8", "NEXT_BUFFER", "NONE", "NEWTRUE", "NEWFALSE",
    "FLOAT", "BINFLOAT", "EMPTY_LIST", "EMPTY_TUPLE", "EMPTY_DICT", "EMPTY_SET",
)  # fmt: skip
_STRINGS = ("UNICODE", "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8")
_PY2_STRINGS = ("STRING", "SHORT_BINSTRING", "BINSTRING")
_FROM_MARK = ("LIST", "TUPLE", "DICT", "FROZENSET")
_METHOD_CALLS = {"BUILD": 1, "APPEND": 1, "SETITEM": 2}  # values popped before the target
_METHOD_CALLS_TO_MARK = ("APPENDS", "SETITEMS", "ADDITEMS")
_NO_EFFECT = ("FRAME", "READONLY_BUFFER", "STOP")


class _Machine:
    """The unpickler's stack, marks (saved stacks, as pickle.py keeps them) and memo; one
    `op_NAME(arg)` method per opcode."""

    def __init__(self, trace: Trace):
        self.trace = trace
        self.stack: list = []
        self.metastack: list[list] = []
        self.memo: dict = {}
        self.proto = 0
        self.op, self.pos = "", 0

    # -- stack primitives: an underflow makes COMPUTED (a real load fails there)

    def push(self, value) -> None:
        self.stack.append(value)

    def pop(self):
        return self.stack.pop() if self.stack else COMPUTED

    def top(self):
        return self.stack[-1] if self.stack else COMPUTED

    def pop_mark(self) -> list:
        items = self.stack
        self.stack = self.metastack.pop() if self.metastack else []
        return items

    def unknown(self, what: str) -> None:
        self.trace.found.append(Unknown(what, self.op, self.pos))

    def imported(self, module: str, name: str) -> _Global:
        loaded = (module, name)
        if self.proto < 3:  # as the unpickler's fix_imports does
            loaded = _compat_pickle.NAME_MAPPING.get(loaded, loaded)
            loaded = (_compat_pickle.IMPORT_MAPPING.get(loaded[0], loaded[0]), loaded[1])
        self.trace.found.append(Import(module, name, self.op, self.pos, loaded))
        return _Global(f"{module}.{name}")

    def call(self, callee) -> None:
        """`callee` is called: a global was reported when it was pushed; data is not callable
        (the load fails); anything else is a callable the file does not name."""
        if callee is COMPUTED:
            self.unknown("unknown callable, computed at load")

    # -- opcodes (the generic ones are added after the class)

    def op_literal(self, _):
        self.stack.append(DATA)

    def op_string(self, text):
        self.stack.append(_Text(text))

    def op_from_mark(self, _):
        self.pop_mark()
        self.stack.append(DATA)

    def op_method_call(self, _):
        for _ in range(_METHOD_CALLS[self.op]):
            self.pop()
        self._method_call(self.top())

    def op_method_call_to_mark(self, _):
        self.pop_mark()
        self._method_call(self.top())

    def op_no_effect(self, _):
        pass

    def op_PROTO(self, proto):
        self.proto = proto

    def op_TUPLE1(self, _):
        self.pop()
        self.stack.append(DATA)

    def op_TUPLE2(self, _):
        self.pop()
        self.op_TUPLE1(None)

    def op_TUPLE3(self, _):
        self.pop()
        self.op_TUPLE2(None)

    def _method_call(self, target) -> None:
        if isinstance(target, _Global):
            self.unknown(f"{self.op} on the global {target.full} itself calls its methods")

    def op_POP(self, _):
        if self.stack:
            self.stack.pop()
        else:
            self.pop_mark()

    def op_POP_MARK(self, _):
        self.pop_mark()

    def op_DUP(self, _):
        self.push(self.top())

    def op_MARK(self, _):
        self.metastack.append(self.stack)
        self.stack = []

    def op_MEMOIZE(self, _):
        self.memo[len(self.memo)] = self.top()

    def op_PUT(self, index):
        self.memo[index] = self.top()

    def op_GET(self, index):
        self.push(self.memo.get(index, COMPUTED))

    def op_GLOBAL(self, arg):
        self.push(self.imported(*arg))

    def op_STACK_GLOBAL(self, _):
        name, module = self.pop(), self.pop()
        if isinstance(module, _Text) and isinstance(name, _Text):
            self.push(self.imported(module.value, name.value))
            return
        if module is COMPUTED or name is COMPUTED:
            self.unknown("unknown global, its name computed at load")
            self.push(_Global("<a global computed at load>"))  # reported: calling it is not news
        else:
            self.push(COMPUTED)  # the load fails: STACK_GLOBAL requires str

    def op_INST(self, arg):
        self.pop_mark()
        self.imported(*arg)
        self.push(COMPUTED)

    def op_OBJ(self, _):
        items = self.pop_mark()
        self.call(items[0] if items else COMPUTED)
        self.push(COMPUTED)

    def op_REDUCE(self, _):
        self.pop()
        self.call(self.pop())
        self.push(COMPUTED)

    def op_NEWOBJ(self, _):
        self.pop()
        self.call(self.pop())
        self.push(COMPUTED)

    def op_NEWOBJ_EX(self, _):
        self.pop()
        self.op_NEWOBJ(None)

    def op_EXT1(self, code):
        self.unknown(f"unknown global: extension code {code}, looked up in copyreg at load")
        self.push(_Global(f"<extension code {code}>"))

    def op_PERSID(self, _):
        self.push(COMPUTED)

    def op_BINPERSID(self, _):
        self.pop()
        self.push(COMPUTED)


for _group, _method in (
    (_LITERALS, _Machine.op_literal),
    (_STRINGS + _PY2_STRINGS, _Machine.op_string),
    (_FROM_MARK, _Machine.op_from_mark),
    (tuple(_METHOD_CALLS), _Machine.op_method_call),
    (_METHOD_CALLS_TO_MARK, _Machine.op_method_call_to_mark),
    (_NO_EFFECT, _Machine.op_no_effect),
    (("BINPUT", "LONG_BINPUT"), _Machine.op_PUT),
    (("BINGET", "LONG_BINGET"), _Machine.op_GET),
    (("EXT2", "EXT4"), _Machine.op_EXT1),
):
    for _name in _group:
        setattr(_Machine, "op_" + _name, _method)


def trace_pickle(data) -> Trace:
    """Follow the pickle in `data` (bytes, or a binary stream positioned at its start) up to
    its STOP opcode. Damage does not raise: `Trace.damage` says what is wrong, and
    `Trace.found` holds what the opcodes before it do."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
    read, tell, start = stream.read, stream.tell, stream.tell()
    trace = Trace()
    machine = _Machine(trace)
    table = {code: (op.name, reader, getattr(machine, "op_" + op.name))
             for code, (op, reader) in _READERS.items()}  # fmt: skip
    try:
        while True:
            pos = tell()
            code = read(1)
            if not code:
                raise EOFError("the pickle ends before its STOP opcode")
            entry = table.get(code[0])
            if entry is None:
                raise ValueError(f"unknown opcode {code!r}")
            name, reader, run = entry
            arg = reader(stream) if reader is not None else None
            machine.op, machine.pos = name, pos - start
            run(arg)
            if name == "STOP":
                break
    except (ValueError, EOFError, OverflowError, MemoryError) as exc:
        trace.damage = f"the pickle is corrupt or truncated at byte {pos - start}: {_why(exc)}"
    return trace


def _why(exc: Exception) -> str:
    """What an argument reader's error means, in words (no Python error names)."""
    text = str(exc)
    if "int_max_str_digits" in text:
        return "a decimal number of more than 4,300 digits, which Python does not convert"
    if isinstance(exc, OverflowError | MemoryError) or not text:
        return "an argument too large to read"
    return text


def _global_arg(stream) -> tuple[str, str]:
    """GLOBAL's and INST's lines, as the C unpickler reads them: UTF-8, no escapes."""
    return _line(stream), _line(stream)


def _line(stream) -> str:
    line = stream.readline()
    if not line.endswith(b"\n"):
        raise EOFError("the pickle ends inside a line")
    return line[:-1].decode("utf-8", "backslashreplace")


def _string_arg(stream) -> str:
    """STRING's quoted, escaped Python 2 string, decoded as torch's loads do (UTF-8)."""
    line = stream.readline()
    line = line[:-1] if line.endswith(b"\n") else line
    if len(line) < 2 or line[0] != line[-1] or line[:1] not in (b"'", b'"'):
        raise ValueError("the STRING opcode argument must be quoted")
    return _py2_text(codecs.escape_decode(line[1:-1])[0].decode("latin-1"))


def _binstring_reader(reader):
    return lambda stream: _py2_text(reader(stream))


def _py2_text(arg: str) -> str:
    """A Python 2 string (read as latin-1) as torch's loads decode it: UTF-8 if it is."""
    try:
        return arg.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return arg


def _readers() -> dict:
    """Opcode byte -> (pickletools opcode, argument reader or None)."""
    special = {"GLOBAL": _global_arg, "INST": _global_arg, "STRING": _string_arg,
               "PERSID": _line}  # fmt: skip
    out = {}
    for op in pickletools.opcodes:
        reader = special.get(op.name, op.arg.reader if op.arg is not None else None)
        if op.name in ("SHORT_BINSTRING", "BINSTRING"):
            reader = _binstring_reader(reader)
        out[op.code.encode("latin-1")[0]] = (op, reader)
    return out


_READERS = _readers()
