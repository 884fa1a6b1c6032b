"""Fuzzing `ember inspect`: every mutant of the serialization fuzzer's seeds (and of two
archives) is inspected or refused with an ember error, never anything raw; random pickles
naming refused globals make stand-ins or ember errors, and their reports print."""

import io
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember
import fuzz_corpus
import fuzz_pickle
from ember.cli.inspect_file import inspect_file
from ember.cli.render import render

PER_SEED = 60


def _inspect(data: bytes) -> None:
    report = inspect_file(data)
    render(report, "mutant.pt")
    json.dumps(report)


class Net(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = ember.nn.Linear(3, 2)
        self.register_buffer("tail", self.fc.weight[1])

    def forward(self, x):
        return self.fc(x) + self.tail[:2]


@pytest.fixture(scope="module")
def corpus(torch):
    seeds = fuzz_corpus.seeds(torch)
    for name, lib, module in (("ember-archive", ember, Net()), ("torch-archive", torch, None)):
        buf = io.BytesIO()
        lib.jit.save(lib.jit.script(module or torch.nn.Linear(3, 2)), buf)
        seeds.append((name, buf.getvalue()))
    return seeds


def test_mutants_raise_only_ember_errors(corpus):
    rng = random.Random(20260413)
    failures, outcomes = [], {}
    for name, data in corpus:
        assert fuzz_corpus.run_load(lambda d=data: _inspect(d))[0] == "ok", name
        for what, mutant in fuzz_corpus.mutants(name, data, rng, PER_SEED):
            outcome, detail = fuzz_corpus.run_load(lambda m=mutant: _inspect(m))
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if outcome == "FAIL":
                failures.append(f"--- {what}\n{detail}")
    assert not failures, f"{len(failures)} raw outcomes, first ones:\n" + "\n".join(failures[:5])
    assert outcomes["SerializationError"] > 200 and outcomes["ok"] > 50


_OPS = st.sampled_from(
    [
        ("MARK", None),
        ("EMPTY_DICT", None),
        ("EMPTY_LIST", None),
        ("EMPTY_TUPLE", None),
        ("TUPLE", None),
        ("TUPLE1", None),
        ("TUPLE2", None),
        ("SETITEM", None),
        ("SETITEMS", None),
        ("APPEND", None),
        ("APPENDS", None),
        ("REDUCE", None),
        ("NEWOBJ", None),
        ("BUILD", None),
        ("DUP", None),
        ("NONE", None),
        ("NEWTRUE", None),
        ("STOP", None),
        ("BINGET", 0),
        ("BINPUT", 0),
        ("GLOBAL", "builtins eval"),
        ("GLOBAL", "os system"),
        ("GLOBAL", "argparse Namespace"),
        ("GLOBAL", "collections defaultdict"),
        ("GLOBAL", "collections OrderedDict"),
        ("GLOBAL", "torch._utils _rebuild_tensor_v2"),
        ("GLOBAL", "torch FloatStorage"),
        ("BINUNICODE", "lr"),
        ("BINUNICODE", "0"),
        ("BINUNICODE", "cpu"),
    ]  # fmt: skip
    + [("BININT", v) for v in fuzz_pickle.INTERESTING_INTS]
)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(st.lists(_OPS, min_size=1, max_size=40))
def test_random_pickles_with_refused_globals(ops):
    pkl = b"\x80\x02" + fuzz_pickle.encode(ops) + b"."
    data = fuzz_corpus.checkpoint(pkl, {"data/0": bytes(range(16))})
    outcome, detail = fuzz_corpus.run_load(lambda: _inspect(data))
    assert outcome != "FAIL", detail
