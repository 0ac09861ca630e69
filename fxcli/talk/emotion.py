"""The emotion part of a talking instruction -> ARKit-52 weights and head pose through the expression library.

Filler words of talking ("talk", "speak", "in a ... way", "with") are dropped, adverbs become adjectives
("angrily" -> "angry"), each clause is resolved by fxcli.expressions (names, synonyms, MiniLM similarity),
and degree words ("slightly", "extremely") scale its intensity (fxcli.expressions.text_emotion).

Speaking in an emotion is more than the face of that emotion: DELIVERY adds, per basic family, what a
speaker's face and head do while talking that way, so the emotion reads over the moving mouth:
sad speech lowers the head, the gaze and the lids and lifts the inner brows; angry speech knits the
brows, presses the lips and tucks the chin; happy speech lifts the cheeks and the head a little;
surprised speech opens the eyes and the jaw and draws the head back. Each is scaled by the family's
share of the mixture and the clause's intensity.
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


# family -> (ARKit-52 additions, head pose (pitch +: down, yaw, roll) in radians)
DELIVERY: dict[str, tuple[dict[str, float], tuple[float, float, float]]] = {
    "sad": ({"browInnerUp": 0.3, "browDownLeft": -0.3, "browDownRight": -0.3, "eyeBlinkLeft": 0.25,
             "eyeBlinkRight": 0.25, "eyeLookDownLeft": 0.25, "eyeLookDownRight": 0.25, "mouthFrownLeft": 0.2,
             "mouthFrownRight": 0.2, "mouthPucker": 0.1}, (0.12, 0.0, 0.0)),
    "angry": ({"browDownLeft": 0.2, "browDownRight": 0.2, "mouthPressLeft": 0.35, "mouthPressRight": 0.35,
               "noseSneerLeft": 0.3, "noseSneerRight": 0.3, "mouthUpperUpLeft": -0.25, "mouthUpperUpRight": -0.25},
              (0.06, 0.0, 0.0)),
    "happy": ({"cheekSquintLeft": 0.2, "cheekSquintRight": 0.2, "mouthSmileLeft": 0.15, "mouthSmileRight": 0.15},
              (-0.04, 0.0, 0.0)),
    "surprise": ({"eyeWideLeft": 0.15, "eyeWideRight": 0.15, "browOuterUpLeft": 0.15, "browOuterUpRight": 0.15,
                  "jawOpen": 0.12}, (-0.07, 0.0, 0.0)),
}


def _delivery(family: str) -> tuple[np.ndarray, np.ndarray]:
    from fxcli.tracks.channels import ARKIT52

    adds, head = DELIVERY.get(family, ({}, (0.0, 0.0, 0.0)))
    w = np.zeros(len(ARKIT52), np.float64)
    for name, v in adds.items():
        w[ARKIT52.index(name)] = v
    return w, np.asarray(head, np.float64)


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
            extra, extra_head = _delivery(e.basic)
            weights += intensity * w * (e.weights + extra)
            head += intensity * w * (e.head + extra_head)
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
