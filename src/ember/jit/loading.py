"""`ember.jit.load`: TorchScript archives (ember's and torch's) as script modules.

The archive is opened safely (`ember.serializer.archive`: nothing in it runs), its code is
compiled with ember's own front end (`ember.compiler.CodeUnit`), each op gets its original
source location from the archive's source ranges, the operator upgraders for the archive's
version are applied (`ember.upgraders.upgrade`), and the modules are rebuilt holding the
archive's tensors.

Example:
    >>> import io, ember
    >>> m = ember.jit.script(ember.nn.Linear(2, 1))
    >>> buf = io.BytesIO()
    >>> ember.jit.save(m, buf)
    >>> loaded = ember.jit.load(io.BytesIO(buf.getvalue()))
    >>> loaded.code == m.code, ember.equal(loaded.weight, m.weight)
    (True, True)
"""

from __future__ import annotations

import os
from collections import Counter, OrderedDict
from dataclasses import dataclass

from ember.compiler import CodeUnit
from ember.errors import SerializationError
from ember.jit.script_module import RecursiveScriptModule
from ember.serializer.archive import ScriptArchive
from ember.serializer.guard import file_errors
from ember.serializer.location import restorer
from ember.serializer.script_pickler import ScriptObject
from ember.tensor import Tensor
from ember.upgraders import upgrade

__all__ = ["load", "load_with_report", "LoadReport", "clear_cache", "compile_archive"]


