"""ember's IR: typed SSA values, operations naming operators, structured control flow.

Structure (NOTE: [IR structure] in `ember.ir.core`): a `Graph` owns a top `Block` whose
arguments are the graph inputs and whose last op is ``prim::Return``. Operations name their
operator by PyTorch's qualified name (``'aten::add.Tensor'``, ``'aten::len.t'``,
``'prim::If'``): every one is an entry of the op table, `ember.ops`, which `registry.lookup`
gives with its types parsed. A `CompilationUnit` (`ember.ir.unit`) holds the functions and
class types of a program. ``prim::If`` owns two blocks and ``prim::Loop`` one; values
leave blocks through ``prim::Yield`` and loop-carried values are block arguments (no phis).
Types live in `ember.ir.types`; `Builder` creates ops at an insertion point (each op remembers
its `SourceLocation` in the user's code as ``op.loc``); `verify` checks well-formedness;
`graph_text` (also ``str(graph)``) prints TorchScript's graph dump.

Example: a loop with a carried value, then an if with a result.

    >>> from ember.ir import Graph, Builder, types as T
    >>> b = Builder(Graph("f"))
    >>> x = b.add_input(T.TensorType.get(), "x")
    >>> n = b.add_input(T.IntType.get(), "n")
    >>> loop = b.loop(n, True, [x], names=["acc"], iter_name="i")   # for i in range(n)
    >>> with b.at_end(loop.blocks[0]):
    ...     i, acc = loop.blocks[0].args
    ...     _ = b.yield_(True, b.emit("aten::add.Tensor", acc, x, name="acc"))
    >>> big = b.emit("aten::gt.int", n, 3)
    >>> branch = b.if_(big, [T.TensorType.get()])
    >>> with b.at_end(branch.blocks[0]):
    ...     _ = b.yield_(b.emit("aten::relu", loop.results[0]))
    >>> with b.at_end(branch.blocks[1]):
    ...     _ = b.yield_(loop.results[0])
    >>> b.return_(branch.result)
    >>> verify(b.graph)
    >>> print(b.graph, end="")
    graph(%x : Tensor,
          %n : int):
      %0 : bool = prim::Constant[value=1]()
      %acc : Tensor = prim::Loop(%n, %0, %x)
        block0(%i : int, %acc.1 : Tensor):
          %1 : int = prim::Constant[value=1]()
          %acc.2 : Tensor = aten::add(%acc.1, %x, %1)
          %2 : bool = prim::Constant[value=1]()
          -> (%2, %acc.2)
      %3 : int = prim::Constant[value=3]()
      %4 : bool = aten::gt(%n, %3)
      %5 : Tensor = prim::If(%4)
        block0():
          %6 : Tensor = aten::relu(%acc)
          -> (%6)
        block1():
          -> (%acc)
      return (%5)
"""

from ember.ir import types
from ember.ir.builder import MAX_TRIP, Builder, constant_type
from ember.ir.class_printer import class_text, code_files, function_files
from ember.ir.code_printer import code_text
from ember.ir.core import Block, BlockArgument, Graph, Operation, OpResult, Use, Value
from ember.ir.inline import clone_graph, inline_calls
from ember.ir.location import SourceLocation
from ember.ir.passes import eliminate_dead_code
from ember.ir.pipeline import run_passes
from ember.ir.printer import Namer, graph_text, op_text
from ember.ir.registry import Signature, lookup, match_overload, overloads
from ember.ir.unit import CompilationUnit, Function, Param
from ember.ir.verifier import verify

__all__ = [
    "types",
    "Graph",
    "Block",
    "Operation",
    "Value",
    "OpResult",
    "BlockArgument",
    "Use",
    "SourceLocation",
    "Builder",
    "MAX_TRIP",
    "constant_type",
    "Namer",
    "graph_text",
    "op_text",
    "Signature",
    "lookup",
    "match_overload",
    "overloads",
    "verify",
    "code_text",
    "class_text",
    "code_files",
    "function_files",
    "CompilationUnit",
    "Function",
    "Param",
    "clone_graph",
    "inline_calls",
    "eliminate_dead_code",
    "run_passes",
]
