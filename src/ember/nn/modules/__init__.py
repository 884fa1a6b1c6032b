"""The layers of ember.nn (re-exported there)."""

from ember.nn.modules.activation import (
    GELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSoftmax,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Tanh,
)
from ember.nn.modules.attention import MultiheadAttention
from ember.nn.modules.batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from ember.nn.modules.container import ModuleDict, ModuleList, Sequential
from ember.nn.modules.conv import Conv1d, Conv2d
from ember.nn.modules.dropout import Dropout
from ember.nn.modules.flatten import Flatten
from ember.nn.modules.linear import Identity, Linear
from ember.nn.modules.normalization import GroupNorm, LayerNorm
from ember.nn.modules.pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from ember.nn.modules.rnn import LSTM
from ember.nn.modules.sparse import Embedding
from ember.nn.modules.transformer import TransformerEncoder, TransformerEncoderLayer

__all__ = [
    "Linear", "Identity", "Conv1d", "Conv2d", "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
    "LayerNorm", "GroupNorm",
    "Embedding", "Dropout", "Flatten", "ReLU", "ReLU6", "Hardtanh", "Hardswish", "Hardsigmoid",
    "GELU", "SiLU", "Tanh", "Sigmoid", "Softmax",
    "LogSoftmax", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Sequential", "ModuleList",
    "ModuleDict", "MultiheadAttention",
    "TransformerEncoderLayer", "TransformerEncoder", "LSTM",
]  # fmt: skip
