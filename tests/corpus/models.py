"""A realistic model: attention blocks in a ModuleList, Optional mask, reshapes, residuals."""

import math

import ember
import ember.nn as nn
import ember.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.scale = 1.0 / math.sqrt(dim // heads)
        self.qkv = nn.Linear(dim, dim * 3)
        self.out = nn.Linear(dim, dim)

    def forward(self, x, mask: ember.Tensor | None = None):
        b, t, d = x.shape
        qkv = self.qkv(x).view(b, t, 3, self.heads, d // self.heads)
        q = qkv[:, :, 0].transpose(1, 2)
        k = qkv[:, :, 1].transpose(1, 2)
        v = qkv[:, :, 2].transpose(1, 2)
        att = ember.matmul(q, k.transpose(-2, -1)) * self.scale
        if mask is not None:
            att = att + mask
        att = F.softmax(att, dim=-1)
        y = ember.matmul(att, v).transpose(1, 2).reshape(b, t, d)
        return self.out(y)


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, 2)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim))
        self.drop = nn.Dropout(0.1)

    def forward(self, x, mask: ember.Tensor | None = None):
        x = x + self.drop(self.attn(self.ln1(x), mask))
        return x + self.drop(self.mlp(self.ln2(x)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block(8) for _ in range(2)])
        self.head = nn.Linear(8, 3)

    def forward(self, x, mask: ember.Tensor | None = None):
        for blk in self.blocks:
            x = blk(x, mask)
        return self.head(x.mean(dim=1))


CASES = [
    ("transformer", lambda: Net().eval(), lambda: (ember.randn(2, 5, 8),)),
    ("transformer_mask", lambda: Net().eval(), lambda: (ember.randn(2, 5, 8), ember.zeros(5, 5))),
]
