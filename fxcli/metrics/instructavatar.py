"""InstructAvatar's metrics: AU precision / recall / F1, AU_Emo, and CLIP_s.

- AU P/R/F1: active AUs of the generated face (FaceMesh proxies, fxcli.judges.geometry) against the
  reference AUs (given, or those of a ground-truth frame), micro-averaged: TP, FP, FN summed over items,
  P = TP/(TP+FP), R = TP/(TP+FN), F1 = 2PR/(P+R).
- AU_Emo: recall of the AUs typical of the target emotion (EMFACS prototypes, restricted to the AUs the
  proxies measure).
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
