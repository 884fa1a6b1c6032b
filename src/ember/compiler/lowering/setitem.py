"""Lowering item assignment: ``x[i] = v``, ``x[a:b, 0] = y``, ``x[mask] = 0``, ``xs[i] = v``.

Tensors are written through, as eager ember does, in TorchScript's form: the indexed region
is a view (``aten::slice`` for every slice, full ones included, ``aten::select`` for ints)
that ``aten::copy_`` overwrites; a number is first made a tensor of the view's dtype and
device (``aten::tensor(v, dtype=prim::dtype(view), device=prim::device(view))``). Tensor
indices turn the store into ``aten::index_put_`` on the view with a ``List[Optional[Tensor]]``
holding the index tensors at their dimensions. ``x[i] += v`` is the in-place op on the view;
with tensor indices it reads with ``aten::index``, updates that copy and stores it back.
Lists use ``aten::_set_item.t`` and dicts ``aten::_set_item.str`` / ``.int``.
"""

from __future__ import annotations

from ember.compiler.parsing import syntax as S  # noqa: N812
from ember.ir import types as T  # noqa: N812

__all__ = ["ItemAssignLowering"]

_TENSOR = T.TensorType.get()
_NUMBER = (T.IntType, T.FloatType, T.BoolType)


class ItemAssignLowering:
    def assign_item(self, target, value, node):
        base = self.value(target.value)
        if isinstance(base.type, T.TensorType):
            view, indices = self.item_view(base, target)
            self.store_item(view, indices, self.materialize(value, node), node)
            return
        if len(target.index) != 1 or isinstance(target.index[0], S.Slice):
            raise self.err(target, f"only single-index item assignment is supported on {base.type}")
        key = self.value(target.index[0])
        v = self.materialize(value, node)
        if isinstance(base.type, T.ListType):
            self.check_key(key, T.IntType.get(), target.index[0], "a list index")
            v = self.coerce(v, base.type.elem, node, "a list element")
            self.emit("aten::_set_item.t", base, key, v, node=node)
        elif isinstance(base.type, T.DictType):
            self.check_key(key, base.type.key, target.index[0], "a dict key")
            kind = "str" if isinstance(base.type.key, T.StrType) else "int"
            v = self.coerce(v, base.type.value, node, "a dict value")
            self.b.op(f"aten::_set_item.{kind}", [base, key, v], [])
        else:
            raise self.err(target, f"item assignment on {base.type} is not supported")

    def aug_assign_item(self, st):
        """``target[...] op= value``; False when the target is not a tensor item."""
        base = self.value(st.target.value)
        elem = getattr(base.type, "elem", None) or getattr(base.type, "value", None)
        if isinstance(base.type, T.ListType | T.DictType) and isinstance(elem, T.TensorType):
            # in place, as eager Python's __iadd__ (TorchScript does so for lists only)
            current = self.value(st.target)
            self.assign(st.target, self.augmented_tensor(current, st), st)
            return True
        if not isinstance(base.type, T.TensorType):
            return False
        view, indices = self.item_view(base, st.target)
        if indices is None:
            self.augmented_tensor(view, st)
            return True
        indices = self.index_list(indices)
        current = self.emit("aten::index.Tensor", view, indices, node=st)
        self.store_item(view, indices, self.augmented_tensor(current, st), st)
        return True

    def item_view(self, v, target):
        """The view a store into ``v[target.index]`` writes, and the tensor indices by
        dimension (None when there are none)."""
        items = [i if isinstance(i, S.Slice) else self.expr(i) for i in target.index]
        return self.index_view(v, target.index, items)

    def store_item(self, view, indices, v, node):
        if isinstance(v.type, _NUMBER):
            dtype = self.emit("prim::dtype", view, node=node)
            device = self.emit("prim::device", view, node=node)
            v = self.call_op("aten::tensor", [v], {"dtype": dtype, "device": device}, node)
        elif not isinstance(v.type, T.TensorType):
            raise self.err(node, f"expected a Tensor or a number, found {v.type} to store "
                                 "into a tensor")  # fmt: skip
        if indices is None:
            self.call_op("aten::copy_", [view, v], {}, node)
        else:
            if isinstance(indices, dict):
                indices = self.index_list(indices)
            self.call_op("aten::index_put_", [view, indices, v], {}, node)
