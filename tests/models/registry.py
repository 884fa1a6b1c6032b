"""The corpus of issue 11: each model's source file, builder, input and what is special.

`MODELS` maps a name to its `ModelSpec`; `build(name, torch_module)` constructs the model
with `torch` bound to real torch or to ember; `example_input(name)` is the fixed numpy input
(batch 1) the tests and benchmarks feed it. Input sizes are small so the suite stays fast; the
architectures keep their published widths, depths and 1000 classes. Inputs: images 1x3x64x64
(VGG-11 1x3x32x32: its classifier still sees 512x7x7 after the adaptive pool; ViT-B/16 is
built for 64x64, so 16 patches and the class token), the transformer classifier 16x1 token
ids (sequence first, vocabulary 1000, d_model 256, 8 heads, 4 layers, 10 classes), the LSTM
tagger 1x12 token ids (batch first, 2 layers of 128, 17 tags).

>>> from tests.models.registry import MODELS
>>> MODELS["resnet18"].input_shape
(1, 3, 64, 64)
"""

from dataclasses import dataclass, field

import numpy as np
from tests.models.loader import shared


@dataclass(frozen=True)
class ModelSpec:
    """Where a corpus model lives and what it is fed.

    `source` is the file stem under tests/models, `builder` the function (or class) there,
    `kwargs` its arguments. `input_kind` is "image" (float32 standard normal) or "tokens"
    (int64 ids below `vocab`). `legacy_keys` names a function of the source file that turns a
    state dict into its old-format keys, and `loader` the source file's function that loads
    such a dict (DenseNet's `_load_state_dict`); None loads with `load_state_dict`.
    """

    source: str
    builder: str
    input_shape: tuple
    input_kind: str = "image"
    vocab: int = 0
    kwargs: dict = field(default_factory=dict)
    legacy_keys: str | None = None
    loader: str | None = None


def _image(source, builder, size=64, **kwargs):
    return ModelSpec(source, builder, (1, 3, size, size), kwargs=kwargs)


MODELS: dict[str, ModelSpec] = {
    "resnet18": _image("resnet", "resnet18"),
    "resnet50": _image("resnet", "resnet50"),
    "mobilenet_v2": _image("mobilenetv2", "mobilenet_v2"),
    "mobilenet_v3_small": _image("mobilenetv3", "mobilenet_v3_small"),
    "shufflenet_v2_x0_5": _image("shufflenet", "shufflenet_v2_x0_5"),
    "squeezenet1_0": _image("shufflenet", "squeezenet1_0"),
    "densenet121": ModelSpec(
        "densenet",
        "densenet121",
        (1, 3, 64, 64),
        kwargs={"memory_efficient": True},
        legacy_keys="_legacy_state_dict",
        loader="_load_state_dict",
    ),
    "mnasnet0_5": _image("mnasnet", "mnasnet0_5"),
    "googlenet": _image("googlenet", "googlenet", init_weights=True),
    "alexnet": _image("classic", "alexnet"),
    "vgg11": _image("classic", "vgg11", size=32),
    "efficientnet_b0": _image("efficientnet", "efficientnet_b0"),
    "regnet_y_400mf": _image("regnet", "regnet_y_400mf"),
    "convnext_tiny": _image("convnext", "convnext_tiny"),
    "vit_b_16": _image("vit", "vit_b_16", size=64, image_size=64),
    "transformer_classifier": ModelSpec(
        "sequence", "transformer_classifier", (16, 1), input_kind="tokens", vocab=1000
    ),
    "lstm_tagger": ModelSpec("sequence", "lstm_tagger", (1, 12), input_kind="tokens", vocab=1000),
}


def source(name: str, torch_module):
    """The bound source module of model `name`."""
    return shared(MODELS[name].source, torch_module)


def build(name: str, torch_module):
    """Model `name` constructed with `torch` bound to `torch_module` (its own initialisation)."""
    spec = MODELS[name]
    return getattr(source(name, torch_module), spec.builder)(**spec.kwargs)


def load_weights(name: str, torch_module, model, state_dict) -> None:
    """Load `state_dict` into `model` the way the model's source file does it."""
    spec = MODELS[name]
    if spec.loader is None:
        model.load_state_dict(state_dict)
    else:
        getattr(source(name, torch_module), spec.loader)(model, state_dict)


def example_input(name: str, seed: int = 0) -> np.ndarray:
    """The fixed input of model `name` (batch 1) as a numpy array."""
    spec = MODELS[name]
    rng = np.random.default_rng(seed)
    if spec.input_kind == "tokens":
        return rng.integers(0, spec.vocab, size=spec.input_shape, dtype=np.int64)
    return rng.standard_normal(spec.input_shape).astype(np.float32)
