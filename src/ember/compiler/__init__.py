"""ember.compiler: Python source, and archive code, to typed IR in a compilation unit.

Its stages, in the order a function goes through them:

- ``parsing/``: the grammar (``grammar.lark``), the parser into ember's AST (``syntax``),
  located errors (``diagnostics``), and what compiling one function needs
  (``function_source``: its source, scopes and defaults);
- ``lowering/``: AST to IR, one mixin per kind of construct (statements and control flow in
  ``function``, expressions, calls, operators, indexing, loops, the standard library, ...),
  every operator found through the op table (`ember.ops`);
- ``modules/``: module types (``info``: an ``nn.Module`` instance as a class type) and
  archive code (``archive``: the classes and functions of ``code/`` files);
- ``driver``: the `Compiler`, which runs the lowering, the passes and the verifier and keeps
  the results in its `ember.ir.CompilationUnit`.

Example:
    >>> import ember
    >>> def double(x, k: int = 2):
    ...     return x * k
    >>> compiler = Compiler()
    >>> fn = compiler.function(double)
    >>> str(fn.return_type), [p.name for p in fn.params], fn in compiler.unit.functions.values()
    ('Tensor', ['x', 'k'], True)
"""

from ember.compiler.driver import Compiler, compile_function, default_compiler, reset
from ember.compiler.modules.archive import CodeUnit

__all__ = ["Compiler", "CodeUnit", "compile_function", "default_compiler", "reset"]
