"""InstructAvatar's metrics: AU precision / recall / F1, AU_Emo, and CLIP_s.

- AU P/R/F1: active AUs of the generated face (FaceMesh proxies, fxcli.judges.geometry) against the
  reference AUs (given, or those of a ground-truth frame), micro-averaged: TP, FP, FN summed over items,
  P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2PR/(P+R).
- AU_Emo: recall of the AUs typical of the target emotion (EMFACS prototypes, restricted to the AUs the
  proxies measure).
- The AUs an instruction asks for (`instruction_aus`, the reference of AU P/R/F1 when no ground-truth
  video is given): the AUs of its held motion clauses (MOTION_AUS) and the typical AUs of its emotion.
- CLIP_s: max over a clip's frames of the CLIP cosine between frame and instruction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# EMFACS prototype AUs of the basic emotions, keeping those the geometric proxies can see
TYPICAL_AUS: dict[str, frozenset[str]] = {
    "happy": frozenset({"AU12", "AU25"}),
    "sad": frozenset({"AU1", "AU4", "AU15"}),
    "surprise": frozenset({"AU1", "AU2", "AU5", "AU26"}),
    "fear": frozenset({"AU1", "AU2", "AU4", "AU5", "AU20", "AU26"}),
    "angry": frozenset({"AU4", "AU5"}),
    "disgust": frozenset({"AU4", "AU15"}),
}


# fxe talk's held motion actions (fxcli.talk.instructions) -> the AUs they show; head and gaze motions are not AUs
MOTION_AUS: dict[str, frozenset[str]] = {
    "raise_brows": frozenset({"AU1", "AU2"}),
    "furrow_brows": frozenset({"AU4"}),
    "close_eyes": frozenset({"AU43"}),
    "smile": frozenset({"AU12"}),
    "open_mouth": frozenset({"AU25", "AU26"}),
}


def instruction_aus(text: str) -> tuple[set[str], str | None]:
    """(AUs the instruction asks for, its emotion family or None): motion clauses by MOTION_AUS, the emotion
    clauses by the typical AUs of the family the talk emotion model reads from them."""
    from fxcli.talk.emotion import resolve_emotion
    from fxcli.talk.instructions import parse_instruction

    parsed = parse_instruction(text)
    aus: set[str] = set()
    for action in parsed.actions:
        aus |= MOTION_AUS.get(action.kind, frozenset())
    family = None
    if parsed.emotion_text:
        emotion = resolve_emotion(parsed.emotion_text)
        if emotion.family in TYPICAL_AUS:
            family = emotion.family
            aus |= TYPICAL_AUS[family]
    return aus, family


def au_counts(predicted: Iterable[str], reference: Iterable[str]) -> tuple[int, int, int]:
    p, r = set(predicted), set(reference)
    return len(p & r), len(p - r), len(r - p)


def prf(tp: int, fp: int, fn: int) -> dict[str, float | None]:
    """Precision, recall, F1 from counts (None where a denominator is 0)."""
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


def au_prf(pairs: Sequence[tuple[Iterable[str], Iterable[str]]]) -> dict:
    """Micro-averaged P/R/F1 over [(predicted AUs, reference AUs), ...]."""
    tp = fp = fn = 0
    for pred, ref in pairs:
        a, b, c = au_counts(pred, ref)
        tp, fp, fn = tp + a, fp + b, fn + c
    return {**prf(tp, fp, fn), "tp": tp, "fp": fp, "fn": fn, "n": len(pairs)}


def au_emo(predicted: Iterable[str], emotion: str) -> float | None:
    typical = TYPICAL_AUS.get(emotion)
    if not typical:
        return None
    return len(set(predicted) & typical) / len(typical)


def clip_s(frame_scores: Sequence[float]) -> float | None:
    return max(frame_scores) if frame_scores else None
