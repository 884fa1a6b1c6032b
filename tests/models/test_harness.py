"""The harness checks itself: with torch on both sides every stage must equal torch eager
(`python -m tests.models.status --engine torch` does this for the whole corpus)."""

import pytest
from tests.models.registry import MODELS, build, example_input
from tests.models.stages import STAGES, Corpus, Engine
from tests.models.weights import reference_model


@pytest.mark.parametrize("name", ["resnet18", "lstm_tagger"])
def test_torch_against_itself_passes_every_stage(torch, tmp_path, name):
    corpus = Corpus(torch, tmp_path, Engine(torch))
    for stage in STAGES:
        corpus.check(name, stage)


def test_registry_covers_the_corpus_of_issue_11():
    assert len(MODELS) == 17
    assert example_input("vit_b_16").shape == (1, 3, 64, 64)
    assert str(example_input("lstm_tagger").dtype) == "int64"


def test_reference_weights_refuse_a_constant_tensor(torch, monkeypatch):
    from tests.models import weights

    monkeypatch.setattr(weights, "_vary_constants", lambda model, torch, generator: None)
    with pytest.raises(ValueError, match="is constant"):
        reference_model("resnet18", torch)
    assert build("lstm_tagger", torch).hidden_dim == 128
