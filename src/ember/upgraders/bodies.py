"""The bodies of the upgraders: what a call of an old operator meant, in current operators.

Each body is written as TorchScript's upgrader source is (torch 2.13's
``torch._C._get_upgraders_entry_map()``; the source is quoted above each function), but
built as IR: a function ``(builder, *inputs) -> result`` that emits the body with `builder`
at its insertion point. The inputs are the old schema's arguments, in order (`ember.upgraders.
table` makes them graph inputs typed from the old schema). A body must only call operators
whose current meaning is the one it wants: the div bodies call ``aten::div.Tensor`` (true
division since version 4) and ``aten::div.Tensor_mode`` with ``'trunc'``.

Example (the body of ``div_Tensor_0_3``, built into a graph of its own):
    >>> from ember.ir import Builder, Graph, types as T
    >>> b = Builder(Graph("div_Tensor_0_3"))
    >>> x, y = b.add_input(T.TensorType.get(), "self"), b.add_input(T.TensorType.get(), "other")
    >>> b.return_(div_Tensor_0_3(b, x, y))
    >>> print(b.graph, end="")
    graph(%self : Tensor,
          %other : Tensor):
      %0 : bool = aten::is_floating_point(%self)
      %1 : bool = aten::is_floating_point(%other)
      %2 : bool = aten::__or__(%0, %1)
      %3 : Tensor = prim::If(%2)
        block0():
          %4 : Tensor = aten::div(%self, %other)
          -> (%4)
        block1():
          %5 : str = prim::Constant[value="trunc"]()
          %6 : Tensor = aten::div(%self, %other, %5)
          -> (%6)
      return (%3)
"""

from __future__ import annotations

from collections.abc import Callable

from ember.ir import Builder, Value
from ember.ir import types as T  # noqa: N812

__all__ = [
    "div_Tensor_0_3",
    "div_Scalar_0_3",
    "div__Tensor_0_3",
    "div__Scalar_0_3",
    "full_0_4",
    "linspace_0_7",
    "logspace_0_8",
]

_TENSOR = T.TensorType.get()


def _if(b: Builder, cond: Value, then: Callable, other: Callable, type: T.Type) -> Value:
    """``then() if cond else other()``: a ``prim::If`` whose branches yield what they emit."""
    op = b.if_(cond, [type])
    for block, branch in zip(op.blocks, (then, other)):
        with b.at_end(block):
            b.yield_(branch())
    return op.result


def _floating(b: Builder, *tensors: Value) -> Value:
    """``a.is_floating_point() or b.is_floating_point() ...`` (each operand asked once)."""
    flags = [b.emit("aten::is_floating_point", t) for t in tensors]
    out = flags[0]
    for flag in flags[1:]:
        out = b.emit("aten::__or__.bool", out, flag)
    return out


def _is_float(b: Builder, number: Value) -> Value:
    """``isinstance(number, float)``: a float makes a floating 0-d tensor, an int or a bool
    (or a complex) does not."""
    return b.emit("aten::is_floating_point", b.emit("prim::NumToTensor.Scalar", number))


def _div(b: Builder, true_div: str, floating: Value, self: Value, other: Value) -> Value:
    """``true_div`` (a div overload) when `floating`, else its ``_mode`` overload with
    ``rounding_mode='trunc'``: division rounded toward zero."""
    return _if(
        b,
        floating,
        lambda: b.emit(true_div, self, other),
        lambda: b.emit(f"{true_div}_mode", self, other, rounding_mode="trunc"),
        _TENSOR,
    )


# def div_Tensor_0_3(self: Tensor, other: Tensor) -> Tensor:
#   if (self.is_floating_point() or other.is_floating_point()):
#     return self.true_divide(other)
#   return self.divide(other, rounding_mode='trunc')
def div_Tensor_0_3(b: Builder, self: Value, other: Value) -> Value:
    return _div(b, "aten::div.Tensor", _floating(b, self, other), self, other)


