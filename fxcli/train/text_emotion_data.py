"""Labelled text-emotion corpora for `fxe train text-emotion`: GoEmotions and XED, their splits, and
cached MiniLM features.

A corpus folder holds
- `goemotions/original_{train,dev,test}.tsv`: `text<TAB>label ids<TAB>comment id` (ids index the 27
  GoEmotions categories + neutral, `GO_LABELS`); its own splits are used as they are;
- `xed/en-annotated.tsv` (`text<TAB>Plutchik ids 1..8`) and `xed/neu_en.txt` (`9<TAB>text`): XED has no
  official split, so a fixed, seeded 80/10/10 split is made from each line's sha1 (independent of file
  order; the ids of the test lines ship with the model).

Targets are the 7 basic families of the expression library (BASIC_LABELS: Ekman's six + neutral under
the library's names) via the GoEmotions paper's Ekman mapping, and, for GoEmotions, the 28 categories.
XED's anticipation and trust have no Ekman family: lines with only those are left out of the 7-way
targets.

Features: the lean MiniLM's per-layer mean-pooled hidden states (fxcli.text.minilm_lean.LeanMiniLM.
features), computed once per corpus with transformers in batches (the same numbers, faster on many
lines) and cached as float16 in a folder of the user's choice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fxcli.errors import InvalidInputError
from fxcli.expressions.library import BASIC_LABELS

GO_LABELS = ("admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity",
             "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear",
             "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief",
             "remorse", "sadness", "surprise", "neutral")
# Demszky et al. 2020, Ekman grouping, under the library's basic-class names
EKMAN_OF = {
    **{c: "angry" for c in ("anger", "annoyance", "disapproval")},
    "disgust": "disgust",
    **{c: "fear" for c in ("fear", "nervousness")},
    **{c: "happy" for c in ("joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism", "relief",
                            "pride", "admiration", "desire", "caring")},
    **{c: "sad" for c in ("sadness", "disappointment", "embarrassment", "grief", "remorse")},
    **{c: "surprise" for c in ("surprise", "realization", "confusion", "curiosity")},
    "neutral": "neutral",
}
XED_LABELS = {1: "anger", 2: "anticipation", 3: "disgust", 4: "fear", 5: "joy", 6: "sadness", 7: "surprise",
              8: "trust", 9: "neutral"}
XED_BASIC = {"anger": "angry", "disgust": "disgust", "fear": "fear", "joy": "happy", "sadness": "sad",
             "surprise": "surprise", "neutral": "neutral"}
SPLITS = ("train", "dev", "test")


@dataclass
class Corpus:
    name: str  # "goemotions" or "xed"
    split: str
    texts: list[str]
    ids: list[str]  # GoEmotions comment ids; XED: sha1 of the line (first 12 hex digits)
    basic: np.ndarray  # (N, 7) 0/1 gold basic families (a row of zeros: no Ekman family)
    fine: np.ndarray | None = None  # (N, 28) 0/1 GoEmotions categories
    raw_labels: list[tuple[str, ...]] = field(default_factory=list)

    def has_basic(self) -> np.ndarray:
        return self.basic.sum(1) > 0


def _read_tsv(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise InvalidInputError(f"corpus file missing: {path}",
                                hint="give the folder holding goemotions/ and xed/ (see `fxe train text-emotion --help`)")
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_goemotions(folder: str | Path, split: str) -> Corpus:
    rows = _read_tsv(Path(folder) / "goemotions" / f"original_{split}.tsv")
    texts, ids, labels = [], [], []
    for r in rows:
        if len(r) < 3:
            raise InvalidInputError(f"GoEmotions line with {len(r)} fields in {split}", hint="text<TAB>ids<TAB>id")
        texts.append(r[0])
        labels.append(tuple(GO_LABELS[int(x)] for x in r[1].split(",")))
        ids.append(r[2].strip())
    fine = np.zeros((len(texts), len(GO_LABELS)), np.float32)
    basic = np.zeros((len(texts), len(BASIC_LABELS)), np.float32)
    for i, labs in enumerate(labels):
        for lab in labs:
            fine[i, GO_LABELS.index(lab)] = 1
            basic[i, BASIC_LABELS.index(EKMAN_OF[lab])] = 1
    return Corpus("goemotions", split, texts, ids, basic, fine, labels)


def xed_split_of(text: str) -> tuple[str, str]:
    """(line id, split) of an XED line: the split from the sha1 of its text, so it never depends on order."""
    h = hashlib.sha1(text.encode("utf-8")).hexdigest()
    bucket = int(h[:8], 16) % 10
    return h[:12], ("test" if bucket == 0 else "dev" if bucket == 1 else "train")


def load_xed(folder: str | Path, split: str) -> Corpus:
    base = Path(folder) / "xed"
    items: list[tuple[str, tuple[str, ...]]] = []
    for r in _read_tsv(base / "en-annotated.tsv"):
        items.append((r[0], tuple(XED_LABELS[int(x)] for x in r[1].split(","))))
    for r in _read_tsv(base / "neu_en.txt"):
        items.append((r[1], ("neutral",)))
    texts, ids, labels, seen = [], [], [], set()
    for text, labs in items:
        line_id, s = xed_split_of(text)
        if s != split or line_id in seen:
            continue
        seen.add(line_id)
        texts.append(text)
        ids.append(line_id)
        labels.append(labs)
    basic = np.zeros((len(texts), len(BASIC_LABELS)), np.float32)
    for i, labs in enumerate(labels):
        for lab in labs:
            if lab in XED_BASIC:
                basic[i, BASIC_LABELS.index(XED_BASIC[lab])] = 1
    return Corpus("xed", split, texts, ids, basic, None, labels)


def load_corpus(folder: str | Path, name: str, split: str) -> Corpus:
    if split not in SPLITS:
        raise InvalidInputError(f"unknown split {split!r}")
    return load_goemotions(folder, split) if name == "goemotions" else load_xed(folder, split)


def split_digest(corpus: Corpus) -> str:
    """sha256 over the ordered ids of a split: what the model was trained or measured on."""
    return hashlib.sha256("\n".join(corpus.ids).encode()).hexdigest()


def embed_features(texts: list[str], encoder_path: str | None = None, batch_size: int = 128, log=None) -> np.ndarray:
    """Per-layer mean-pooled MiniLM features (N, 7, 384) float32, as LeanMiniLM.features computes them,
    through transformers (much faster for many lines; a test checks both agree)."""
    import torch

    from fxcli.text.encoder import load_text_encoder

    enc = load_text_encoder("minilm", encoder_path)
    out = np.zeros((len(texts), 7, enc.hidden_size), np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for k, start in enumerate(range(0, len(order), batch_size)):
        idx = order[start : start + batch_size]
        batch = enc.tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=128,
                              return_tensors="pt")
        with torch.inference_mode():
            hs = enc.model(**batch, output_hidden_states=True).hidden_states  # 7 x (B, L, H)
        m = batch["attention_mask"].unsqueeze(-1).float()
        pooled = [((h * m).sum(1) / m.sum(1).clamp(min=1e-9)) for h in hs[1:]]  # layers 1..6
        pooled.append(hs[-1][:, 0])  # [CLS] of the last layer
        out[idx] = torch.stack(pooled, 1).numpy()
        if log is not None and k % 50 == 0:
            log(f"embedded {min(start + batch_size, len(texts)):,}/{len(texts):,}")
    return out


CHUNK = 2048  # lines per cache file: several processes can share the work, and a cut run resumes


def cached_features(corpus: Corpus, cache_dir: str | Path, encoder_path: str | None = None, log=None,
                    limit: int | None = None) -> np.ndarray:
    """embed_features of a corpus split (its first `limit` lines), cached per chunk of CHUNK lines as
    `{cache}/{name}_{split}_{chunk digest}.npy` (float16). Processes running this on the same cache
    share the chunks (a `.lock` file marks one being computed)."""
    import os
    import time

    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    texts = corpus.texts[:limit] if limit is not None else corpus.texts
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    paths = [cache / f"{corpus.name}_{corpus.split}_{hashlib.sha256(chr(10).join(c).encode()).hexdigest()[:16]}.npy"
             for c in chunks]
    while True:
        waiting = False
        for k, (chunk, path) in enumerate(zip(chunks, paths, strict=True)):
            if path.is_file():
                continue
            lock = path.with_suffix(".lock")
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                waiting = True
                continue
            os.close(fd)
            try:
                feats = embed_features(chunk, encoder_path)
                tmp = path.with_suffix(".part.npy")
                np.save(tmp, feats.astype(np.float16))
                tmp.replace(path)
            finally:
                lock.unlink(missing_ok=True)
            if log is not None:
                log(f"embedded chunk {k + 1}/{len(chunks)}")
        if not waiting:
            break
        time.sleep(5)
    if not paths:
        return np.zeros((0, 7, 384), np.float32)
    return np.concatenate([np.load(p) for p in paths]).astype(np.float32)


def split_manifest(folder: str | Path) -> dict:
    """What each split holds, to ship with a model: line counts and sha256 of the ordered ids for every
    split, and XED's test line ids themselves (its split is fxe's, not the corpus's)."""
    out: dict = {"goemotions": {"source": "the corpus's own splits (monologg/GoEmotions-pytorch original_*.tsv); "
                                          "ids are Reddit comment ids"},
                 "xed": {"source": "fixed split of fxe: sha1(line text) -> first 8 hex digits as an integer "
                                   "mod 10: 0 test, 1 dev, else train; ids are the sha1's first 12 hex digits; "
                                   "lines whose text repeats are kept once"}}
    for name in ("goemotions", "xed"):
        for split in SPLITS:
            c = load_corpus(folder, name, split)
            out[name][split] = {"n": len(c.ids), "sha256": split_digest(c)}
            if name == "xed" and split == "test":
                out[name][split]["ids"] = c.ids
    return out
