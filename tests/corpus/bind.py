"""Load a corpus file of source shared by ember and torch with `torch` bound to either one."""

import importlib.util


def bound(corpus_module, torch_module, name: str):
    """`corpus_module`'s file executed afresh as module `name`, with `torch` = `torch_module`.

    The files `tests/corpus/dual.py`, `dual_modules.py` and `stdlib.py` name `torch` without
    importing it, so the same source compiles under ember and under real torch.
    """
    spec = importlib.util.spec_from_file_location(name, corpus_module.__file__)
    mod = importlib.util.module_from_spec(spec)
    mod.torch = torch_module
    spec.loader.exec_module(mod)
    return mod
