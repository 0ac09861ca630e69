"""Emotion of a text, clause by clause: basic-family probabilities, intensity and a library mixture.

Each clause (split at sentence ends and at contrast words such as "but", so the emotion can change
within a sentence) gets:
- the learned classifier's probabilities (fxcli.text.emotion_model: an MLP over frozen MiniLM features,
  trained on GoEmotions, calibrated on its dev split) for the 7 basic families (Ekman's six + neutral)
  and for the 28 GoEmotions categories;
- emoji and emoticons (fxcli.text.emoji): each moves half of the probability mass to its family (the
  encoder does not see them: it reads them as unknown tokens);
- cue votes added to the model's log-probabilities: emotion words of the lexicon (gain 1.5, chosen on GoEmotions dev: +0.006 macro F1), and negated ones: a
  negator within three words before an emotion word ("not", "never", "n't") turns the word into a
  vote for the opposite class ("not happy" -> sad, "not scared" -> neutral), and the negated words are
  left out of the text the encoder sees, because sentence encoders largely ignore negation. Degree
  words ("so", "slightly") scale the intensity.
The face follows the words: the mixture is drawn only from the predicted family - its GoEmotions
categories (gratitude, pride, relief, embarrassment, nervousness, curiosity ...) mapped onto library
entries (FINE_ENTRY), plus the family's own basic entry - never from another family.
Text in a language the model does not cover (it reads English) gets neutral unless emoji say otherwise.
Lexicon, negators and degree words: `fxcli/assets/expressions/emotion_text.json`.
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
LEXICON_GAIN = 0.5  # log-probability added per emotion word (degree-scaled); chosen on GoEmotions dev (0.25-2.0)
NEGATION_GAIN = 1.5  # log-probability moved by a negated emotion word (per word, degree-scaled)
EMOJI_SHARE = 0.5  # each emoji/emoticon moves this share of the probability mass to its family
BASIC_SHARE = 0.25  # the family's own basic entry in every (non-neutral) mixture
BASE_INTENSITY = 0.75
NEGATION_WINDOW = 3
MODEL_LANGUAGES = ("en",)
# GoEmotions category -> library entry of the same basic family (a test checks the families agree)
FINE_ENTRY = {
    "admiration": "adoration", "amusement": "amusement", "anger": "anger", "annoyance": "annoyance",
    "approval": "satisfaction", "caring": "caring", "confusion": "confused", "curiosity": "amazement",
    "desire": "desire", "disappointment": "disappointment", "disapproval": "displeasure", "disgust": "disgust",
    "embarrassment": "embarrassment", "excitement": "excitement", "fear": "fear", "gratitude": "gladness",
    "grief": "grief", "joy": "joy", "love": "love", "nervousness": "nervousness", "optimism": "optimism",
    "pride": "pride", "realization": "surprised", "relief": "relief", "remorse": "remorse", "sadness": "sadness",
    "surprise": "surprise", "neutral": "neutral",
}
BASIC_ENTRY = {"angry": "anger", "disgust": "disgust", "fear": "fear", "happy": "happiness", "sad": "sadness",
               "surprise": "surprise", "neutral": "neutral"}

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?;:]+|\n+")


@dataclass
class ClauseEmotion:
    text: str
    start: int  # character offsets of the clause in the input text
    end: int
    probs: np.ndarray  # (7,) over BASIC_LABELS
    intensity: float  # in (0, 1]
    mixture: list[tuple[str, float]]  # library entries and weights (sum 1), all of the clause's family
    candidates: list[tuple[str, float]] = field(default_factory=list)  # more entries (same family), for variation
    negated: bool = False
    categories: list[tuple[str, float]] = field(default_factory=list)  # GoEmotions categories of the family

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
    """Character spans of clauses: sentence ends, and a new clause before each contrast word. Emoticons
    (":)", ":'(") are not punctuation."""
    from fxcli.text.emoji import mask_emoticons

    data = _data()
    masked = mask_emoticons(text)
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(masked):
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
    # a clause needs a word, or an emoji/emoticon, of its own; otherwise it joins the previous one
    merged: list[tuple[int, int]] = []
    for s, e in out:
        if _has_content(text[s:e]) or not merged:
            merged.append((s, e))
        else:
            merged[-1] = (merged[-1][0], e)
    return [(s, e) for s, e in merged if _has_content(text[s:e])] or [(0, len(text))]


def _has_content(chunk: str) -> bool:
    from fxcli.text.emoji import emoji_votes

    return bool(_WORD.search(chunk.lower())) or any(ch.isalpha() for ch in chunk) or bool(emoji_votes(chunk).any())


def _is_negator(word: str, negators: set[str]) -> bool:
    return word in negators or word.endswith("n't") or word == "cannot"


def _lexicon(clause: str) -> tuple[np.ndarray, np.ndarray, float, bool, str]:
    """Plain and negated lexicon votes (7,) each, the degree factor, whether a cue was negated, and the
    text the encoder should see (the clause without negated cues, which it would misread)."""
    data = _data()
    matches = list(_WORD.finditer(clause.lower()))
    words = [m.group() for m in matches]
    plain = np.zeros(len(BASIC_LABELS))
    negation = np.zeros(len(BASIC_LABELS))
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
            negation[BASIC_LABELS.index(cls)] -= 1.0  # the speaker denies it
            negation[BASIC_LABELS.index(data["negation_flip"][cls])] += scale
            drop.append((matches[neg_at[0]].start(), matches[i].end()))
        else:
            plain[BASIC_LABELS.index(cls)] += scale
    encoder_text = clause
    for a, b in reversed(drop):
        encoder_text = encoder_text[:a] + encoder_text[b:]
    return plain, negation, degree, negated, " ".join(encoder_text.split()) or clause


def lexicon_votes(clause: str) -> tuple[np.ndarray, float, bool, str]:
    """Per-class lexicon votes (7,), the clause's degree factor, whether a cue was negated, and the
    text the sentence encoder should see (the clause without negated cues)."""
    plain, negation, degree, negated, encoder_text = _lexicon(clause)
    return plain + negation, degree, negated, encoder_text


def _intensity(clause: str, degree: float, negated: bool, confidence: float = 1.0) -> float:
    value = BASE_INTENSITY * degree * (0.7 + 0.3 * confidence)
    value *= 1.12 ** min(clause.count("!"), 2)
    if any(len(w) > 1 and w.isupper() for w in re.findall(r"[A-Za-z]+", clause)):
        value *= 1.12
    if negated:
        value *= 0.75
    return float(np.clip(value, 0.25, 1.0))


def with_emoji(probs: np.ndarray, votes: np.ndarray, has_words: bool = True) -> np.ndarray:
    """Move 1 - (1 - EMOJI_SHARE)^n of the mass to the n emoji/emoticon votes' families (in proportion).
    A clause with no words (only emoji, emoticons, punctuation) gives the model nothing to read: there the
    votes decide alone."""
    n = float(votes.sum())
    if n <= 0:
        return probs
    w = 1.0 - (1.0 - EMOJI_SHARE) ** n if has_words else 1.0
    return (1.0 - w) * probs + w * votes / n


def family_mixture(family: str, fine: np.ndarray | None) -> tuple[list[tuple[str, float]], list[tuple[str, float]],
                                                                  list[tuple[str, float]]]:
    """(mixture, candidates, categories) of library entries for a clause of `family`, from the fine
    (GoEmotions) probabilities restricted to that family. Every entry belongs to `family`."""
    from fxcli.train.text_emotion_data import EKMAN_OF, GO_LABELS

    if family == "neutral":
        return [("neutral", 1.0)], [("neutral", 1.0)], []
    weights: dict[str, float] = {}
    categories: list[tuple[str, float]] = []
    members = [k for k, c in enumerate(GO_LABELS) if EKMAN_OF[c] == family and c != "neutral"]
    share = 1.0
    if fine is not None and members:
        p = fine[members]
        if p.sum() > 0:
            p = p / p.sum()
            share = 1.0 - BASIC_SHARE
            for k, x in zip(members, p, strict=True):
                weights[FINE_ENTRY[GO_LABELS[k]]] = weights.get(FINE_ENTRY[GO_LABELS[k]], 0.0) + share * float(x)
                categories.append((GO_LABELS[k], round(float(x), 4)))
            share = BASIC_SHARE
    weights[BASIC_ENTRY[family]] = weights.get(BASIC_ENTRY[family], 0.0) + share
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    top = [(n, w) for n, w in ranked[:3] if w >= 0.1] or ranked[:1]
    total = sum(w for _, w in top)
    mixture = [(n, round(w / total, 4)) for n, w in top]
    cand = ranked[:6]
    ctotal = sum(w for _, w in cand)
    candidates = [(n, round(w / ctotal, 4)) for n, w in cand]
    categories.sort(key=lambda kv: -kv[1])
    return mixture, candidates, categories[:5]


def analyse_text(text: str, encoder_path: str | None = None, vectors: np.ndarray | None = None, *,
                 lang: str = "en", model_path: str | None = None) -> list[ClauseEmotion]:
    """Clause-by-clause emotion of `text` (see the module docstring). `vectors`: precomputed encoder
    features (n_clauses, 7, 384) of the clauses' encoder texts (LeanMiniLM.features), else computed here.
    For a language the model does not cover (`lang` not English) the families come from emoji only."""
    from fxcli.text.emoji import emoji_votes, strip_emoji

    spans = split_clauses(text)
    clauses = [text[s:e].strip() for s, e in spans]
    lexical = [_lexicon(c) for c in clauses]
    covered = lang.split("-")[0].lower() in MODEL_LANGUAGES
    fine_all: np.ndarray | None = None
    if covered:
        from fxcli.text.emotion_model import load_emotion_model

        model = load_emotion_model(model_path)
        read = [strip_emoji(lx[4]) or "." for lx in lexical]  # what the encoder and the lexical head read
        if vectors is None:
            from fxcli.text.minilm_lean import load_lean_minilm

            vectors = load_lean_minilm(encoder_path).features(read)[0]
        base, fine_all = model.predict(vectors, read)
        base_logits = np.log(np.maximum(base, 1e-6))
    else:
        base_logits = np.tile(np.log(np.where(np.array(BASIC_LABELS) == "neutral", 0.94, 0.01)), (len(clauses), 1))
    lib = load_library()
    out = []
    for i, ((s, e), clause) in enumerate(zip(spans, clauses, strict=True)):
        plain, negation, degree, negated, _ = lexical[i]
        logits = base_logits[i]
        if covered:
            logits = logits + LEXICON_GAIN * plain + NEGATION_GAIN * negation
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        probs = with_emoji(probs, emoji_votes(clause), bool(_WORD.search(strip_emoji(clause).lower())))
        family = BASIC_LABELS[int(np.argmax(probs))]
        mixture, candidates, categories = family_mixture(family, fine_all[i] if fine_all is not None else None)
        assert all(lib.by_name[n].basic == family for n, _ in candidates)  # FINE_ENTRY is checked by a test
        out.append(ClauseEmotion(text=clause, start=s, end=e, probs=probs,
                                 intensity=_intensity(clause, degree, negated, float(probs.max())),
                                 mixture=mixture, candidates=candidates, negated=negated, categories=categories))
    return out


def text_family_probs(clauses: list[ClauseEmotion]) -> np.ndarray:
    """Basic-class probabilities of the whole text: clauses weighted by their length in words."""
    weights = np.array([max(len(_WORD.findall(c.text.lower())), 1) for c in clauses], float)
    probs = (np.stack([c.probs for c in clauses]) * weights[:, None]).sum(0) / weights.sum()
    return probs
