"""`read_program(data)`: a ``program.fb`` record back as `model.Program` dataclasses.

For tests, ``ember inspect`` and `describe`: it reads every table into plain Python values.
Damaged bytes raise `ember.SerializationError` (the Python flatbuffers runtime has no
verifier, so any failure to decode is reported as damage); a `format` newer than this
reader's is refused.

Example:
    >>> import io, zipfile, ember
    >>> buf = io.BytesIO()
    >>> ember.jit.save(ember.jit.script(ember.nn.ReLU()), buf)
    >>> program = read_program(zipfile.ZipFile(buf).read("archive/program.fb"))
    >>> program.version, [m.name for m in program.methods]
    (3, ['forward'])
"""

from __future__ import annotations

import struct

from ember.errors import SerializationError
from ember.serializer.program import model
from ember.serializer.program.encode import IDENTIFIER
from ember.serializer.program.fb import program_generated as G  # noqa: N812

__all__ = ["read_program"]


def read_program(data) -> model.Program:
    """Decode a program record (bytes-like); `SerializationError` if it is not one."""
    data = bytes(data)
    if len(data) < 8 or data[4:8] != IDENTIFIER:
        raise SerializationError("not an ember program record: no 'EMBP' identifier")
    try:
        p = G.Program.GetRootAs(data, 0)
        program = _program(p)
    except (struct.error, IndexError, ValueError, TypeError, UnicodeDecodeError) as e:
        raise SerializationError(f"damaged program record: {type(e).__name__}: {e}") from None
    if program.format > model.FORMAT:
        raise SerializationError(
            f"program record format {program.format} is newer than this reader's "
            f"({model.FORMAT}): update ember"
        )
    return program


def _str(value) -> str | None:
    return None if value is None else value.decode("utf-8")


def _list(obj, name: str, read) -> list:
    return [read(getattr(obj, name)(i)) for i in range(getattr(obj, name + "Length")())]


def _ints(obj, name: str) -> list[int]:
    return [int(getattr(obj, name)(i)) for i in range(getattr(obj, name + "Length")())]


def _strs(obj, name: str) -> list[str]:
    return _list(obj, name, _str)


def _program(p) -> model.Program:
    return model.Program(
        format=p.Format(),
        version=p.Version(),
        producer=_str(p.Producer()),
        operators=_list(p, "Operators", _operator),
        constants=_list(p, "Constants", _constant),
        storages=_list(p, "Storages", _storage),
        classes=_list(p, "Classes", _class),
        objects=_list(p, "Objects", _object),
        root=p.Root(),
        functions=_list(p, "Functions", _function),
        methods=_list(p, "Methods", _method),
        upgraders=_list(p, "Upgraders", _function),
    )


def _operator(o) -> model.Operator:
    return model.Operator(_str(o.Name()), _str(o.Overload()) or "")


def _storage(s) -> model.Storage:
    return model.Storage(_str(s.Record()), s.Dtype(), s.Numel())


def _tensor(t) -> model.TensorRef | None:
    if t is None:
        return None
    return model.TensorRef(
        t.Storage(), t.Offset(), _ints(t, "Sizes"), _ints(t, "Strides"), bool(t.RequiresGrad())
    )


def _constant(c) -> model.Constant:
    return model.Constant(
        kind=c.Kind(),
        int_value=c.IntValue(),
        float_value=c.FloatValue(),
        imag_value=c.ImagValue(),
        str_value=_str(c.StrValue()),
        tensor=_tensor(c.Tensor()),
        items=_ints(c, "Items"),
        object=c.Object(),
        type=_str(c.Type()),
    )


def _class(c) -> model.Class:
    return model.Class(
        _str(c.Name()), _strs(c, "Attributes"), _strs(c, "AttributeTypes"), bool(c.IsModule())
    )


def _object(o) -> model.Object:
    return model.Object(o.ClassIndex(), _ints(o, "Slots"))


def _op(o) -> model.Op:
    return model.Op(
        operator=o.Operator(),
        inputs=_ints(o, "Inputs"),
        outputs=_ints(o, "Outputs"),
        blocks=_list(o, "Blocks", _block),
        constant=o.Constant(),
        name=_str(o.Name()),
        source=_str(o.Source()),
    )


def _block(k) -> model.Block:
    return model.Block(_ints(k, "Arguments"), _list(k, "Ops", _op), _ints(k, "Results"))


def _function(f) -> model.Function:
    body = f.Body()
    if body is None:
        raise SerializationError(f"program function {_str(f.Name())!r} has no body")
    return model.Function(
        name=_str(f.Name()),
        num_registers=f.NumRegisters(),
        register_types=_strs(f, "RegisterTypes"),
        register_names=_strs(f, "RegisterNames"),
        argument_names=_strs(f, "ArgumentNames"),
        body=_block(body),
        argument_defaults=_ints(f, "ArgumentDefaults"),
    )


def _method(m) -> model.Method:
    return model.Method(_str(m.Name()), m.Function())
