"""Archive code round trip: scripted modules printed as class files (as archives hold them),
compiled back with `CodeUnit` and run, give the scripted results."""

import numpy as np
import pytest
from tests.corpus.modules import CASES

import ember
from ember.compiler.classfile import code_files
from ember.compiler.codeunit import CodeUnit
from ember.jit import RecursiveScriptModule


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
    files = code_files(scripted._ember_info, scripted._ember_ctx)
    unit = CodeUnit(files.get)
    loaded = _load(scripted, unit)
    _same(scripted(*args), loaded(*args))
    if "while" not in scripted.code:  # counted loops re-read as while loops print differently
        assert loaded.code == scripted.code
