"""`encode(program)`: a `model.Program` as the flatbuffer of ``program.fbs`` (identifier EMBP).

Every vector field is written, empty ones too; strings and equal scalar vectors are shared (a
register type such as ``"Tensor"`` is stored once). Children are built before their parents,
as flatbuffers needs.

Example:
    >>> from ember.serializer.program import model
    >>> data = encode(model.Program(version=3, producer="ember"))
    >>> data[4:8]
    b'EMBP'
"""

from __future__ import annotations

import flatbuffers
import numpy as np

from ember.serializer.program import model
from ember.serializer.program.fb import program_generated as G  # noqa: N812

__all__ = ["encode", "IDENTIFIER"]

IDENTIFIER = b"EMBP"


def encode(program: model.Program) -> bytes:
    """The flatbuffer bytes of `program`."""
    return _Encoder().program(program)


class _Encoder:
    def __init__(self):
        self.b = flatbuffers.Builder(1 << 16)
        self.vectors: dict[tuple, int] = {}

    # -- vectors and strings ----------------------------------------------------------------

    def string(self, s: str | None):
        return None if s is None else self.b.CreateSharedString(s)

    def uints(self, values):
        """A ``[uint]`` vector; equal vectors are stored once (most are short and repeat)."""
        key = ("u", *values)
        off = self.vectors.get(key)
        if off is None:
            b = self.b
            if len(values) > 16:
                off = b.CreateNumpyVector(np.asarray(values, dtype=np.uint32))
            else:
                b.StartVector(4, len(values), 4)
                for v in reversed(values):
                    b.PrependUint32(v)
                off = b.EndVector()
            self.vectors[key] = off
        return off

    def longs(self, values):
        key = ("l", *values)
        off = self.vectors.get(key)
        if off is None:
            off = self.vectors[key] = self.b.CreateNumpyVector(np.asarray(values, dtype=np.int64))
        return off

    def offsets(self, offsets: list):
        b = self.b
        if not offsets:
            return self.uints(())  # an empty vector is an empty vector, whatever it holds
        b.StartVector(4, len(offsets), 4)
        for off in reversed(offsets):
            b.PrependUOffsetTRelative(off)
        return b.EndVector()

    def strings(self, values):
        return self.offsets([self.string(s) for s in values])

    # -- tables -----------------------------------------------------------------------------

    def program(self, p: model.Program) -> bytes:
        b = self.b
        producer = self.string(p.producer)
        operators = self.offsets([self.operator(o) for o in p.operators])
        constants = self.offsets([self.constant(c) for c in p.constants])
        storages = self.offsets([self.storage(s) for s in p.storages])
        classes = self.offsets([self.klass(c) for c in p.classes])
        objects = self.offsets([self.object(o) for o in p.objects])
        functions = self.offsets([self.function(f) for f in p.functions])
        methods = self.offsets([self.method(m) for m in p.methods])
        upgraders = self.offsets([self.function(f) for f in p.upgraders])
        G.ProgramStart(b)
        b.PrependUint32Slot(0, p.format, 0)  # written even when 1: readers see it explicitly
        G.ProgramAddVersion(b, p.version)
        if producer is not None:
            G.ProgramAddProducer(b, producer)
        G.ProgramAddOperators(b, operators)
        G.ProgramAddConstants(b, constants)
        G.ProgramAddStorages(b, storages)
        G.ProgramAddClasses(b, classes)
        G.ProgramAddObjects(b, objects)
        G.ProgramAddRoot(b, p.root)
        G.ProgramAddFunctions(b, functions)
        G.ProgramAddMethods(b, methods)
        G.ProgramAddUpgraders(b, upgraders)
        b.Finish(G.ProgramEnd(b), IDENTIFIER)
        return bytes(b.Output())

    def operator(self, o: model.Operator):
        b = self.b
        name, overload = self.string(o.name), self.string(o.overload or "")
        G.OperatorStart(b)
        G.OperatorAddName(b, name)
        G.OperatorAddOverload(b, overload)
        return G.OperatorEnd(b)

    def storage(self, s: model.Storage):
        b = self.b
        record = self.string(s.record)
        G.StorageStart(b)
        G.StorageAddRecord(b, record)
        G.StorageAddDtype(b, s.dtype)
        G.StorageAddNumel(b, s.numel)
        return G.StorageEnd(b)

    def tensor(self, t: model.TensorRef):
        b = self.b
        sizes, strides = self.longs(t.sizes), self.longs(t.strides)
        G.TensorRefStart(b)
        G.TensorRefAddStorage(b, t.storage)
        G.TensorRefAddOffset(b, t.offset)
        G.TensorRefAddSizes(b, sizes)
        G.TensorRefAddStrides(b, strides)
        G.TensorRefAddRequiresGrad(b, t.requires_grad)
        return G.TensorRefEnd(b)

    def constant(self, c: model.Constant):
        b = self.b
        text, type_ = self.string(c.str_value), self.string(c.type)
        tensor = self.tensor(c.tensor) if c.tensor is not None else None
        items = self.uints(c.items)
        G.ConstantStart(b)
        G.ConstantAddKind(b, c.kind)
        G.ConstantAddIntValue(b, c.int_value)
        G.ConstantAddFloatValue(b, c.float_value)
        G.ConstantAddImagValue(b, c.imag_value)
        if text is not None:
            G.ConstantAddStrValue(b, text)
        if tensor is not None:
            G.ConstantAddTensor(b, tensor)
        G.ConstantAddItems(b, items)
        G.ConstantAddObject(b, c.object)
        if type_ is not None:
            G.ConstantAddType(b, type_)
        return G.ConstantEnd(b)

    def klass(self, c: model.Class):
        b = self.b
        name = self.string(c.name)
        attributes, types = self.strings(c.attributes), self.strings(c.attribute_types)
        G.ClassStart(b)
        G.ClassAddName(b, name)
        G.ClassAddAttributes(b, attributes)
        G.ClassAddAttributeTypes(b, types)
        G.ClassAddIsModule(b, c.is_module)
        return G.ClassEnd(b)

    def object(self, o: model.Object):
        b = self.b
        slots = self.uints(o.slots)
        G.ObjectStart(b)
        G.ObjectAddClassIndex(b, o.class_index)
        G.ObjectAddSlots(b, slots)
        return G.ObjectEnd(b)

    def op(self, o: model.Op):
        b = self.b
        blocks = self.offsets([self.block(k) for k in o.blocks])
        inputs, outputs = self.uints(o.inputs), self.uints(o.outputs)
        name, source = self.string(o.name), self.string(o.source)
        G.OpStart(b)
        G.OpAddOperator(b, o.operator)
        G.OpAddInputs(b, inputs)
        G.OpAddOutputs(b, outputs)
        G.OpAddBlocks(b, blocks)
        G.OpAddConstant(b, o.constant)
        if name is not None:
            G.OpAddName(b, name)
        if source is not None:
            G.OpAddSource(b, source)
        return G.OpEnd(b)

    def block(self, k: model.Block):
        b = self.b
        ops = self.offsets([self.op(o) for o in k.ops])
        arguments, results = self.uints(k.arguments), self.uints(k.results)
        G.BlockStart(b)
        G.BlockAddArguments(b, arguments)
        G.BlockAddOps(b, ops)
        G.BlockAddResults(b, results)
        return G.BlockEnd(b)

    def function(self, f: model.Function):
        b = self.b
        name = self.string(f.name)
        types, names = self.strings(f.register_types), self.strings(f.register_names)
        arguments = self.strings(f.argument_names)
        body = self.block(f.body)
        G.FunctionStart(b)
        G.FunctionAddName(b, name)
        G.FunctionAddNumRegisters(b, f.num_registers)
        G.FunctionAddRegisterTypes(b, types)
        G.FunctionAddRegisterNames(b, names)
        G.FunctionAddArgumentNames(b, arguments)
        G.FunctionAddBody(b, body)
        return G.FunctionEnd(b)

    def method(self, m: model.Method):
        b = self.b
        name = self.string(m.name)
        G.MethodStart(b)
        G.MethodAddName(b, name)
        G.MethodAddFunction(b, m.function)
        return G.MethodEnd(b)
