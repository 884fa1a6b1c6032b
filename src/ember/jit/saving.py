"""`ember.jit.save`: a scripted or traced module (or function) as a TorchScript archive.

The module's compilation unit is printed as archive code (`ember.ir.code_files`, with the
source range of every op), the module tree is pickled as ``__torch__`` objects and both are
written in torch 2.13's layout (`ember.serializer.archive`); the version record follows the
operators the code uses. `ember.jit.load` (`ember.jit.loading`) and `torch.jit.load` read it.

Example:
    >>> import io, zipfile, ember
    >>> buf = io.BytesIO()
    >>> ember.jit.save(ember.jit.script(ember.nn.Linear(2, 1)), buf)
    >>> [n for n in zipfile.ZipFile(buf).namelist() if n.endswith(".py")]
    ['archive/code/__torch__/torch/nn/modules/linear.py']
"""

from __future__ import annotations

import functools
import os
import weakref

from ember.errors import SerializationError
from ember.ir.class_printer import code_files
from ember.ir.depth import block_depth, with_room
from ember.ir.inline import clone_graph
from ember.ir.types import BoolType, ClassType
from ember.ir.unit import CompilationUnit, Function
from ember.serializer.archive import ArchiveContents, pack_debug, write_archive
from ember.serializer.atomic import write_atomic
from ember.serializer.program import program_bytes
from ember.serializer.script_pickler import ScriptObject
from ember.serializer.versions import required_version

__all__ = ["save", "archive_contents"]


def save(m, f, _extra_files=None) -> None:
    """Save a scripted or traced module (or a script function) as a TorchScript archive.

    `f` is a path (written atomically) or a writable binary file; `_extra_files` maps names
    to str or bytes stored as ``extra/<name>``. `torch.jit.load` reads the result.

    >>> import io, ember
    >>> buf = io.BytesIO()
    >>> ember.jit.save(ember.jit.script(ember.nn.ReLU()), buf, _extra_files={"note": "hi"})
    >>> buf.getvalue()[:4]
    b'PK\\x03\\x04'
    """
    contents = archive_contents(m, _extra_files)
    if isinstance(f, str | os.PathLike):
        write_atomic(f, lambda out, prefix: write_archive(out, prefix, contents))
        return
    if not hasattr(f, "write"):
        raise TypeError(f"ember.jit.save needs a path or a writable binary file, got {type(f)}")
    write_archive(f, "archive", contents)


def archive_contents(m, extra_files=None) -> ArchiveContents:
    """What an archive of `m` holds: the module objects, code, ranges, constants, version."""
    if hasattr(m, "_compiled") and hasattr(m, "_unit"):  # a ScriptFunction
        unit, cls, root = _placeholder(m)
    elif "_ember_info" in getattr(m, "__dict__", {}):  # a RecursiveScriptModule
        unit, cls, root = m._ember_compiler.unit, m._ember_info.class_type, _object(m)
    else:
        raise TypeError(
            f"ember.jit.save expects a scripted or traced module or function, got "
            f"{type(m).__name__}: script or trace it first"
        )
    code, debug, constants, version = _printed(unit, cls)
    extra = {str(k): v for k, v in (extra_files or {}).items()}
    levels = max((block_depth(g) for g in unit.graphs()), default=0)  # its writer recurses
    program = functools.partial(with_room, levels, program_bytes, unit, cls, root, version)
    return ArchiveContents(root, code, {}, constants, extra, version, debug, program)


_PRINTED: dict[int, tuple] = {}


def _printed(unit, cls):
    """(code files, debug_pkl records, constants, version) of class `cls` of `unit`, printed
    once while nothing in the unit changes: saving the same module again reuses them."""
    found = _PRINTED.get(id(cls))
    if found is not None:
        ref, generation, revisions, result = found
        if ref() is cls and generation == unit.generation and _same(revisions):
            return result
    constants, ranges, graphs = [], {}, []
    code = code_files(unit, cls, constants, ranges, graphs)
    result = (code, pack_debug(code, ranges), constants, required_version(graphs))
    _PRINTED[id(cls)] = (weakref.ref(cls), unit.generation, [(g, g.revision) for g in graphs],
                         result)  # fmt: skip
    if len(_PRINTED) > 64:
        del _PRINTED[next(iter(_PRINTED))]
    return result


def _same(revisions) -> bool:
    return all(g.revision == r for g, r in revisions)


def _object(module) -> ScriptObject:
    """The module as a ``__torch__`` object: its attribute slots, submodules recursively."""
    d = module.__dict__
    info = d["_ember_info"]
    cls = info.class_type
    state = {}
    for name in cls.attributes:
        kind = info.kinds.get(name)
        if kind == "module":
            state[name] = _object(module._modules[name])
        elif kind == "param":
            state[name] = module._parameters[name]
        elif kind == "buffer":
            state[name] = module._buffers[name]
        elif name == "training":
            state[name] = module.training
        elif name in d:
            state[name] = d[name]
        else:
            raise SerializationError(f"{info.original_name} has no value for attribute {name!r}")
    return ScriptObject(cls.qualified_name, state, cls.attributes)


def _placeholder(fn):
    """A function saves as torch does: `forward` of a ``__torch__.PlaceholderModule``."""
    compiled = fn._compiled
    cls = ClassType("__torch__.PlaceholderModule", {"training": BoolType.get()})
    graph = clone_graph(compiled.graph)
    graph.name = "forward"
    graph.block.insert_arg(0, cls, "self")
    forward = Function(f"{cls.qualified_name}.forward", graph, compiled.params,
                       compiled.return_type)  # fmt: skip
    cls.methods["forward"] = forward
    unit = CompilationUnit()
    unit.classes[cls.qualified_name] = cls
    unit.functions = fn._unit.functions if fn._unit is not None else {}
    return unit, cls, ScriptObject(cls.qualified_name, {"training": True}, cls.attributes)
