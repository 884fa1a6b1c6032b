"""Issue 11's real-model corpus: every model × stage against torch eager (atol 1e-4, rtol 1e-3).

Stages: ember eager, `ember.jit.script`, `ember.jit.trace`, torch's scripted and traced
archives loaded by `ember.jit.load`, and ember's scripted and traced archives loaded by
`torch.jit.load`; then (issue 12, `cpp_stages.py`) the scripted and traced archives of both
libraries run in the C++ runtime, equal to ember's Python runtime on the same files. Models,
inputs and weights: registry.py and weights.py; everything large is written into a temporary
folder. `python -m tests.models.status` prints the table.
"""

import pytest
from tests.models.cpp_stages import CPP_STAGES, check_cpp_stage
from tests.models.documented import documented_ops, tensor_ops
from tests.models.registry import MODELS
from tests.models.stages import STAGES, Corpus, Engine, compare

import ember

CASES = [(name, stage) for name in MODELS for stage in (*STAGES, *CPP_STAGES, "documented")]


@pytest.fixture(scope="session")
def corpus(torch, tmp_path_factory):
    return Corpus(torch, tmp_path_factory.mktemp("models"), Engine(ember))


@pytest.mark.parametrize(("name", "stage"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_model_stage(corpus, name, stage):
    if stage == "documented":
        assert documented_ops(name) == tensor_ops(corpus.run(name).scripted()), (
            "docs/models.md is stale: `python -m tests.models.documented` prints the rows"
        )
        return
    if stage in CPP_STAGES:
        check_cpp_stage(corpus.run(name), stage)
        return
    corpus.check(name, stage)


def test_densenet_memory_efficient_path_checkpoints_like_torch(corpus, torch):
    """An input that requires grad sends DenseNet's layers through torch.utils.checkpoint."""
    run = corpus.run("densenet121")
    theirs = torch.from_numpy(run.ref.x.copy()).requires_grad_()
    want = run.ref.model(theirs).detach().numpy()
    ours = ember.from_numpy(run.ref.x.copy()).requires_grad_()
    compare(run.engine.numpy(run.eager_model()(ours)), want)
