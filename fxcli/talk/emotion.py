"""The emotion part of a talking instruction -> ARKit-52 weights and head pose through the expression library.

Filler words of talking ("talk", "speak", "in a ... way", "with") are dropped, adverbs become adjectives
("angrily" -> "angry"), each clause is resolved by fxcli.expressions (names, synonyms, MiniLM similarity),
and degree words ("slightly", "extremely") scale its intensity (fxcli.expressions.text_emotion).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

BASE_INTENSITY = 1.0
_FILLER = re.compile(r"\b(?:talk(?:s|ing)?|speak(?:s|ing)?|say(?:s|ing)?(?: it)?|sound(?:s|ing)?|read(?:s|ing)?|"
                     r"tell(?:s|ing)?|in an?|in|the|a|an|way|manner|tone|voice|mood|with|look(?:s|ing)?|be|being|"
                     r"please|your|face|expression|while|it|this|that)\b")
_ADVERB = {"happily": "happy", "angrily": "angry", "sadly": "sad", "gloomily": "gloomy", "wearily": "weary",
           "nervously": "nervous", "surprisedly": "surprised", "fearfully": "fearful", "calmly": "calm",
           "cheerfully": "cheerful", "excitedly": "excited", "anxiously": "anxious", "disgustedly": "disgusted"}


@dataclass
class Emotion:
    weights: np.ndarray  # (52,)
    head: np.ndarray  # (3,)
    family: str  # dominant basic class ("neutral" when nothing was named)
    mixture: list[tuple[str, float]] = field(default_factory=list)
    intensity: float = 0.0
    unknown: list[str] = field(default_factory=list)  # clauses that named nothing known


def _adjective(word: str) -> str:
    if word in _ADVERB:
        return _ADVERB[word]
    if word.endswith("ily") and len(word) > 5:
        return word[:-3] + "y"
    if word.endswith("fully"):
        return word[:-2]
    return word


def clean_clause(clause: str) -> str:
    words = [_adjective(w) for w in re.findall(r"[a-z']+", _FILLER.sub(" ", clause.lower()))]
    return " ".join(words)


def resolve_emotion(text: str, alpha: float = 1.0) -> Emotion:
    """Weights of the emotion clauses in `text` (comma-separated), averaged, each at its degree's intensity."""
    from fxcli.errors import UsageError
    from fxcli.expressions.library import BASIC_LABELS, load_library
    from fxcli.expressions.resolve import resolve_expression
    from fxcli.expressions.text_emotion import lexicon_votes

    lib = load_library()
    weights = np.zeros(52, np.float64)
    head = np.zeros(3, np.float64)
    fam = np.zeros(len(BASIC_LABELS))
    mixture: dict[str, float] = {}
    unknown, n, total_int = [], 0, 0.0
    for clause in [c.strip() for c in text.split(",") if c.strip()]:
        key = clean_clause(clause)
        if not key:
            continue
        try:
            mix = resolve_expression(key).mixture()
        except UsageError:
            unknown.append(clause)
            continue
        degree = float(lexicon_votes(clause)[1])
        intensity = float(np.clip(BASE_INTENSITY * degree, 0.15, 1.4)) * alpha
        for name, w in mix:
            e = lib.by_name[name]
            weights += intensity * w * e.weights
            head += intensity * w * e.head
            fam[BASIC_LABELS.index(e.basic)] += w
            mixture[name] = mixture.get(name, 0.0) + w
        total_int += intensity
        n += 1
    if n == 0:
        return Emotion(np.zeros(52, np.float32), np.zeros(3, np.float32), "neutral", [], 0.0, unknown)
    ranked = sorted(mixture.items(), key=lambda kv: -kv[1])
    return Emotion(np.clip(weights / n, 0, 1).astype(np.float32), (head / n).astype(np.float32),
                   BASIC_LABELS[int(np.argmax(fam))], [(k, round(v / n, 4)) for k, v in ranked],
                   round(total_int / n, 4), unknown)
