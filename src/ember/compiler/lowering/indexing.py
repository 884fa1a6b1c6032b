"""Lowering subscripts and tensor attributes: ``x[i]``, ``x[a:b, None]``, ``t[0]``, ``x.shape``.

On tensors, integer indices are ``aten::select``, slices ``aten::slice``, ``None`` is
``aten::unsqueeze`` and a tensor index is ``aten::index``; on lists ``aten::__getitem__`` and
``aten::slice.t``; tuple indices must be constants (each element has its own type).
"""

from __future__ import annotations

from ember.compiler.lowering.values import Known, ModuleRef, Sugared, TensorMethod
from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.ir import registry
from ember.ir import types as T  # noqa: N812

__all__ = ["IndexLowering"]

_TENSOR, _INT = T.TensorType.get(), T.IntType.get()
_OPT_TENSOR, _OPT_INT = T.OptionalType(_TENSOR), T.OptionalType(_INT)


class IndexLowering:
    def tensor_attr(self, v, attr, node):
        if attr == "shape":
            return self.emit("aten::size", v, node=node)
        if attr == "dtype":
            return self.emit("prim::dtype", v, node=node)
        if attr == "ndim":
            return self.emit("aten::dim", v, node=node)
        if attr == "device":
            return self.emit("prim::device", v, node=node)
        if attr == "is_cuda":
            return Known(False)
        if attr in ("requires_grad", "is_nested"):
            return self.emit(f"prim::{attr}", v, node=node)
        return TensorMethod(v, attr)

    def e_Subscript(self, node):
        base = self.expr(node.value)
        if isinstance(base, ModuleRef):
            return self.module_item(base, node)
        idx = [self.expr(i) if not isinstance(i, S.Slice) else i for i in node.index]
        if isinstance(base, Known) and all(isinstance(i, Known) for i in idx):
            return _known_item(base.value, idx[0].value if len(idx) == 1 else None, self, node)
        v = self.materialize(base, node.value)
        if isinstance(v.type, T.TensorType):
            return self.tensor_index(v, node.index, idx)
        if len(idx) != 1:
            raise self.err(node, f"multi-dimensional indexing of {v.type} is not supported")
        return self.item(v, node.index[0], idx[0], node)

    def item(self, v, raw, idx, node):
        t = v.type
        if isinstance(t, T.TupleType):
            if isinstance(raw, S.Slice):
                return self.b.tuple_construct(self.b.tuple_unpack(v)[self.tuple_slice(raw)])
            if not isinstance(idx, Known) or not isinstance(idx.value, int):
                raise self.err(node, "tuple indices must be integer constants")
            i = idx.value + len(t.elems) if idx.value < 0 else idx.value
            if not 0 <= i < len(t.elems):
                raise self.err(node, f"tuple index {idx.value} out of range")
            return self.emit("prim::TupleIndex", v, i, node=node)
        if isinstance(t, T.ListType | T.StrType) and isinstance(raw, S.Slice):
            lo, hi, st = self.slice_bounds(raw)
            kind = "aten::slice.str" if isinstance(t, T.StrType) else "aten::slice.t"
            return self.emit(kind, v, lo, hi, 1 if st is None else st, node=node)
        key = self.materialize(idx, raw)
        if isinstance(t, T.ListType):
            self.check_key(key, _INT, raw, "a list index")
            return self.emit("aten::__getitem__.t", v, key, node=node)
        if isinstance(t, T.DictType):
            self.check_key(key, t.key, raw, "a dict key")
            kind = "Dict_str" if isinstance(t.key, T.StrType) else "Dict_int"
            return self.emit(f"aten::__getitem__.{kind}", v, key, node=node)
        if isinstance(t, T.StrType):
            self.check_key(key, _INT, raw, "a string index")
            return self.emit("aten::__getitem__.str", v, key, node=node)
        raise self.err(node, f"values of type {t} cannot be indexed")

    def tuple_slice(self, raw) -> slice:
        """The slice ``t[lo:hi:step]`` takes of a tuple: its bounds must be constants."""
        bounds = []
        for x in (raw.lower, raw.upper, raw.step):
            b = Known(None) if x is None else self.expr(x)
            if not (isinstance(b, Known) and (b.value is None or type(b.value) is int)):
                raise self.err(x, "tuple slice bounds must be integer constants")
            bounds.append(b.value)
        if bounds[2] == 0:
            raise self.err(raw.step, "slice step cannot be zero")
        return slice(*bounds)

    def slice_bounds(self, raw):
        """The values of a slice's bounds (None where omitted), which must be ints."""
        out = []
        for x in (raw.lower, raw.upper, raw.step):
            out.append(None if x is None else self.value(x))
            if x is not None:
                self.check_key(out[-1], _OPT_INT, x, "a slice bound", _INT)
        return out

    def check_key(self, key, t, node, what, shown=None):
        """Refuse an index or key `key` of a type that parameter type `t` does not accept."""
        if not registry.accepts(t, key.type, convert=True):
            raise self.err(node, f"expected {shown or t}, found {key.type} as {what}")

    def tensor_index(self, v, raw_items, items):
        v, tensors = self.index_view(v, raw_items, items)
        if tensors is None:
            return v
        return self.emit("aten::index.Tensor", v, self.index_list(tensors), node=raw_items[0])

    def index_view(self, v, raw_items, items):
        """Apply the slice/int/None items to `v`; returns it and the tensor indices by
        dimension (None when there are none), which ``aten::index`` / ``index_put_`` take."""
        tensors = {}
        for raw, it, dim in _with_dims(raw_items, items):
            if isinstance(raw, S.Slice):
                v = self.slice_dim(v, raw, dim)
            elif isinstance(it, Known) and it.value is None:
                v = self.emit("aten::unsqueeze", v, dim, node=raw)
            elif not (isinstance(it, Known) and it.value is Ellipsis):
                i = self.materialize(it, raw)
                if isinstance(i.type, T.TensorType):
                    tensors[dim] = i
                elif isinstance(i.type, T.IntType):
                    v = self.emit("aten::select.int", v, dim, i, node=raw)
                else:
                    raise self.err(raw, f"expected int, found {i.type} as a tensor index")
        return v, (tensors or None)

    def index_list(self, tensors):
        items = [tensors.get(d) for d in range(max(tensors) + 1)]
        items = [self.b.constant(None, _OPT_TENSOR) if t is None else t for t in items]
        return self.b.list_construct(items, _OPT_TENSOR)

    def slice_dim(self, v, raw, dim):
        """``aten::slice`` for one slice item (full slices too, as TorchScript emits them)."""
        lo, hi, st = self.slice_bounds(raw)
        return self.emit("aten::slice.Tensor", v, dim, lo, hi, 1 if st is None else st, node=raw)


def _with_dims(raw_items, items):
    """(raw, item, dim) for each index item, with TorchScript's dimension numbering: items
    before an ``...`` count from 0, items after it from the end (negative)."""
    ellipsis = [i for i, it in enumerate(items) if isinstance(it, Known) and it.value is Ellipsis]
    out, dim = [], 0
    for k, (raw, it) in enumerate(zip(raw_items, items)):
        is_none = isinstance(it, Known) and it.value is None
        if ellipsis and k > ellipsis[0]:
            later = sum(1 for x in items[k:] if not (isinstance(x, Known) and x.value is None))
            out.append((raw, it, -later - 1 if is_none else -later))
            continue
        out.append((raw, it, dim))
        if isinstance(raw, S.Slice) or is_none or _is_tensor_index(it):
            dim += 1
    return out


def _is_tensor_index(it) -> bool:
    return not isinstance(it, Known) and isinstance(getattr(it, "type", None), T.TensorType)


def _known_item(value, index, low, node):
    try:
        item = value[index]
    except (TypeError, IndexError, KeyError):
        raise low.err(node, "invalid index into a constant") from None
    return item if isinstance(item, Sugared) else Known(item)
