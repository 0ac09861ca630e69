"""Tiny CTEG pieces for tests: a deterministic word-embedding text encoder and a small seeded config."""

from __future__ import annotations

import zlib

import torch

from fxcli.models.cteg import CtegConfig


class WordTableEncoder:
    """Stands in for a transformer encoder: each word maps to a fixed random vector (seeded by its crc32)."""

    def __init__(self, hidden_size: int = 16):
        self.hidden_size = hidden_size

    def vector(self, word: str) -> torch.Tensor:
        g = torch.Generator().manual_seed(zlib.crc32(word.encode()))
        return torch.randn(self.hidden_size, generator=g)

    def encode_tokens(self, texts: list[str], max_length: int = 128):
        words = [t.split()[:max_length] or [""] for t in texts]
        n = max(len(w) for w in words)
        hidden = torch.zeros(len(texts), n, self.hidden_size)
        mask = torch.zeros(len(texts), n, dtype=torch.long)
        for i, ws in enumerate(words):
            for j, w in enumerate(ws):
                hidden[i, j], mask[i, j] = self.vector(w), 1
        return hidden, mask


def tiny_config(**kw) -> CtegConfig:
    base = dict(d_model=32, n_heads=4, d_ffn=64, n_layers=1, dropout=0.0, max_len=24, text_dim=16)
    base.update(kw)
    return CtegConfig(**base)
