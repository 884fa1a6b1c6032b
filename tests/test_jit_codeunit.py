"""Archive code round trip: scripted modules printed as class files (as archives hold them),
compiled back with `CodeUnit` and run, give the scripted results."""

import numpy as np
import pytest
from tests.corpus.modules import CASES

import ember
from ember.compiler.codeunit import CodeUnit
from ember.compiler.frontend import context
from ember.ir.code_printer import code_text
from ember.jit import RecursiveScriptModule


def _class_files(info, files, done):
    """Append `info`'s class (and its submodules' classes) to `files` (prefix -> text)."""
    q = info.class_type.qualified_name
    if q in done:
        return
    done.add(q)
    for sub in info.submodules.values():
        _class_files(sub, files, done)
    prefix, _, name = q.rpartition(".")
    kinds = info.kinds
    params = [n for n, k in kinds.items() if k == "param"]
    buffers = [n for n, k in kinds.items() if k == "buffer"]
    lines = [f"class {name}(Module):"]
    lines.append("  __parameters__ = [" + "".join(f'"{n}", ' for n in params) + "]")
    lines.append("  __buffers__ = [" + "".join(f'"{n}", ' for n in buffers) + "]")
    for attr, t in info.class_type.attributes.items():
        if attr.isidentifier():
            lines.append(f"  {attr} : {t}")
        else:
            lines.append(f'  __annotations__["{attr}"] = {t}')
    for attr, value in info.constants.items():
        t = type(value).__name__
        lines.append(f"  {attr} : Final[{t}] = {value!r}".replace("'", '"'))
    for (owner, _), compiled in context().methods.items():
        if owner == q and compiled.python is None:
            lines.append(code_text(compiled.graph, level=1).rstrip("\n"))
            _function_files(compiled.graph, files, done)
    files.setdefault(prefix, []).append("\n".join(lines) + "\n")


def _function_files(graph, files, done):
    for op in graph.walk():
        name = op.attrs.get("name") if op.kind == "prim::CallFunction" else None
        if name is not None and name not in done:
            done.add(name)
            fn = context().by_name[name]
            files.setdefault(name.rpartition(".")[0], []).append(code_text(fn.graph))
            _function_files(fn.graph, files, done)


def _load(scripted, unit):
    info = unit.class_info(scripted._ember_info.class_type.qualified_name)
    return _load_info(scripted, info, unit)


def _load_info(scripted, info, unit):
    values = {}
    for name, kind in info.kinds.items():
        if kind == "module":
            values[name] = _load_info(scripted._modules[name], info.submodules[name], unit)
        elif kind != "const":
            values[name] = getattr(scripted, name)
    return RecursiveScriptModule._construct_loaded(info, unit.ctx, values, scripted.training)


def _same(a, b):
    if isinstance(a, ember.Tensor):
        np.testing.assert_allclose(a._np, b._np, rtol=1e-6, atol=1e-6)
    else:
        assert a == b


@pytest.mark.parametrize("make, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_printed_classes_compile_back(make, inputs):
    scripted = ember.jit.script(make())
    args = inputs()
    files = {}
    _class_files(scripted._ember_info, files, set())
    unit = CodeUnit(lambda prefix: "\n".join(files[prefix]) if prefix in files else None)
    loaded = _load(scripted, unit)
    _same(scripted(*args), loaded(*args))
    assert loaded.code == scripted.code
