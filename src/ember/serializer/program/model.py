"""The program record as plain Python data: one dataclass per table of ``program.fbs``.

The writer builds these (`ember.serializer.program.writer`), `encode` turns them into the
flatbuffer and `read_program` turns a flatbuffer back into them, so a program can be compared,
checked and printed without the flatbuffer accessors. Field names and defaults are the
schema's; enums are plain ints (`DTYPES`, `KINDS`).

Example:
    >>> op = Op(operator=0, inputs=[0, 1], outputs=[2], source="m.py:3:11")
    >>> op.constant, op.blocks
    (-1, [])
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "FORMAT",
    "KINDS",
    "Storage",
    "TensorRef",
    "Constant",
    "Object",
    "Class",
    "Operator",
    "Op",
    "Block",
    "Function",
    "Method",
    "Program",
]

FORMAT = 1
"""The schema revision this writer produces (``Program.format``); readers refuse newer ones."""

KINDS = ("None", "Bool", "Int", "Float", "Complex", "Str", "Device", "Tensor", "List", "Tuple",
         "Dict", "Object")  # fmt: skip
"""`Constant.kind` numbers, in the schema's order (``KINDS.index("Tensor") == 7``)."""


@dataclass
class Storage:
    record: str
    dtype: int
    numel: int


@dataclass
class TensorRef:
    storage: int
    offset: int
    sizes: list[int]
    strides: list[int]
    requires_grad: bool = False


@dataclass
class Constant:
    kind: int
    int_value: int = 0
    float_value: float = 0.0
    imag_value: float = 0.0
    str_value: str | None = None
    tensor: TensorRef | None = None
    items: list[int] = field(default_factory=list)
    object: int = 0
    type: str | None = None

    @property
    def kind_name(self) -> str:
        return KINDS[self.kind]


@dataclass
class Object:
    class_index: int
    slots: list[int]


@dataclass
class Class:
    name: str
    attributes: list[str]
    attribute_types: list[str]
    is_module: bool


@dataclass
class Operator:
    name: str
    overload: str = ""

    @property
    def qualified_name(self) -> str:
        return f"{self.name}.{self.overload}" if self.overload else self.name


@dataclass
class Op:
    operator: int
    inputs: list[int] = field(default_factory=list)
    outputs: list[int] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    constant: int = -1
    name: str | None = None
    source: str | None = None


@dataclass
class Block:
    arguments: list[int] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)
    results: list[int] = field(default_factory=list)


@dataclass
class Function:
    name: str
    num_registers: int
    register_types: list[str]
    register_names: list[str]
    argument_names: list[str]
    body: Block
    argument_defaults: list[int] = field(default_factory=list)


@dataclass
class Method:
    name: str
    function: int


@dataclass
class Program:
    format: int = FORMAT
    version: int = 0
    producer: str | None = None
    operators: list[Operator] = field(default_factory=list)
    constants: list[Constant] = field(default_factory=list)
    storages: list[Storage] = field(default_factory=list)
    classes: list[Class] = field(default_factory=list)
    objects: list[Object] = field(default_factory=list)
    root: int = 0
    functions: list[Function] = field(default_factory=list)
    methods: list[Method] = field(default_factory=list)
    upgraders: list[Function] = field(default_factory=list)
