"""Issue 11's real-model corpus: every model × stage against torch eager (atol 1e-4, rtol 1e-3).

Stages: ember eager, `ember.jit.script`, `ember.jit.trace`, torch's scripted and traced
archives loaded by `ember.jit.load`, and ember's scripted and traced archives loaded by
`torch.jit.load`. Models, inputs and weights: registry.py and weights.py; everything large is
written into a temporary folder. `python -m tests.models.status` prints the table.
"""

import pytest
from tests.models.registry import MODELS
from tests.models.stages import STAGES, Corpus, Engine, compare

import ember

CASES = [(name, stage) for name in MODELS for stage in STAGES]


@pytest.fixture(scope="session")
def corpus(torch, tmp_path_factory):
    return Corpus(torch, tmp_path_factory.mktemp("models"), Engine(ember))


@pytest.mark.parametrize(("name", "stage"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_model_stage(corpus, name, stage):
    corpus.check(name, stage)


def test_densenet_memory_efficient_path_checkpoints_like_torch(corpus, torch):
    """An input that requires grad sends DenseNet's layers through torch.utils.checkpoint."""
    run = corpus.run("densenet121")
    theirs = torch.from_numpy(run.ref.x.copy()).requires_grad_()
    want = run.ref.model(theirs).detach().numpy()
    ours = ember.from_numpy(run.ref.x.copy()).requires_grad_()
    compare(run.engine.numpy(run.eager_model()(ours)), want)
