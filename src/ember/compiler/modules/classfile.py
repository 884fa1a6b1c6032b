"""Class files: a scripted module's types as archive ``code/`` source, in PyTorch's layout.

`code_files(info, ctx)` gives ``{prefix: text}`` for the module's class, its submodules'
classes and the functions its methods call, e.g. ``'__torch__.torch.nn.modules.linear'`` ->
``class Linear(Module): ...`` (``__parameters__``/``__buffers__`` lists with trailing commas,
one ``name : Type`` line per attribute, ``__annotations__["0"] = T`` for names that are not
identifiers, ``name : Final[T] = v`` constants, then the methods with ``self`` typed by its
class). `ember.compiler.modules.archive.CodeUnit` reads the files back.

Example:
    >>> import ember
    >>> m = ember.jit.script(ember.nn.Linear(2, 1))
    >>> files = code_files(m._ember_info, m._ember_ctx)
    >>> print(files["__torch__.torch.nn.modules.linear"].splitlines()[:6])
    ['class Linear(Module):', '  __parameters__ = ["weight", "bias", ]', '  __buffers__ = []', \
'  training : bool', '  weight : Tensor', '  bias : Tensor']
"""

from __future__ import annotations

from ember.ir.code_printer import code_text
from ember.ir.printer import format_literal

__all__ = ["code_files"]


def code_files(info, ctx) -> dict[str, str]:
    """Archive code for `info`'s module type and everything it references."""
    files: dict[str, list[str]] = {}
    _class(info, ctx, files, set())
    return {prefix: "\n".join(parts) for prefix, parts in files.items()}


def _class(info, ctx, files, done):
    q = info.class_type.qualified_name
    if q in done:
        return
    done.add(q)
    for sub in info.submodules.values():
        _class(sub, ctx, files, done)
    prefix, _, name = q.rpartition(".")
    kinds = info.kinds
    lines = [f"class {name}(Module):"]
    lines.append("  __parameters__ = [" + _names(kinds, "param") + "]")
    lines.append("  __buffers__ = [" + _names(kinds, "buffer") + "]")
    for attr, t in info.class_type.attributes.items():
        if attr.isidentifier():
            lines.append(f"  {attr} : {t}")
        else:
            lines.append(f'  __annotations__["{attr}"] = {t}')
    for attr, value in info.constants.items():
        lines.append(f"  {attr} : Final[{type(value).__name__}] = {format_literal(value)}")
    for (owner, method), compiled in list(ctx.methods.items()):
        if owner == q and compiled.python is None:
            text = code_text(compiled.graph, is_method=True, level=1).rstrip("\n")
            lines.append(text.replace(f"def {method}(self", f"def {method}(self: {q}", 1))
            _functions(compiled.graph, ctx, files, done)
    files.setdefault(prefix, []).append("\n".join(lines) + "\n")


def _functions(graph, ctx, files, done):
    for op in graph.walk():
        name = op.attrs.get("name") if op.kind == "prim::CallFunction" else None
        if name is not None and name not in done and name in ctx.by_name:
            done.add(name)
            fn = ctx.by_name[name].graph
            files.setdefault(name.rpartition(".")[0], []).append(code_text(fn))
            _functions(fn, ctx, files, done)


def _names(kinds, kind) -> str:
    return "".join(f'"{n}", ' for n, k in kinds.items() if k == kind)
