"""Round trips through ember.jit.save / ember.jit.load: the compiler and tracer corpora give
equal results and print equal `.code` after loading; paths, file objects, extra files, the
version record and the mapped tensors of a loaded archive."""

import io
import os
import zipfile

import numpy as np
import pytest
from tests.archives.twins import assert_same, clone, forward_code, saved
from tests.corpus import CASES

import ember
from ember.jit import RecursiveScriptModule
from tracer.test_tracer_corpus import CORPUS


@pytest.mark.parametrize("make, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_scripted_corpus_round_trips(make, inputs):
    scripted = ember.jit.script(make())
    loaded = ember.jit.load(io.BytesIO(saved(ember, scripted)))
    assert isinstance(loaded, RecursiveScriptModule)
    assert loaded.code == forward_code(scripted)
    args = inputs()
    assert_same(loaded(*clone(args)), scripted(*clone(args)))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_traced_corpus_round_trips(name):
    make, inputs = CORPUS[name]
    traced = ember.jit.trace(make(), inputs(2), strict=name != "module_dict")
    loaded = ember.jit.load(io.BytesIO(saved(ember, traced)))
    assert loaded.code == traced.code
    args = inputs(5)  # another batch size: sizes were recorded as ops
    assert_same(loaded(*clone(args)), traced(*clone(args)))


def test_reloaded_archive_saves_the_same_records(tmp_path):
    m = ember.jit.script(ember.nn.Sequential(ember.nn.Linear(3, 2), ember.nn.ReLU()))
    first = saved(ember, m)
    again = saved(ember, ember.jit.load(io.BytesIO(first)))
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert names == zipfile.ZipFile(io.BytesIO(again)).namelist()
    read = lambda data, n: zipfile.ZipFile(io.BytesIO(data)).read(n)  # noqa: E731
    for name in names:
        if not name.endswith("serialization_id"):
            assert read(first, name) == read(again, name), name


class MyModule(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.l0 = ember.nn.Linear(4, 2)
        self.l1 = ember.nn.Linear(2, 1)

    def forward(self, input):
        out0 = self.l0(input)
        out0_relu = ember.nn.functional.relu(out0)
        return self.l1(out0_relu)


def test_save_to_a_path_is_atomic_and_loads_mapped(tmp_path):
    path = tmp_path / "mymodule.pt"
    scripted = ember.jit.script(MyModule())
    ember.jit.save(scripted, str(path))
    assert os.listdir(tmp_path) == ["mymodule.pt"]  # no temporary file left behind
    assert zipfile.ZipFile(path).namelist()[0].startswith("mymodule/")
    loaded = ember.jit.load(path)
    assert isinstance(loaded.l0.weight.untyped_storage()._buf.base, np.memmap)
    x = ember.randn(4)
    assert_same(loaded(x), scripted(x))
    loaded.l0.weight.data.mul_(0)  # copy-on-write: the file is untouched
    assert_same(ember.jit.load(path)(x), scripted(x))


def test_save_failure_leaves_the_old_file(tmp_path):
    path = tmp_path / "m.pt"
    path.write_bytes(b"old")
    with pytest.raises(TypeError):
        ember.jit.save(MyModule(), str(path))  # not scripted
    assert path.read_bytes() == b"old"


def test_module_save_method_and_extra_files(tmp_path):
    scripted = ember.jit.script(MyModule())
    buf = io.BytesIO()
    scripted.save(buf, _extra_files={"meta.txt": "hello", "raw.bin": b"\x00\x01"})
    names = zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()
    assert names[:2] == ["archive/extra/meta.txt", "archive/extra/raw.bin"]
    extra = {"meta.txt": "", "missing": "x"}
    ember.jit.load(io.BytesIO(buf.getvalue()), _extra_files=extra)
    assert extra == {"meta.txt": b"hello", "missing": b""}


def test_records_in_torchs_order_and_aligned():
    data = saved(ember, ember.jit.script(MyModule()))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    names = [info.filename.split("/", 1)[1] for info in infos]
    own = f"code/__torch__/{MyModule.__module__.replace('.', '/')}.py"
    assert names[:5] == ["data/0", "data/1", "data/2", "data/3", "data.pkl"]
    assert names[5:7] == [own, own + ".debug_pkl"]
    assert names[7].startswith("code/__torch__/torch/nn/modules/linear")
    assert names[-5:] == ["constants.pkl", "program.fb", "version", "byteorder",
                          ".data/serialization_id"]  # fmt: skip
    for info in infos:  # every payload starts on a 64-byte boundary (the FB extra field)
        at = info.header_offset
        name_len = int.from_bytes(data[at + 26 : at + 28], "little")
        extra_len = int.from_bytes(data[at + 28 : at + 30], "little")
        assert (at + 30 + name_len + extra_len) % 64 == 0, info.filename


def _version(m) -> str:
    with zipfile.ZipFile(io.BytesIO(saved(ember, m))) as z:
        found = [n for n in z.namelist() if n.endswith("version")]
        return f"{found[0].split('/', 1)[1]}={z.read(found[0]).decode().strip()}"


def test_version_record_follows_the_operators_used():
    def plain(x):
        return x + 1

    def div(x, y):
        return x / y

    def full(x):
        return ember.full((2,), 1) + x

    def lin(x):
        return ember.linspace(0, 1, 5) + x

    def gelu(x):
        return ember.nn.functional.gelu(x)

    got = [_version(ember.jit.script(f)) for f in (plain, div, full, lin, gelu)]
    assert got == ["version=3", "version=4", "version=5", ".data/version=8", ".data/version=10"]
    assert _version(ember.jit.trace(div, (ember.ones(2), ember.ones(2)))) == "version=4"


def test_script_function_saves_as_placeholder_module():
    def f(x, k: int = 2):
        return x * k

    loaded = ember.jit.load(io.BytesIO(saved(ember, ember.jit.script(f))))
    assert loaded.original_name == "PlaceholderModule"
    assert loaded(ember.tensor([1.0, 2.0])).tolist() == [2.0, 4.0]  # the default is kept


def test_loaded_module_state_and_methods():
    class Net(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = ember.nn.Linear(3, 2)
            self.register_buffer("seen", ember.zeros(2))
            self.scale = 1.5
            self.names = ["a", "b"]
            self.table = {"a": 1}

        def forward(self, x):
            self.seen += 1
            return self.fc(x) * self.scale + self.table["a"] + len(self.names)

        @ember.jit.export
        def twice(self, k: int) -> int:
            return k * 2

    scripted = ember.jit.script(Net())
    loaded = ember.jit.load(io.BytesIO(saved(ember, scripted)))
    assert list(loaded.state_dict()) == list(scripted.state_dict())
    assert all(isinstance(p, ember.nn.Parameter) for p in loaded.parameters())
    assert (loaded.scale, loaded.names, loaded.table) == (1.5, ["a", "b"], {"a": 1})
    assert loaded.twice(4) == 8 and loaded.twice.code == scripted.twice.code
    x = ember.randn(2, 3)
    assert_same(loaded(x), scripted(x))
    assert loaded.seen.tolist() == [1.0, 1.0]
    loaded.eval()
    assert not loaded.fc.training
    assert repr(loaded) == repr(scripted)


def test_map_location_is_the_cpu_only():
    data = saved(ember, ember.jit.script(MyModule()))
    ember.jit.load(io.BytesIO(data), map_location="cpu")
    ember.jit.load(io.BytesIO(data), map_location=ember.device("cpu"))
    with pytest.raises(RuntimeError, match="CPU only"):
        ember.jit.load(io.BytesIO(data), map_location="cuda")


def test_missing_path_and_non_script_objects():
    with pytest.raises(ValueError, match="does not exist"):
        ember.jit.load("/nonexistent/model.pt")
    with pytest.raises(TypeError, match="script or trace it first"):
        ember.jit.save(MyModule(), io.BytesIO())


def test_loading_again_reuses_the_compiled_code_not_the_values():
    data = saved(ember, ember.jit.script(MyModule()))
    a, b = ember.jit.load(io.BytesIO(data)), ember.jit.load(io.BytesIO(data))
    assert a.graph is b.graph  # compiled once, as scripting compiles a class once
    assert a.l0.weight is not b.l0.weight
    b.l0.weight.data.zero_()
    assert not ember.equal(a.l0.weight, b.l0.weight)


def test_archives_that_differ_only_in_constants_keep_their_own():
    def make(value):
        scale = ember.tensor([value, value])
        return ember.jit.trace(lambda x: x * scale, ember.ones(2))

    one, two = (ember.jit.load(io.BytesIO(saved(ember, make(v)))) for v in (1.0, 2.0))
    assert one.code == two.code
    assert one(ember.ones(2)).tolist() == [1.0, 1.0]
    assert two(ember.ones(2)).tolist() == [2.0, 2.0]


def test_saving_again_prints_again_after_the_code_changes():
    ember.compiler.reset()  # this test edits a compiled graph in place
    m = ember.jit.script(MyModule())
    assert b"torch.relu(" in _code_bytes(saved(ember, m))
    relu = next(op for op in m.graph.walk() if op.kind == "aten::relu")
    relu.kind = "aten::sigmoid"
    m.graph.changed()
    assert b"torch.sigmoid(" in _code_bytes(saved(ember, m))
    ember.compiler.reset()


def _code_bytes(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.endswith(".py"))


@pytest.mark.parametrize("lib_name", ["ember", "torch"])
def test_parameters_keep_requires_grad(torch, lib_name):
    """An integer parameter (which cannot require gradients) and a frozen float parameter
    load as parameters with the flag the archive recorded, from either writer."""
    lib = ember if lib_name == "ember" else torch

    class Frozen(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.k = lib.nn.Parameter(lib.tensor([3, 4]), requires_grad=False)
            self.w = lib.nn.Parameter(lib.tensor([1.0, 2.0]), requires_grad=False)
            self.v = lib.nn.Parameter(lib.tensor([1.0, 2.0]))

        def forward(self, x):
            return x * self.k + self.w * self.v

    loaded = ember.jit.load(io.BytesIO(saved(lib, lib.jit.script(Frozen()))))
    flags = {name: (type(p).__name__, p.requires_grad) for name, p in loaded.named_parameters()}
    assert flags == {"k": ("Parameter", False), "w": ("Parameter", False), "v": ("Parameter", True)}