# def div_Scalar_0_3(self: Tensor, other: number) -> Tensor:
#   if (self.is_floating_point() or isinstance(other, float)):
#     return self.true_divide(other)
#   return self.divide(other, rounding_mode='trunc')
def div_Scalar_0_3(b: Builder, self: Value, other: Value) -> Value:
    floating = b.emit("aten::__or__.bool", _floating(b, self), _is_float(b, other))
    return _div(b, "aten::div.Scalar", floating, self, other)


# def div__Tensor_0_3(self: Tensor, other: Tensor) -> Tensor:
#   if (self.is_floating_point() or other.is_floating_point()):
#     return self.true_divide_(other)
#   return self.divide_(other, rounding_mode='trunc')
def div__Tensor_0_3(b: Builder, self: Value, other: Value) -> Value:
    return _div(b, "aten::div_.Tensor", _floating(b, self, other), self, other)


# def div__Scalar_0_3(self: Tensor, other: number) -> Tensor:
#   if (self.is_floating_point() or isinstance(other, float)):
#     return self.true_divide_(other)
#   return self.divide_(other, rounding_mode='trunc')
def div__Scalar_0_3(b: Builder, self: Value, other: Value) -> Value:
    floating = b.emit("aten::__or__.bool", _floating(b, self), _is_float(b, other))
    return _div(b, "aten::div_.Scalar", floating, self, other)


# def full_0_4(size:List[int], fill_value:number, *, dtype:Optional[int]=None,
#              layout:Optional[int]=None, device:Optional[Device]=None,
#              pin_memory:Optional[bool]=None) -> Tensor:
#   if dtype is None:
#     fill_value = float(fill_value)
#   return torch.full(size, fill_value, dtype=dtype, layout=layout, device=device,
#                     pin_memory=pin_memory)
def full_0_4(b, size, fill_value, dtype, layout, device, pin_memory) -> Value:
    fill = _if(
        b,
        b.emit("aten::__is__", dtype, None),
        lambda: b.emit("aten::Float.Scalar", fill_value),
        lambda: fill_value,
        T.NumberType.get(),
    )
    options = {"dtype": dtype, "layout": layout, "device": device, "pin_memory": pin_memory}
    return b.emit("aten::full", size, fill, **options)


# def linspace_0_7(start: Union[int, float, complex], end: Union[int, float, complex],
#                  steps: Optional[int], *, dtype: Optional[int], layout: Optional[int],
#                  device: Optional[Device], pin_memory: Optional[bool]):
#   if (steps is None):
#     return torch.linspace(start=start, end=end, steps=100, dtype=dtype, ...)
#   return torch.linspace(start=start, end=end, steps=steps, dtype=dtype, ...)
def linspace_0_7(b, start, end, steps, dtype, layout, device, pin_memory) -> Value:
    options = {"dtype": dtype, "layout": layout, "device": device, "pin_memory": pin_memory}
    return _steps_or_100(b, steps, lambda n: b.emit("aten::linspace", start, end, n, **options))


# def logspace_0_8(start: Union[int, float, complex], end: Union[int, float, complex],
#                  steps: Optional[int], base: float, *, dtype: Optional[int], ...):
#   if (steps is None):
#     return torch.logspace(start=start, end=end, steps=100, base=base, dtype=dtype, ...)
#   return torch.logspace(start=start, end=end, steps=steps, base=base, dtype=dtype, ...)
def logspace_0_8(b, start, end, steps, base, dtype, layout, device, pin_memory) -> Value:
    options = {"dtype": dtype, "layout": layout, "device": device, "pin_memory": pin_memory}
    return _steps_or_100(
        b, steps, lambda n: b.emit("aten::logspace", start, end, n, base, **options)
    )


def _steps_or_100(b: Builder, steps: Value, call: Callable[[object], Value]) -> Value:
    """``call(100) if steps is None else call(steps)`` (steps refined to int)."""
    return _if(
        b,
        b.emit("aten::__is__", steps, None),
        lambda: call(100),
        lambda: call(b.unchecked_cast(steps, T.IntType.get())),
        _TENSOR,
    )
