"""The program record `ember.jit.save` writes, over the scripting and tracer corpora and the
real-model corpus: every index, register, operator and storage checks out, the object tree's
tensors are the module's own bytes in the archive's ``data/N`` records, and the record reads
back to what was written."""

import io

import numpy as np
import pytest
from tests.corpus import CASES
from tests.models.registry import build, example_input
from tests.program.programs import Archive, assert_valid, object_tensors, saved, walk_ops

import ember
from ember.ir.registry import lookup
from ember.serializer.program import describe, model, read_program
from ember.serializer.program.encode import encode
from tracer import test_tracer_corpus as tracer_corpus

pytestmark = pytest.mark.filterwarnings("ignore")


def _check_module_program(module) -> Archive:
    archive = Archive(saved(module))
    program = assert_valid(archive)
    assert program.version == archive.version
    assert program.methods[0].name == "forward"
    assert read_program(encode(program)) == program
    _check_operands_and_types(program)
    if isinstance(module, ember.jit.RecursiveScriptModule):
        state = {k: v.numpy() for k, v in module.state_dict().items()}
        tensors = object_tensors(archive)
        for name, value in state.items():
            np.testing.assert_array_equal(tensors[name], value, err_msg=name)
    describe(program)
    return archive


def _check_operands_and_types(program: model.Program) -> None:
    for fn in program.functions + program.upgraders:
        assert all(fn.register_types) and len(fn.argument_names) == len(fn.body.arguments)
        for op in walk_ops(fn.body):
            sig = lookup(program.operators[op.operator].qualified_name)
            if not sig.variadic:
                assert len(op.inputs) == len(sig.params), sig.qualified_name
            if op.source is not None:
                file, line, col = op.source.rsplit(":", 2)
                assert file and int(line) >= 1 and int(col) >= 0


@pytest.mark.parametrize("make", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_scripted_corpus(make):
    _check_module_program(ember.jit.script(make()))


@pytest.mark.parametrize("name", sorted(tracer_corpus.CORPUS))
def test_traced_corpus(name):
    make, inputs = tracer_corpus.CORPUS[name]
    _check_module_program(ember.jit.trace(make(), inputs(2), strict=name != "module_dict"))


@pytest.mark.parametrize("name", ["resnet18", "transformer_classifier", "lstm_tagger"])
def test_real_models_scripted_and_traced(name):
    module = build(name, ember).eval()
    _check_module_program(ember.jit.script(module))
    traced = ember.jit.trace(module, (ember.from_numpy(example_input(name)),))
    _check_module_program(traced)


def test_loaded_archives_save_a_program_again():
    scripted = ember.jit.script(ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.ReLU()))
    loaded = ember.jit.load(io.BytesIO(saved(scripted)))
    archive = _check_module_program(loaded)
    assert {s.record for s in archive.program.storages} == {"data/0", "data/1"}


def test_record_is_stored_and_aligned_like_data_records(tmp_path):
    path = tmp_path / "net.pt"
    ember.jit.save(ember.jit.script(ember.nn.Linear(2, 2)), path)
    archive = Archive(path.read_bytes())
    assert archive.prefix == "net"
    for name in ("program.fb", "data/0"):
        assert archive.methods[name] == 0  # stored, not deflated
        assert archive.offsets[name] % 64 == 0
    assert_valid(archive)


def test_script_function_is_the_forward_of_a_placeholder_module():
    from tests.corpus.control import loop_carried

    archive = Archive(saved(ember.jit.script(loop_carried)))
    program = assert_valid(archive)
    assert [m.name for m in program.methods] == ["forward"]
    assert program.classes[program.objects[program.root].class_index].name == (
        "__torch__.PlaceholderModule"
    )
    assert program.functions[0].argument_names == ["self", "x", "n"]
    loops = [op for op in walk_ops(program.functions[0].body)
             if program.operators[op.operator].name == "prim::Loop"]  # fmt: skip
    assert len(loops) == 1 and len(loops[0].blocks) == 1


def test_torch_and_ember_still_load_archives_with_the_record(torch):
    from tests.archives.twins import assert_same_values, to_torch_values

    class Net(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = ember.nn.Linear(3, 2)

        def forward(self, x, n: int):
            for _ in range(n):
                x = ember.relu(self.fc(x)).sum(1, keepdim=True).expand(-1, 3)
            return x

    scripted = ember.jit.script(Net())
    data = saved(scripted)
    assert "program.fb" in Archive(data).records
    x = ember.randn(4, 3)
    want = scripted(x.clone(), 2)
    assert ember.equal(ember.jit.load(io.BytesIO(data))(x.clone(), 2), want)
    theirs = torch.jit.load(io.BytesIO(data))(to_torch_values(x.clone()), 2)
    assert_same_values(want, theirs)


def test_the_record_is_deterministic_and_ignored_code_raises():
    class M(ember.nn.Module):
        @ember.jit.ignore
        def helper(self, x: ember.Tensor) -> ember.Tensor:
            return x * 2

        def forward(self, x):
            return self.helper(x) + 1

    scripted = ember.jit.script(M())
    first, second = Archive(saved(scripted)), Archive(saved(scripted))
    assert first.records["program.fb"] == second.records["program.fb"]
    program = assert_valid(first)
    names = [program.operators[op.operator].name for op in walk_ops(program.functions[0].body)]
    assert "prim::RaiseException" in names  # a function kept in Python cannot run in C++
    assert [m.name for m in program.methods] == ["forward"]


@pytest.mark.parametrize("name", ["Keywords", "Dense", "Google", "Counted", "Guards"])
def test_vision_parts(name):
    import sys

    from tests.corpus import vision_parts
    from tests.corpus.bind import bound

    module_name = "vision_parts_program"
    sys.modules[module_name] = mod = bound(vision_parts, ember, module_name)
    archive = _check_module_program(ember.jit.script(getattr(mod, name)().eval()))
    types = archive.program.functions[0].register_types
    assert not any("NamedTuple" in t for t in types)  # named tuples by qualified name
