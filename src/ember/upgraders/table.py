"""The upgrader table: for each operator overload whose meaning changed, the versions that
still had the old meaning and what a call meant then.

An entry (`Upgrader`) is data: the overload's qualified name, the inclusive range of archive
versions it covers, torch's name for the upgrader and the overload's schema in those versions
(both exactly as torch 2.13's ``torch._C._get_operator_version_map()`` gives them), and the
body: a function in `ember.upgraders.bodies` that builds, with `ember.ir.Builder`, the IR of
the old meaning in current operators. `Upgrader.graph()` is that body as a graph whose inputs
are the old schema's arguments, and `Upgrader.source` the graph printed as TorchScript: what
another consumer (the C++ runtime's generator) reads instead of Python.

An entry without a body marks an overload whose old schema still means what the current one
does (torch keeps an upgrader for it only to parse the old schema): calls stay as they are,
after `ember.upgraders.upgrade` has checked that they use no argument the old schema lacks.

Example:
    >>> [u.name for u in for_version(4).values()]
    ['full_0_4', 'linspace_0_7', 'logspace_0_8', 'gelu_0_9']
    >>> up = UPGRADERS[0]
    >>> up.overload, up.versions, up.applies_to(3), up.applies_to(4)
    ('aten::div.Tensor', (0, 3), True, False)
    >>> print(up.source)
    def div_Tensor_0_3(self: Tensor,
        other: Tensor) -> Tensor:
      _0 = torch.__or__(torch.is_floating_point(self), torch.is_floating_point(other))
      if _0:
        _1 = torch.div(self, other)
      else:
        _2 = torch.div(self, other, rounding_mode="trunc")
        _1 = _2
      return _1
    <BLANKLINE>
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from ember.ir import Builder, Graph, code_text
from ember.ir.type_parser import parse_type
from ember.ops import Schema, parse_schema
from ember.upgraders import bodies as B  # noqa: N812

__all__ = ["Upgrader", "UPGRADERS", "for_version"]


@dataclass(frozen=True)
class Upgrader:
    """One table entry (see the module docstring)."""

    overload: str
    """The operator overload, e.g. ``'aten::div.Tensor'`` (an entry of `ember.ops`)."""
    versions: tuple[int, int]
    """The archive versions that still had the old meaning, both ends included."""
    name: str
    """torch's name for the upgrader, e.g. ``'div_Tensor_0_3'``."""
    old_schema: str
    """The overload's schema in those versions, as torch 2.13 prints it."""
    body: Callable | None = None
    """Builds the old meaning: ``body(builder, *old_schema_inputs) -> result``; None when
    calls keep their meaning (see the module docstring)."""

    def applies_to(self, version: int) -> bool:
        low, high = self.versions
        return low <= version <= high

    @property
    def schema(self) -> Schema:
        """`old_schema`, parsed."""
        return _parse(self.old_schema)

    def graph(self) -> Graph | None:
        """The body as a graph of the old schema's arguments (built once; do not edit it)."""
        return None if self.body is None else _body_graph(self)

    @property
    def source(self) -> str | None:
        """The body as TorchScript source (`ember.ir.code_text` of `graph()`)."""
        graph = self.graph()
        return None if graph is None else code_text(graph)


@functools.cache
def _parse(text: str) -> Schema:
    return parse_schema(text)


@functools.cache
def _body_graph(up: Upgrader) -> Graph:
    b = Builder(Graph(up.name))
    inputs = [
        b.add_input(parse_type(a.type), a.name, **_signature_extras(a)) for a in up.schema.arguments
    ]
    b.return_(up.body(b, *inputs))
    return b.graph


def _signature_extras(arg) -> dict:
    extras = {"kwonly": arg.kwarg_only}
    if arg.has_default:
        extras["default"] = arg.default
    return extras


_DIV = (0, 3)
_FULL = (0, 4)
_T = "ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None"

UPGRADERS: tuple[Upgrader, ...] = (
    # version 4: div on two integers divides truly (it truncated before)
    Upgrader("aten::div.Tensor", _DIV, "div_Tensor_0_3",
             "aten::div.Tensor(Tensor self, Tensor other) -> Tensor", B.div_Tensor_0_3),
    Upgrader("aten::div.Scalar", _DIV, "div_Scalar_0_3",
             "aten::div.Scalar(Tensor self, Scalar other) -> Tensor", B.div_Scalar_0_3),
    Upgrader("aten::div_.Tensor", _DIV, "div__Tensor_0_3",
             "aten::div_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)", B.div__Tensor_0_3),
    Upgrader("aten::div_.Scalar", _DIV, "div__Scalar_0_3",
             "aten::div_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)", B.div__Scalar_0_3),
    Upgrader("aten::div.Tensor_mode", _DIV, "div_Tensor_mode_0_3",
             "aten::div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor"),
    Upgrader("aten::div.Scalar_mode", _DIV, "div_Scalar_mode_0_3",
             "aten::div.Scalar_mode(Tensor self, Scalar other, *, str? rounding_mode) -> Tensor"),
    Upgrader("aten::div_.Tensor_mode", _DIV, "div__Tensor_mode_0_3",
             "aten::div_.Tensor_mode(Tensor(a!) self, Tensor other, *, str? rounding_mode)"
             " -> Tensor(a!)"),
    Upgrader("aten::div_.Scalar_mode", _DIV, "div__Scalar_mode_0_3",
             "aten::div_.Scalar_mode(Tensor(a!) self, Scalar other, *, str? rounding_mode)"
             " -> Tensor(a!)"),
    # version 5: full with an int or bool fill and no dtype gives an integer or bool tensor
    Upgrader("aten::full", _FULL, "full_0_4",
             f"aten::full(int[] size, Scalar fill_value, *, {_T}) -> Tensor", B.full_0_4),
    # versions 8 and 9: linspace and logspace require steps (None meant 100)
    Upgrader("aten::linspace", (0, 7), "linspace_0_7",
             f"aten::linspace(Scalar start, Scalar end, int? steps=None, *, {_T}) -> Tensor",
             B.linspace_0_7),
    Upgrader("aten::logspace", (0, 8), "logspace_0_8",
             "aten::logspace(Scalar start, Scalar end, int? steps=None, float base=10.0, *, "
             f"{_T}) -> Tensor", B.logspace_0_8),
    # version 10: gelu gained approximate (calls without it still mean approximate='none')
    Upgrader("aten::gelu", (0, 9), "gelu_0_9", "aten::gelu(Tensor self) -> Tensor"),
)  # fmt: skip
"""Every upgrader, in the order torch's version bumps came."""


def for_version(version: int) -> dict[str, Upgrader]:
    """The entries whose range contains `version`, by overload."""
    return {u.overload: u for u in UPGRADERS if u.applies_to(version)}
