"""Each nn layer, scripted on its own."""

import ember
import ember.nn as nn


def _layer(ctor):
    def make():
        m = ctor()
        return m.eval() if hasattr(m, "eval") else m

    return make


CASES = [
    ("Linear", _layer(lambda: nn.Linear(4, 3)), lambda: (ember.randn(2, 4),)),
    ("Conv1d", _layer(lambda: nn.Conv1d(2, 3, 3)), lambda: (ember.randn(1, 2, 8),)),
    ("Conv2d", _layer(lambda: nn.Conv2d(2, 3, 3, padding=1)), lambda: (ember.randn(1, 2, 5, 5),)),
    ("BatchNorm1d", _layer(lambda: nn.BatchNorm1d(3)), lambda: (ember.randn(4, 3),)),
    ("BatchNorm2d", _layer(lambda: nn.BatchNorm2d(2)), lambda: (ember.randn(2, 2, 3, 3),)),
    ("LayerNorm", _layer(lambda: nn.LayerNorm(4)), lambda: (ember.randn(2, 4),)),
    ("ReLU", _layer(nn.ReLU), lambda: (ember.randn(5),)),
    ("GELU", _layer(nn.GELU), lambda: (ember.randn(5),)),
    ("SiLU", _layer(nn.SiLU), lambda: (ember.randn(5),)),
    ("Sigmoid", _layer(nn.Sigmoid), lambda: (ember.randn(5),)),
    ("Tanh", _layer(nn.Tanh), lambda: (ember.randn(5),)),
    ("Softmax", _layer(lambda: nn.Softmax(dim=1)), lambda: (ember.randn(2, 3),)),
    ("LogSoftmax", _layer(lambda: nn.LogSoftmax(dim=1)), lambda: (ember.randn(2, 3),)),
    ("Dropout_eval", _layer(lambda: nn.Dropout(0.5)), lambda: (ember.randn(5),)),
    ("Identity", _layer(nn.Identity), lambda: (ember.randn(5),)),
    ("Flatten", _layer(nn.Flatten), lambda: (ember.randn(2, 3, 4),)),
    ("MaxPool2d", _layer(lambda: nn.MaxPool2d(2)), lambda: (ember.randn(1, 1, 4, 4),)),
    ("AvgPool2d", _layer(lambda: nn.AvgPool2d(2)), lambda: (ember.randn(1, 1, 4, 4),)),
    (
        "AdaptiveAvgPool2d",
        _layer(lambda: nn.AdaptiveAvgPool2d(1)),
        lambda: (ember.randn(1, 2, 4, 4),),
    ),
    ("Embedding", _layer(lambda: nn.Embedding(10, 3)), lambda: (ember.tensor([1, 4, 9]),)),
]
