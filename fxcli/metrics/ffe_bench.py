"""FFE-Bench (PixelSmile, sec. 3.2): editing accuracy, structural confusion, control linearity, HES.

The paper's judge is a VLM that names 12 expressions and scores their intensity; here the judge is the
expression classifier in use, so the dominant expression is its arg-max label and the target score S_E is
its probability of the target label. Accuracies count only targets the judge can name (the embedded judge
knows 6 of the 12), and say how many were left out.

- Acc: fraction of edited images whose dominant expression is the target.
- C(i→j) = (1/N_i) Σ_k 1(ŷ_k = j) over the N_i images edited towards i;  BCR(i, j) = ½ (C(i→j) + C(j→i));
  mSCR = mean BCR over the confusing pairs (fear, surprise) and (angry, disgust) that have images both ways.
- CLS = Pearson(α, S_E) over one sweep (one source, one target, several α); the mean over sweeps.
- HES = 2 S_E S_ID / (S_E + S_ID), S_ID the identity cosine between source and edit; the mean over images.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from fxcli.metrics.formulas import harmonic_mean, mean_or_none, pearson

BASIC6 = ("happy", "sad", "angry", "fear", "surprise", "disgust")
EXTENDED12 = BASIC6 + ("confused", "contempt", "confident", "shy", "sleepy", "anxious")
CONFUSING_PAIRS = (("fear", "surprise"), ("angry", "disgust"))
SYNONYMS = {"surprised": "surprise", "anger": "angry", "disgusted": "disgust", "fearful": "fear",
            "afraid": "fear", "scared": "fear", "happiness": "happy", "joy": "happy", "sadness": "sad",
            "neutrality": "neutral", "calm": "neutral"}


def canonical(label: str) -> str:
    """A target expression name in FFE-Bench's spelling (lower case; 'surprised' -> 'surprise', ...)."""
    key = label.strip().lower()
    return SYNONYMS.get(key, key)


def accuracy(targets: Sequence[str], predicted: Sequence[str], classes: Sequence[str],
             judge_labels: Sequence[str]) -> dict:
    """Acc over items whose target is in `classes` AND nameable by the judge: {value, n, unjudged}."""
    judged = [(t, p) for t, p in zip(targets, predicted, strict=True) if t in classes and t in judge_labels]
    unjudged = sum(1 for t in targets if t in classes and t not in judge_labels)
    value = float(np.mean([t == p for t, p in judged])) if judged else None
    return {"value": value, "n": len(judged), "unjudged": unjudged}


def directed_confusion(targets: Sequence[str], predicted: Sequence[str], i: str, j: str) -> float | None:
    """C(i→j): share of the images edited towards i that the judge calls j (None if none towards i)."""
    towards_i = [p for t, p in zip(targets, predicted, strict=True) if t == i]
    return float(np.mean([p == j for p in towards_i])) if towards_i else None


def bcr(targets: Sequence[str], predicted: Sequence[str], i: str, j: str) -> float | None:
    cij, cji = directed_confusion(targets, predicted, i, j), directed_confusion(targets, predicted, j, i)
    return None if cij is None or cji is None else 0.5 * (cij + cji)


def mscr(targets: Sequence[str], predicted: Sequence[str],
         pairs: Iterable[tuple[str, str]] = CONFUSING_PAIRS) -> dict:
    per_pair = {f"{i}-{j}": bcr(targets, predicted, i, j) for i, j in pairs}
    return {"value": mean_or_none(list(per_pair.values())), "bcr": per_pair}


def cls(sweeps: dict[tuple[str, str], list[tuple[float, float]]], classes: Sequence[str] | None = None) -> dict:
    """Mean Pearson(α, S_E) over sweeps {(source, target): [(α, S_E), ...]} (restricted to `classes`)."""
    values = []
    for (_, target), points in sweeps.items():
        if classes is not None and target not in classes:
            continue
        r = pearson([a for a, _ in points], [s for _, s in points])
        if r is not None:
            values.append(r)
    return {"value": float(np.mean(values)) if values else None, "sweeps": len(values)}


def hes(target_scores: Sequence[float], id_sims: Sequence[float]) -> float | None:
    vals = [harmonic_mean(s, i) for s, i in zip(target_scores, id_sims, strict=True)]
    return float(np.mean(vals)) if vals else None


def group_sweeps(records: Iterable[dict]) -> dict[tuple[str, str], list[tuple[float, float]]]:
    sweeps: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for r in records:
        if r.get("alpha") is not None and r.get("target_score") is not None:
            sweeps[(r.get("source") or "", r["target"])].append((float(r["alpha"]), float(r["target_score"])))
    return dict(sweeps)
