"""The layers of ember.nn (re-exported there)."""

from ember.nn.modules.activation import GELU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh
from ember.nn.modules.container import ModuleDict, ModuleList, Sequential
from ember.nn.modules.conv import Conv1d, Conv2d
from ember.nn.modules.linear import Identity, Linear
from ember.nn.modules.misc import Dropout, Embedding, Flatten
from ember.nn.modules.norm import BatchNorm1d, BatchNorm2d, LayerNorm
from ember.nn.modules.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

__all__ = [
    "Linear", "Identity", "Conv1d", "Conv2d", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
    "Embedding", "Dropout", "Flatten", "ReLU", "GELU", "SiLU", "Tanh", "Sigmoid", "Softmax",
    "LogSoftmax", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Sequential", "ModuleList",
    "ModuleDict",
]  # fmt: skip
