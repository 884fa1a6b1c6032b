"""The value tables of a program: attributes of every kind, shared and viewing tensors, script
class objects, tensor constants of traced code in ``constants/N``, and `check_program`
finding each kind of damage."""

import contextlib
import copy
import io

import numpy as np
import pytest
from tests.program.programs import Archive, assert_valid, saved, tensor_at, walk_ops

import ember
from ember.jit.converting import convert_archive
from ember.serializer.program import check_program, model
from ember.serializer.program.describe import constant_text


class Attrs(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.n = 3
        self.f = -0.0
        self.flag = True
        self.name = "é"
        self.maybe: int | None = None
        self.sizes: list[int] = [1, 2]
        self.table: dict[str, float] = {"a": 1.5}
        self.pair: tuple[int, str] = (7, "b")
        self.fc = ember.nn.Linear(3, 2)
        self.register_buffer("row", self.fc.weight.detach()[1])  # a view into fc.weight

    def forward(self, x):
        y = self.fc(x) * self.n + self.f
        if self.flag and self.maybe is None:
            y = y + self.sizes[1] + self.table["a"] + self.pair[0]
        return y + self.row.sum(), self.name


def _slots(program: model.Program, obj: model.Object) -> dict:
    cls = program.classes[obj.class_index]
    return dict(zip(cls.attributes, obj.slots, strict=True))


def test_attribute_values_of_every_kind():
    archive = Archive(saved(ember.jit.script(Attrs())))
    p = assert_valid(archive)
    slots = _slots(p, p.objects[p.root])
    shown = {name: constant_text(p, index) for name, index in slots.items()}
    assert shown["n"] == "3" and shown["f"] == "-0.0" and shown["flag"] == "True"
    assert shown["name"] == "'é'" and shown["maybe"] == "None"
    assert shown["sizes"] == "[1, 2]" and shown["table"] == "{'a': 1.5}"
    assert shown["pair"] == "(7, 'b')"
    assert p.constants[slots["sizes"]].type == "int[]"
    assert p.constants[slots["table"]].type == "Dict(str, float)"


def test_a_view_shares_its_bases_storage_record():
    module = ember.jit.script(Attrs())
    archive = Archive(saved(module))
    p = archive.program
    root = _slots(p, p.objects[p.root])
    row = p.constants[root["row"]].tensor
    fc = p.objects[p.constants[root["fc"]].object]
    weight = p.constants[_slots(p, fc)["weight"]].tensor
    assert row.storage == weight.storage and (row.offset, row.sizes, row.strides) == (3, [3], [1])
    np.testing.assert_array_equal(tensor_at(archive, row), module.row.numpy())


def test_a_tensor_two_modules_share_is_one_constant():
    class Tied(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = ember.nn.Linear(2, 2)
            self.b = ember.nn.Linear(2, 2)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    p = Archive(saved(ember.jit.script(Tied()))).program
    root = _slots(p, p.objects[p.root])
    weights = {_slots(p, p.objects[p.constants[root[n]].object])["weight"] for n in "ab"}
    assert len(weights) == 1 and len(p.storages) == 3


def test_traced_tensor_constants_live_in_constants_records():
    class Shift(ember.nn.Module):
        def forward(self, x):
            return x + ember.tensor([1.0, 2.0, 3.0])

    traced = ember.jit.trace(Shift(), (ember.zeros(3),))
    archive = Archive(saved(traced))
    p = assert_valid(archive)
    tensors = [c for c in p.constants if model.KINDS[c.kind] == "Tensor"]
    assert [p.storages[c.tensor.storage].record for c in tensors] == ["constants/0"]
    np.testing.assert_array_equal(tensor_at(archive, tensors[0].tensor), [1.0, 2.0, 3.0])


def test_script_class_objects(torch):
    class Pair:
        def __init__(self, a: int, b: float):
            self.a = a
            self.b = b

    class Holder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.pair = Pair(3, 0.5)

        def forward(self, x):
            return x * self.pair.b + self.pair.a

    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(Holder()), buf)
    out = io.BytesIO()
    convert_archive(io.BytesIO(buf.getvalue()), out)
    p = assert_valid(Archive(out.getvalue()))
    pair = p.objects[p.constants[_slots(p, p.objects[p.root])["pair"]].object]
    cls = p.classes[pair.class_index]
    assert cls.name.endswith("Pair") and not cls.is_module
    assert [constant_text(p, s) for s in pair.slots] == ["3", "0.5"]


def _valid():
    archive = Archive(saved(ember.jit.script(ember.nn.Linear(2, 2))))
    assert_valid(archive)
    return archive


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p, s: p.operators.append(model.Operator("aten::nope")), "not in the op table"),
        (lambda p, s: p.functions[0].body.ops[0].inputs.__setitem__(0, 99), "before it is"),
        (lambda p, s: p.functions[0].body.results.append(7), "before it is written"),
        (lambda p, s: p.functions[0].body.ops[1].outputs.__setitem__(0, 2), "twice"),
        (lambda p, s: s.__setitem__("data/0", 4), "fewer than"),
        (lambda p, s: s.pop("data/1"), "which the archive lacks"),
        (lambda p, s: setattr(p.storages[0], "numel", 1), "reaches outside"),
        (lambda p, s: setattr(p, "root", 5), "root object"),
        (lambda p, s: setattr(p, "version", 4), "is not the archive's 3"),
        (lambda p, s: p.constants.append(model.Constant(8, items=[len(p.constants)])),
         "not before"),
        (lambda p, s: setattr(p, "version", 3) or p.operators.append(
            model.Operator("aten::div", "Tensor")) or p.functions[0].body.ops.append(
            model.Op(len(p.operators) - 1, [1, 1], [p.functions[0].num_registers])),
         "needs upgrader div_Tensor_0_3"),
    ],
)  # fmt: skip
def test_check_program_finds_damage(damage, message):
    archive = _valid()
    program, sizes = copy.deepcopy(archive.program), dict(archive.sizes)
    damage(program, sizes)
    problems = check_program(program, sizes, 3)
    assert any(message in p for p in problems), problems