def load(f, map_location=None, _extra_files=None):
    """Load a TorchScript archive written by `ember.jit.save` or `torch.jit.save`.

    Returns a `RecursiveScriptModule` tree. Nothing in the file runs: its pickles are read
    by a restricted unpickler and its code is compiled by ember. ember runs on the CPU:
    `map_location` may be None or name the CPU (as for `ember.load`). For each name in the
    `_extra_files` dict, its value is replaced by the bytes of that extra file (``b''``
    when the archive has none), as torch does. A file given by path is mapped: the
    tensors are views of it (copy-on-write).

    >>> import io, ember
    >>> buf = io.BytesIO()
    >>> ember.jit.save(ember.jit.script(ember.nn.ReLU()), buf)
    >>> ember.jit.load(io.BytesIO(buf.getvalue()))(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    module, _ = load_with_report(f, map_location, _extra_files)
    return module


@dataclass(frozen=True)
class LoadReport:
    """What loading an archive found: its `version`, the calls the upgraders replaced
    (`upgraded`: upgrader name -> count) and all its `extra_files` (name -> bytes)."""

    version: int
    upgraded: dict
    extra_files: dict


def load_with_report(f, map_location=None, _extra_files=None):
    """`load`, also returning a `LoadReport`: ``(module, report)``.

    >>> import io, ember
    >>> buf = io.BytesIO()
    >>> ember.jit.save(ember.jit.script(ember.nn.ReLU()), buf, _extra_files={"a.txt": "hi"})
    >>> module, report = load_with_report(io.BytesIO(buf.getvalue()))
    >>> report
    LoadReport(version=3, upgraded={}, extra_files={'a.txt': b'hi'})
    """
    f, restore = _path_or_file(f), restorer(map_location)
    with file_errors("the archive"):  # nothing raw escapes for a bad file
        archive = ScriptArchive(f, restore)
        try:
            code, upgraded = _compiled_code(archive)
            module = _module(archive.root, code)
            extras = {name: archive.extra(name) for name in archive.extra_names()}
            report = LoadReport(archive.version, dict(upgraded), extras)
        finally:
            archive.close()
    for name in list(_extra_files or ()):
        _extra_files[name] = extras.get(name) or b""
    return module, report


_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 16


def clear_cache() -> None:
    """Forget the compiled code of the archives loaded so far (see `_compiled_code`)."""
    _CACHE.clear()


def _compiled_code(archive: ScriptArchive) -> tuple[CodeUnit, Counter]:
    """The archive's code, compiled, and the calls the upgraders replaced. Archives with the
    same code, constants, source ranges, version and root class share them (the last 16 are
    kept), as scripting shares a compiled class between instances: loading such an archive
    again only reads its pickles and tensors."""
    root = archive.root
    if not isinstance(root, ScriptObject) or not isinstance(root.state, dict):
        raise SerializationError(f"data.pkl: expected a module object, found {root!r}")
    texts = archive.code_texts()
    key = (archive.version, root.qualified_name, tuple(texts.items()), archive.fingerprint())
    found = _CACHE.get(key)
    if found is not None:
        _CACHE.move_to_end(key)
        return found
    code, upgraded = compile_archive(archive, texts), Counter()
    upgrade(code.compiler.unit, archive.version, upgraded)
    _CACHE[key] = code, upgraded
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return code, upgraded


def compile_archive(archive: ScriptArchive, texts: dict | None = None) -> CodeUnit:
    """The archive's code compiled as written: every method of every module class, each op at
    the source location the archive's ranges give, no upgraders applied (the operators mean
    what they meant at the archive's version). `texts` are its code files if already read.

    >>> import io, ember
    >>> buf = io.BytesIO()
    >>> ember.jit.save(ember.jit.script(ember.nn.ReLU()), buf)
    >>> code = compile_archive(ScriptArchive(buf.getvalue()))
    >>> sorted(code.class_info("__torch__.torch.nn.modules.activation.ReLU").methods)
    ['forward']
    """
    root = archive.root
    if not isinstance(root, ScriptObject) or not isinstance(root.state, dict):
        raise SerializationError(f"data.pkl: expected a module object, found {root!r}")
    texts = archive.code_texts() if texts is None else texts
    code = CodeUnit(_source_reader(texts), archive.constants)
    code.class_info(root.qualified_name)  # the module classes, submodules included
    _compile_all(code)
    _relocate(code, archive)
    return code


def _path_or_file(f):
    if isinstance(f, str | os.PathLike) and not os.path.exists(f):
        raise ValueError(f"The provided filename {os.fspath(f)} does not exist")
    return f


def _source_reader(texts: dict):
    def read(prefix: str) -> str:
        text = texts.get(prefix)
        if text is None:
            raise SerializationError(
                f"the archive has no code file for {prefix} (code/{prefix.replace('.', '/')}.py"
                "): it is damaged or incomplete"
            )
        return text

    return read


def _module(record, code: CodeUnit) -> RecursiveScriptModule:
    """The script module for a ``__torch__`` object record, its submodules first."""
    if not isinstance(record, ScriptObject) or not isinstance(record.state, dict):
        raise SerializationError(f"data.pkl: expected a module object, found {record!r}")
    info = code.class_info(record.qualified_name)
    state, values = record.state, {}
    for name, kind in info.kinds.items():
        if kind == "const":
            continue
        if name not in state:
            raise SerializationError(
                f"data.pkl: the {record.qualified_name} object has no value for {name!r}"
            )
        value = state[name]
        if kind == "module":
            expected = info.submodules[name].class_type.qualified_name
            if getattr(value, "qualified_name", None) != expected:
                raise SerializationError(
                    f"data.pkl: {record.qualified_name}.{name} should be a {expected} object, "
                    f"found {value!r}"
                )
            value = _module(value, code)
        elif kind in ("param", "buffer") and not isinstance(value, Tensor | None):
            raise SerializationError(
                f"data.pkl: {record.qualified_name}.{name} should be a tensor, found "
                f"{type(value).__name__}"
            )
        values[name] = value
    training = state.get("training", True)
    return RecursiveScriptModule._construct_loaded(info, code.compiler, values, training is True)


def _compile_all(code: CodeUnit) -> None:
    """Compile every method of every class the archive's modules use (as torch does)."""
    for info in list(code.infos()):
        for name in info.methods:
            code.compiler.method(info, name)


def _relocate(code: CodeUnit, archive: ScriptArchive) -> None:
    """Give each op compiled from archive code the location its source ranges name."""
    tables: dict = {}
    for graph in code.compiler.unit.graphs():
        for op in graph.walk():
            loc = op.loc
            if loc is None or not loc.filename.endswith(".py"):
                continue
            prefix = loc.filename[:-3].replace("/", ".")
            table = tables.get(prefix)
            if table is None:
                table = tables[prefix] = _Ranges(archive, prefix)
            original = table.location(loc.line, loc.col)
            if original is not None:
                op.loc = original


class _Ranges:
    """A code file's source ranges, looked up by line and column of the file."""

    def __init__(self, archive: ScriptArchive, prefix: str):
        text = archive.code(prefix)
        self.ranges = archive.ranges(prefix) if text is not None else None
        self.lines = (text or "").splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line.encode("utf-8")))

    def location(self, line: int, col: int):
        if self.ranges is None or not 1 <= line <= len(self.lines):
            return None
        head = self.lines[line - 1][:col].encode("utf-8")
        return self.ranges.location(self.starts[line - 1] + len(head))
