"""Sample calls of the op table's faces: arguments built from an overload's schema.

`sample_call(op)` gives (argument values, IR-facing annotations) for the required
parameters of `op`, or None when a generic sample does not fit (then `SPECIAL` has one).
"""

import ember

_TENSOR = "Tensor"


def _tensor():
    return ember.arange(1, 7, dtype=ember.float32).reshape(2, 3) / 4


def _ints():
    return ember.tensor([[1, 2, 3], [4, 5, 6]])


# overload -> argument values (annotations are inferred from the values)
SPECIAL = {
    "aten::where.self": lambda: [ember.tensor([True, False]), ember.ones(2), ember.zeros(2)],
    "aten::where.ScalarOther": lambda: [ember.tensor([True, False]), ember.ones(2), 0.5],
    "aten::where.ScalarSelf": lambda: [ember.tensor([True, False]), 1.5, ember.zeros(2)],
    "aten::where.Scalar": lambda: [ember.tensor([True, False]), 1.5, 0.5],
    "aten::where": lambda: [ember.tensor([True, False])],
    "aten::gather": lambda: [_tensor(), 1, ember.zeros(2, 2, dtype=ember.int64)],
    "aten::index_select": lambda: [_tensor(), 1, ember.zeros(2, dtype=ember.int64)],
    "aten::mm": lambda: [_tensor(), _tensor().t()],
    "aten::bmm": lambda: [_tensor().reshape(1, 2, 3), _tensor().reshape(1, 3, 2)],
    "aten::baddbmm": lambda: [
        _tensor()[0, :2],
        _tensor().reshape(1, 2, 3),
        _tensor().reshape(1, 3, 2),
    ],  # fmt: skip
    "aten::matmul": lambda: [_tensor(), _tensor().t()],
    "aten::linear": lambda: [_tensor(), ember.ones(4, 3)],
    "aten::full": lambda: [[2], 1.5],
    "aten::linspace": lambda: [0, 1, 3],
    "aten::logspace": lambda: [0, 1, 3],
    "aten::eye.m": lambda: [2, 3],
    "aten::split_with_sizes": lambda: [_tensor().t(), [1, 2]],
    "aten::unflatten.int": lambda: [_tensor().reshape(1, 6), 1, [2, 3]],
    "aten::as_strided": lambda: [_tensor(), [2], [1]],
    "aten::clamp.Tensor": lambda: [_tensor(), ember.zeros(3)],
    "aten::clamp": lambda: [_tensor(), 0.5],
    "aten::div.Tensor_mode": lambda: [_tensor(), ember.full((3,), 2.0)],
    "aten::div.Scalar_mode": lambda: [_tensor(), 2],
    "aten::permute": lambda: [_tensor(), [1, 0]],
    "aten::masked_fill.Scalar": lambda: [_tensor(), ember.tensor([True, False, True]), 0.5],
    "aten::masked_fill.Tensor": lambda: [
        _tensor(),
        ember.tensor([True, False, True]),
        ember.tensor(2.0),
    ],  # fmt: skip
    "aten::masked_fill_.Scalar": lambda: [_tensor(), ember.tensor([True, False, True]), 0.5],
    "aten::masked_fill_.Tensor": lambda: [
        _tensor(),
        ember.tensor([True, False, True]),
        ember.tensor(2.0),
    ],  # fmt: skip
    "aten::repeat": lambda: [_tensor(), [2, 1]],
    "aten::flip": lambda: [_tensor(), [0]],
    "aten::view.dtype": lambda: [_tensor(), ember.int32],
    "aten::to.dtype": lambda: [_tensor(), ember.float64],
    "aten::view": lambda: [_tensor(), [3, 2]],
    "aten::reshape": lambda: [_tensor(), [3, 2]],
    "aten::expand": lambda: [_tensor()[:1], [4, 3]],
    "aten::index_put_": lambda: [_tensor(), [ember.tensor([0])], ember.tensor(9.0)],
    "aten::view_as_complex": lambda: [ember.ones(3, 2)],
    "aten::topk": lambda: [_tensor(), 2],
    "aten::narrow": lambda: [_tensor(), 1, 0, 2],
    "aten::select.int": lambda: [_tensor(), 1, 2],
    "aten::transpose.int": lambda: [_tensor(), 0, 1],
    "aten::conv1d": lambda: [ember.ones(1, 2, 5), ember.ones(3, 2, 2)],
    "aten::conv1d.padding": lambda: [ember.ones(1, 2, 5), ember.ones(3, 2, 2), None, [1], "same"],
    "aten::conv2d": lambda: [ember.ones(1, 2, 4, 4), ember.ones(3, 2, 2, 2)],
    "aten::conv2d.padding": lambda: [
        ember.ones(1, 2, 4, 4),
        ember.ones(3, 2, 2, 2),
        None,
        [1, 1],
        "same",
    ],  # fmt: skip
    "aten::max_pool2d": lambda: [ember.ones(1, 1, 4, 4), [2, 2]],
    "aten::avg_pool2d": lambda: [ember.ones(1, 1, 4, 4), [2, 2]],
    "aten::adaptive_avg_pool2d": lambda: [ember.ones(1, 1, 4, 4), [2, 2]],
    "aten::layer_norm": lambda: [_tensor(), [3]],
    "aten::dropout": lambda: [_tensor(), 0.5, False],
    "aten::unbind.int": lambda: [_tensor()],
    "aten::type_as": lambda: [_tensor(), _ints()],
    "aten::log.int_int": lambda: [8, 2],
    "aten::log.float_float": lambda: [8.0, 2.0],
    "aten::factorial.int": lambda: [5],
    "aten::ldexp": lambda: [1.5, 3],
    "aten::clamp_": lambda: [_tensor(), 0.5],
    "aten::item": lambda: [ember.tensor([2.5])],
    "aten::imag": lambda: [ember.ones(3, dtype=ember.complex64)],
    "aten::view_as_real": lambda: [ember.ones(3, dtype=ember.complex64)],
    "aten::format": lambda: ["{} and {}", 1, "b"],
}
_INT_TENSOR_OPS = ("bitwise", "logical", "__and__", "__or__", "__xor__")
_BY_TYPE = {
    "Scalar": 2,
    "int": 1,
    "SymInt": 1,
    "float": 0.5,
    "bool": False,
    "str": "a b",
    "int[]": [1],
    "SymInt[]": [2, 3],
    "t[]": [3, 1, 2],
    "int[]?": [1],
    "Dict(str, t)": {"a": 1, "b": 2},
}


