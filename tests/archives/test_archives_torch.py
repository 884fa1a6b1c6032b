"""Archives across the two libraries: what torch 2.13 writes loads and runs in ember, what
ember writes loads and runs in torch, with equal results; the compiler corpus, the tracer
corpus and the shared-source corpora (`dual`, `dual_modules`, `stdlib`)."""

import io
import zipfile

import pytest
from tests.archives.twins import (
    assert_same_values,
    clone,
    saved,
    to_torch_values,
    twin,
)
from tests.corpus import (
    CASES,
    constructs,
    control,
    dual,
    dual_modules,
    gaps,
    layers,
    models,
    modules,
    stdlib,
)
from tests.corpus.bind import bound

import ember
from jit.test_jit_dual import NAMES as DUAL_NAMES
from jit.test_jit_dual import _inputs as dual_inputs
from jit.test_jit_stdlib import INPUTS as STDLIB_INPUTS
from jit.test_jit_stdlib import _args as stdlib_args
from jit.test_jit_stdlib import _same as same_plain
from tracer import test_tracer_corpus as tracer_corpus

pytestmark = pytest.mark.filterwarnings("ignore")

_FILES = (control, modules, layers, models, gaps, constructs)
# Corpus cases ember scripts and torch 2.13's own front end refuses (checked below).
TORCH_REFUSES = {
    "comprehension", "global_constant", "typical_user_code", "syntax_corners",
    "tensor_literals", "inherited_helper_final", "function_attr", "unrolled_break",
    "unrolled_return", "transformer", "transformer_mask", "resnet_blocks", "kwonly_default",
    "closure_and_globals", "optional_isinstance", "optional_isinstance_none",
    "comprehensions_literals", "kwonly_defaults", "module_dict_heads",
}  # fmt: skip
_ALL_CASES = [(f, i, c[0]) for f in _FILES for i, c in enumerate(f.CASES)]
_TWIN_CASES = [c for c in _ALL_CASES if c[2] not in TORCH_REFUSES]


def test_torch_refuses_exactly_the_listed_cases(torch):
    refused = set()
    for corpus_file, index, name in _ALL_CASES:
        try:
            torch.jit.script(twin(corpus_file).CASES[index][1]())
        except Exception:  # noqa: BLE001 - torch's own front end refuses some constructs
            refused.add(name)
    assert refused == TORCH_REFUSES


@pytest.mark.parametrize("corpus_file, index", [c[:2] for c in _TWIN_CASES],
                         ids=[c[2] for c in _TWIN_CASES])  # fmt: skip
def test_torch_scripted_corpus_loads_in_ember(torch, corpus_file, index):
    scripted = torch.jit.script(twin(corpus_file).CASES[index][1]())
    data = saved(torch, scripted)
    ours, theirs = ember.jit.load(io.BytesIO(data)), torch.jit.load(io.BytesIO(data))
    args = corpus_file.CASES[index][2]()
    try:
        want = theirs(*to_torch_values(clone(args)))
    except Exception:  # noqa: BLE001 - then ember must refuse the call too
        with pytest.raises(Exception):  # noqa: B017, PT011
            ours(*clone(args))
        return
    assert_same_values(ours(*clone(args)), want)


