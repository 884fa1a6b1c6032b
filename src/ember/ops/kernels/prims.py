"""The IR's structural operators: constants, attributes, calls, control flow, containers.

These are TorchScript's node kinds. Most have no kernel ("structural"): the Python runtime
and the printers give each its own form (``prim::If`` is an if statement, ``prim::GetAttr``
an attribute read). Schemas use type variables (``t``, ``t1``) and ``...`` for variadic
operands or results; where torch 2.13 registers the operator, the schema is torch's.

Example:
    >>> from ember.ops.table import get
    >>> sorted(get("prim::If").traits), get("prim::If").doc
    (['control', 'structural'], 'run block 0 if the condition is true, else block 1; results \
are what the block yields')
"""

from ember.ops.table import register_lines

register_lines(r"""
prim::Constant() -> t | pure structural | - | the literal in attribute `value` (int, float,
    bool, str, None, device, tuple/list of those, or a tensor)
prim::GetAttr(t1 obj) -> t | pure structural | - | attribute `name` of a module/object value
prim::SetAttr(t1 obj, t value) -> () | effect structural | -
    | set attribute `name` of a module/object value
prim::CallMethod(t1 obj, ...) -> ... | effect structural | -
    | call method `name` of a module/object value with the other operands
prim::CallFunction(...) -> ... | effect structural | -
    | call the compiled function whose qualified name is attribute `name`
prim::If(bool cond) -> ... | control structural | -
    | run block 0 if the condition is true, else block 1; results are what the block yields
prim::Loop(int max_trip_count, bool cond, ...) -> ... | control structural | -
    | while cond and i < max_trip_count: run the block with (i, *carried);
    it yields (cond, *carried); results are the final carried values
prim::Yield(...) -> () | terminator structural | - | end of an if/loop block: pass the operands out
prim::Return(...) -> () | terminator structural | - | end of a graph: its outputs
prim::RaiseException(str msg, str? cls=None) -> () | effect structural | -
    | raise the exception class named by cls (default Exception-like) with msg
prim::Uninitialized() -> Any | pure structural | -
    | a placeholder for a value never read (defined on one branch only, e.g. after a raise)
prim::unchecked_cast(t x) -> t | pure structural | -
    | the operand, with its static type narrowed (Optional refinement)
prim::ListConstruct(...) -> t[] | pure structural | - | a new list of the operands
prim::ListUnpack(t[] l) -> ... | pure structural | - | the elements of a list of known length
prim::TupleConstruct(...) -> t | pure structural | - | a tuple of the operands
prim::TupleUnpack(Any tup) -> ... | pure structural | - | the elements of a tuple
prim::TupleIndex(Any tup, int i) -> Any | pure | {0}[{1}] | element i of a tuple
prim::DictConstruct(...) -> Dict(K, V) | pure structural | -
    | a new dict from alternating key and value operands
""")