def sample_args(op):
    """Values for the required parameters of `op`, or None when no generic sample fits; a
    method's receiver (the `self` parameter) comes first."""
    args = _in_schema_order(op)
    names = [a.name for a in op.schema.arguments][: len(args or ())]
    if args and "self" in names[1:]:
        i = names.index("self")
        args = [args[i], *args[:i], *args[i + 1 :]]
    return args


def _in_schema_order(op):
    make = SPECIAL.get(op.qualified_name)
    if make is not None:
        return make()
    args = []
    for a in op.schema.arguments:
        if a.has_default or a.kwarg_only:
            break
        value = _value(op, a)
        if value is None:
            return None
        args.append(value)
    return args


def _value(op, a):
    t = a.base_type
    if t == _TENSOR:
        return _ints() if any(k in op.name for k in _INT_TENSOR_OPS) else _tensor()
    if t == "Tensor[]":
        return [_tensor(), _tensor()]
    if a.name in ("size", "shape") and t.endswith("[]"):
        return [2, 3]
    if t == "t" and op.name.startswith("aten::"):
        return 1
    if t == "str" and op.name == "aten::format":
        return "{}!"
    if t == "str[]":
        return ["x", "y"]
    if t in ("Dict(int, t)",):
        return {1: 1, 2: 2}
    return _BY_TYPE.get(t)