def test_every_op_of_a_loop_body_reads_registers_in_scope():
    def count(x, n: int):
        for i in range(n):
            if i % 2 == 0:
                x = x + i
        return x

    p = assert_valid(Archive(saved(ember.jit.script(count))))
    kinds = [p.operators[op.operator].name for op in walk_ops(p.functions[0].body)]
    assert kinds.count("prim::Loop") == 1 and kinds.count("prim::If") == 1


def test_damaged_records_raise_serialization_errors():
    import random

    from ember.serializer.program import read_program

    data = _valid().records["program.fb"]
    rng = random.Random(0)
    for _ in range(300):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.2:
            damaged = damaged[: rng.randrange(len(damaged))]
        with contextlib.suppress(ember.SerializationError):
            read_program(bytes(damaged))
    with pytest.raises(ember.SerializationError, match="no 'EMBP' identifier"):
        read_program(data[:4] + b"PK\x03\x04" + data[8:])


def test_argument_defaults_are_constants():
    class M(ember.nn.Module):
        def forward(self, x, k: int = 2, scale: float = 0.5, bias: float | None = None):
            return x * k * scale

    scripted = ember.jit.script(M())
    for data in (saved(scripted), saved(ember.jit.load(io.BytesIO(saved(scripted))))):
        p = assert_valid(Archive(data))
        fn = p.functions[0]
        assert fn.argument_names == ["self", "x", "k", "scale", "bias"]
        shown = [constant_text(p, d) if d >= 0 else "-" for d in fn.argument_defaults]
        assert shown == ["-", "-", "2", "0.5", "None"]
    assert (
        Archive(saved(ember.jit.script(ember.nn.ReLU()))).program.functions[0].argument_defaults
        == []
    )
