"""Hashed word n-grams of a text: the one featurisation of the text-emotion model's lexical head.

A text is lower-cased (curly apostrophes made straight) and cut into tokens: runs of letters/digits with
inner apostrophes ("don't", "i'm") and the marks "!" and "?" each as a token; everything else (spaces,
other punctuation, emoji) separates tokens and is dropped. Features are the unigrams and the bigrams
(with "<s>" and "</s>" at the ends), each hashed with zlib.crc32 (stable across runs and machines,
unlike Python's salted hash) into `buckets` ids; a text's features are the set of its ids (presence, not
counts). Training (fxcli.train.text_emotion_trainer) and inference (fxcli.text.emotion_model) both call
`hashed_ids`, so they see the same ids.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*|[!?]")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens and "!"/"?" marks of `text`, in order."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'").replace("\u2018", "'"))


def ngrams(text: str) -> list[str]:
    """The unigrams ("w") and bigrams ("w1 w2", "<s> w", "w </s>") of `text`'s tokens, in order."""
    toks = tokens(text)
    padded = ["<s>", *toks, "</s>"]
    return toks + [f"{a} {b}" for a, b in zip(padded[:-1], padded[1:], strict=True)]


def bucket(gram: str, buckets: int) -> int:
    return zlib.crc32(gram.encode("utf-8")) % buckets


def hashed_ids(text: str, buckets: int) -> np.ndarray:
    """Sorted distinct bucket ids (int64) of `text`'s n-grams."""
    return np.unique(np.array([bucket(g, buckets) for g in ngrams(text)], np.int64))


def hashed_batch(texts: list[str], buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """The ids of every text concatenated, and each text's start offset into them (CSR-style, as
    torch.nn.EmbeddingBag takes them)."""
    per = [hashed_ids(t, buckets) for t in texts]
    offsets = np.zeros(len(per), np.int64)
    if per:
        offsets[1:] = np.cumsum([len(p) for p in per])[:-1]
    ids = np.concatenate(per) if per else np.zeros(0, np.int64)
    return ids, offsets


def bag_scores(weights: np.ndarray, bias: np.ndarray, texts: list[str]) -> np.ndarray:
    """(N, C) linear scores: for each text, bias + the sum of its ids' rows of `weights` (buckets, C)."""
    out = np.tile(bias.astype(np.float32), (len(texts), 1))
    for i, t in enumerate(texts):
        ids = hashed_ids(t, len(weights))
        if len(ids):
            out[i] += weights[ids].astype(np.float32).sum(0)
    return out
