"""Running what archive code compiles to: functions and modules of a `CodeUnit`."""

from ember.ir.class_printer import code_files
from ember.jit import RecursiveScriptModule, ScriptFunction


def load_function(code_unit, qualified_name: str) -> ScriptFunction:
    """The archive function `qualified_name`, compiled and callable."""
    fn = code_unit.compiler.function(code_unit.function_source(qualified_name))
    return ScriptFunction(fn, None, code_unit.compiler.unit)


def class_files(scripted) -> dict:
    """The code files of a scripted module, as an archive holds them."""
    return code_files(scripted._ember_compiler.unit, scripted._ember_info.class_type)


def load_module(scripted, code_unit):
    """A scripted module rebuilt from archive code, holding `scripted`'s values."""
    info = code_unit.class_info(scripted._ember_info.class_type.qualified_name)
    return _load_info(scripted, info, code_unit)


def _load_info(scripted, info, code_unit):
    values = {}
    for name, kind in info.kinds.items():
        if kind == "module":
            values[name] = _load_info(scripted._modules[name], info.submodules[name], code_unit)
        elif kind != "const":
            values[name] = getattr(scripted, name)
    compiler = code_unit.compiler
    return RecursiveScriptModule._construct_loaded(info, compiler, values, scripted.training)
