"""Emotion of a text, clause by clause: basic-class probabilities, intensity and a library mixture.

Each clause (split at sentence ends and at contrast words such as "but", so the emotion can change
within a sentence) gets:
- sentence-encoder votes: cosine similarity of its MiniLM embedding to prototype sentences of the 7
  basic classes (mean of the 3 best per class), and
- lexicon votes: emotion words, scaled by degree words before them ("so", "slightly"). A negator within
  three words before ("not", "never", "n't") turns the word's vote into one for the opposite class
  ("not happy" -> sad, "not scared" -> neutral), and the negated words are left out of the text the
  encoder sees, because sentence encoders largely ignore negation.
The fine-grained mixture weighs library entries by their basic class's probability and their name's
similarity to the clause. All data (prototypes, lexicon, degree words) is in `fxcli/assets/expressions/emotion_text.json`.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field

import numpy as np

from fxcli.assets import asset_path
from fxcli.expressions.library import BASIC_LABELS, load_library

DATA_FILE = asset_path("expressions", "emotion_text.json")
ANCHOR_TEMPERATURE = 0.03  # class similarity differences of ~0.05 already matter
LEXICON_GAIN = 2.0  # logit added per (degree-scaled) emotion word
NEUTRAL_PRIOR = 0.6  # logit bonus for neutral: text without emotional cues should stay calm
NAME_TEMPERATURE = 0.05
NAME_WORD_BONUS = 0.25  # the clause literally uses the entry's name or synonym
BASE_INTENSITY = 0.75
NEGATION_WINDOW = 3
NEGATED_FLIP = 1.0
NEGATED_PENALTY = 1.0

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?;:]+|\n+")


@dataclass
class ClauseEmotion:
    text: str
    start: int  # character offsets of the clause in the input text
    end: int
    probs: np.ndarray  # (7,) over BASIC_LABELS
    intensity: float  # in (0, 1]
    mixture: list[tuple[str, float]]  # library entries and weights (sum 1)
    candidates: list[tuple[str, float]] = field(default_factory=list)  # more entries, for seeded variation
    negated: bool = False

    @property
    def family(self) -> str:
        return BASIC_LABELS[int(np.argmax(self.probs))]


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    doc = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    doc["word_class"] = {w: c for c, words in doc["lexicon"].items() for w in words}
    doc["negator_set"] = set(doc["negators"])
    doc["contrast_set"] = set(doc["contrast"])
    return doc


def split_clauses(text: str) -> list[tuple[int, int]]:
    """Character spans of clauses: sentence ends, and a new clause before each contrast word."""
    data = _data()
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    out = []
    for s, e in spans:
        cut = s
        for m in _WORD.finditer(text.lower(), s, e):
            if m.group() in data["contrast_set"] and text[cut:m.start()].strip():
                out.append((cut, m.start()))
                cut = m.start()
        out.append((cut, e))
    return [(s, e) for s, e in out if _WORD.search(text[s:e].lower())] or [(0, len(text))]


def _is_negator(word: str, negators: set[str]) -> bool:
    return word in negators or word.endswith("n't") or word == "cannot"


def lexicon_votes(clause: str) -> tuple[np.ndarray, float, bool, str]:
    """Per-class lexicon votes (7,), the clause's degree factor, whether a cue was negated, and the
    text the sentence encoder should see (the clause without negated cues, which it would misread)."""
    data = _data()
    matches = list(_WORD.finditer(clause.lower()))
    words = [m.group() for m in matches]
    votes = np.zeros(len(BASIC_LABELS))
    degree = 1.0
    negated = False
    drop: list[tuple[int, int]] = []
    for i, w in enumerate(words):
        if w in data["degree"]:
            degree = max(degree, data["degree"][w]) if data["degree"][w] > 1 else min(degree, data["degree"][w])
        cls = data["word_class"].get(w)
        if cls is None:
            continue
        before = words[max(0, i - NEGATION_WINDOW) : i]
        scale = 1.0
        for b in before:
            if b in data["degree"]:
                scale *= data["degree"][b]
        neg_at = [j for j in range(max(0, i - NEGATION_WINDOW), i) if _is_negator(words[j], data["negator_set"])]
        if neg_at:
            negated = True
            votes[BASIC_LABELS.index(cls)] -= NEGATED_PENALTY  # the speaker denies it
            votes[BASIC_LABELS.index(data["negation_flip"][cls])] += NEGATED_FLIP * scale
            drop.append((matches[neg_at[0]].start(), matches[i].end()))
        else:
            votes[BASIC_LABELS.index(cls)] += scale
    encoder_text = clause
    for a, b in reversed(drop):
        encoder_text = encoder_text[:a] + encoder_text[b:]
    return votes, degree, negated, " ".join(encoder_text.split()) or clause


def _intensity(clause: str, degree: float, negated: bool) -> float:
    value = BASE_INTENSITY * degree
    value *= 1.12 ** min(clause.count("!"), 2)
    if any(len(w) > 1 and w.isupper() for w in re.findall(r"[A-Za-z]+", clause)):
        value *= 1.12
    if negated:
        value *= 0.75
    return float(np.clip(value, 0.25, 1.0))


@functools.lru_cache(maxsize=1)
def _index():
    """Embedding rows of the anchors and names, with their class / library entry numbers."""
    from fxcli.expressions.embeddings import load_embeddings

    emb = load_embeddings()
    lib = load_library()
    anchor_rows = emb.rows_of("anchor")
    name_rows = emb.rows_of("name")
    anchor_labels = np.array([BASIC_LABELS.index(emb.labels[r]) for r in anchor_rows])
    position = {n: i for i, n in enumerate(lib.names)}
    name_entry = np.array([position[emb.labels[r]] for r in name_rows])
    name_text = [emb.texts[r].lower() for r in name_rows]
    return emb, anchor_rows, anchor_labels, name_rows, name_entry, name_text


def analyse_text(text: str, encoder_path: str | None = None, vectors: np.ndarray | None = None) -> list[ClauseEmotion]:
    """Clause-by-clause emotion of `text` (see the module docstring)."""
    spans = split_clauses(text)
    clauses = [text[s:e].strip() for s, e in spans]
    lexical = [lexicon_votes(c) for c in clauses]
    if vectors is None:
        from fxcli.text.minilm_lean import load_lean_minilm

        vectors = load_lean_minilm(encoder_path).embed([lx[3] for lx in lexical])  # (n, 384)
    lib = load_library()
    emb, anchor_rows, anchor_labels, name_rows, name_entry, name_text = _index()
    anchor_sims = vectors @ emb.matrix[anchor_rows].T  # (n, A)
    name_sims = vectors @ emb.matrix[name_rows].T  # (n, K)
    out = []
    for i, ((s, e), clause) in enumerate(zip(spans, clauses, strict=False)):
        class_sim = np.array([np.sort(anchor_sims[i][anchor_labels == c])[-3:].mean()
                              for c in range(len(BASIC_LABELS))])
        votes, degree, negated, _ = lexical[i]
        logits = class_sim / ANCHOR_TEMPERATURE + LEXICON_GAIN * votes
        logits[BASIC_LABELS.index("neutral")] += NEUTRAL_PRIOR
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        # entry scores: best name/synonym similarity, a bonus when the clause uses that word un-negated
        entry_score = np.full(len(lib), -1.0)
        np.maximum.at(entry_score, name_entry, name_sims[i])
        # neutral is the default face, not a word a sentence resembles
        entry_score[lib.names.index("neutral")] = entry_score.max()
        words = set(_WORD.findall(clause.lower()))
        if not negated:
            for k, t in zip(name_entry, name_text, strict=False):
                if t in words:
                    entry_score[k] = max(entry_score[k], 1.0) + NAME_WORD_BONUS
        weight = probs[lib.basic_index] * np.exp((entry_score - entry_score.max()) / NAME_TEMPERATURE)
        order = np.argsort(-weight, kind="stable")
        top = order[:3]
        w = weight[top] / weight[top].sum()
        keep = [(lib.names[k], float(x)) for k, x in zip(top, w, strict=False) if x >= 0.1]
        total = sum(x for _, x in keep)
        mixture = [(n, round(x / total, 4)) for n, x in keep]
        candidates = [(lib.names[k], round(float(weight[k] / weight[order[:6]].sum()), 4)) for k in order[:6]]
        out.append(ClauseEmotion(text=clause, start=s, end=e, probs=probs, intensity=_intensity(clause, degree, negated),
                                 mixture=mixture, candidates=candidates, negated=negated))
    return out


def text_family_probs(clauses: list[ClauseEmotion]) -> np.ndarray:
    """Basic-class probabilities of the whole text: clauses weighted by their length in words."""
    weights = np.array([max(len(_WORD.findall(c.text.lower())), 1) for c in clauses], float)
    probs = (np.stack([c.probs for c in clauses]) * weights[:, None]).sum(0) / weights.sum()
    return probs