@pytest.mark.parametrize("make, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_ember_scripted_corpus_loads_in_torch(torch, make, inputs):
    scripted = ember.jit.script(make())
    theirs = torch.jit.load(io.BytesIO(saved(ember, scripted)))
    args = inputs()
    assert_same_values(scripted(*clone(args)), theirs(*to_torch_values(clone(args))))


@pytest.mark.parametrize("name", sorted(tracer_corpus.CORPUS))
def test_traced_corpus_both_ways(torch, name):
    make, inputs = tracer_corpus.CORPUS[name]
    strict = name != "module_dict"
    torch_make = twin(tracer_corpus).CORPUS[name][0]
    # check_trace off: torch re-traces MultiheadAttention into differently mangled types
    torch_traced = torch.jit.trace(
        torch_make(), to_torch_values(inputs(2)), strict=strict, check_trace=False
    )
    ember_traced = ember.jit.trace(make(), inputs(2), strict=strict)
    ours = ember.jit.load(io.BytesIO(saved(torch, torch_traced)))
    theirs = torch.jit.load(io.BytesIO(saved(ember, ember_traced)))
    args = inputs(5)
    assert_same_values(ours(*clone(args)), torch_traced(*to_torch_values(args)))
    assert_same_values(ember_traced(*clone(args)), theirs(*to_torch_values(args)))


@pytest.fixture(scope="module")
def dual_pair(torch):
    return bound(dual, ember, "dual_archive_ember"), bound(dual, torch, "dual_archive_torch")


@pytest.mark.parametrize("name", DUAL_NAMES)
def test_dual_functions_both_ways(torch, dual_pair, name):
    ours_fn, theirs_fn = (getattr(m, name) for m in dual_pair)
    from_torch = ember.jit.load(io.BytesIO(saved(torch, torch.jit.script(theirs_fn))))
    from_ember = torch.jit.load(io.BytesIO(saved(ember, ember.jit.script(ours_fn))))
    want = torch.jit.script(theirs_fn)(*to_torch_values(dual_inputs(name)))
    assert_same_values(from_torch(*dual_inputs(name)), want)
    assert_same_values(ember.jit.script(ours_fn)(*dual_inputs(name)),
                       from_ember(*to_torch_values(dual_inputs(name))))  # fmt: skip


@pytest.mark.parametrize("name", sorted(STDLIB_INPUTS))
def test_stdlib_functions_both_ways(torch, name):
    ours = ember.jit.script(getattr(bound(stdlib, ember, "stdlib_archive_ember"), name))
    theirs = torch.jit.script(getattr(bound(stdlib, torch, "stdlib_archive_torch"), name))
    from_torch = ember.jit.load(io.BytesIO(saved(torch, theirs)))
    from_ember = torch.jit.load(io.BytesIO(saved(ember, ours)))
    for args in STDLIB_INPUTS[name]:
        same_plain(from_torch(*stdlib_args(args, ember)), theirs(*stdlib_args(args, torch)))
        same_plain(ours(*stdlib_args(args, ember)), from_ember(*stdlib_args(args, torch)))


def test_dual_module_both_ways(torch):
    ours_cls = bound(dual_modules, ember, "dual_modules_archive").Child
    theirs_cls = bound(dual_modules, torch, "dual_modules_archive").Child
    em, tm = ours_cls(), theirs_cls()
    tm.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in em.state_dict().items()})
    from_torch = ember.jit.load(io.BytesIO(saved(torch, torch.jit.script(tm))))
    from_ember = torch.jit.load(io.BytesIO(saved(ember, ember.jit.script(em))))
    x = ember.randn(2, 3)
    want = tm(to_torch_values(x), 2)
    assert_same_values(from_torch(x, 2), want)
    assert_same_values(em(x, 2), from_ember(to_torch_values(x), 2))
    assert from_torch.other(4) == from_ember.other(4) == 14
    assert from_torch.count == 1 and from_ember.count == 1
    assert from_torch.mode == "double" and from_torch.depth == 2
    assert [m.original_name for m in from_torch.seq] == ["Linear", "ReLU"]
    assert len(from_torch.ml) == 2 and from_torch.md["b"].original_name == "ReLU"


def test_resaving_a_torch_archive_keeps_its_pickle_byte_for_byte(torch):
    model = twin(tracer_corpus).ConvNet().eval()
    for theirs in (torch.jit.script(model), torch.jit.trace(model, torch.randn(2, 3, 8, 8))):
        data = saved(torch, theirs)
        again = saved(ember, ember.jit.load(io.BytesIO(data)))
        read = lambda d, n: zipfile.ZipFile(io.BytesIO(d)).read(f"archive/{n}")  # noqa: E731
        assert read(again, "data.pkl") == read(data, "data.pkl")
        assert read(again, "constants.pkl") == read(data, "constants.pkl")
        for key in range(8):
            assert read(again, f"data/{key}") == read(data, f"data/{key}")
        x = torch.randn(3, 3, 8, 8)
        assert torch.equal(torch.jit.load(io.BytesIO(again))(x), theirs(x))


def test_seed_examples_with_torch(torch):
    """The seed's MyModule and ControlFlowModule: ember's archives run in torch, traced ones
    keep only the path the example took."""
    from test_seeds import ControlFlowModule

    scripted, traced = ember.jit.script(ControlFlowModule()), None
    traced = ember.jit.trace(ControlFlowModule(), ember.randn(4))
    t_scripted = torch.jit.load(io.BytesIO(saved(ember, scripted)))
    t_traced = torch.jit.load(io.BytesIO(saved(ember, traced)))
    assert t_scripted(torch.randn(2, 4)).item() == 0
    assert tuple(t_traced(torch.randn(2, 4)).shape) == (2, 1)
    x = ember.randn(4)
    assert_same_values(scripted(x), t_scripted(to_torch_values(x)))
