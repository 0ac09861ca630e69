"""Formulas shared by several papers' metrics: Pearson correlation, harmonic mean, cosine, group consistency."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson correlation Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² Σ(y−ȳ)²); None when undefined (< 2 points or a constant)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if x.size != y.size:
        raise ValueError(f"pearson: {x.size} x values but {y.size} y values")
    if x.size < 2:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    den = np.sqrt((dx * dx).sum() * (dy * dy).sum())
    return None if den == 0 else float((dx * dy).sum() / den)


def harmonic_mean(a: float, b: float) -> float:
    """2ab / (a + b); 0 when a + b is 0 (both scores 0). Negative inputs are clipped to 0 first, since a
    negative cosine similarity means no identity preserved, not a negative score."""
    a, b = max(float(a), 0.0), max(float(b), 0.0)
    return 0.0 if a + b == 0 else 2 * a * b / (a + b)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def mean_pairwise_cosine(vectors: Sequence[np.ndarray]) -> float | None:
    """Mean cosine over all unordered pairs of a set (None for fewer than 2): the consistency of a set."""
    if len(vectors) < 2:
        return None
    v = np.asarray(vectors, np.float64)
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    sims = v @ v.T
    iu = np.triu_indices(len(v), k=1)
    return float(sims[iu].mean())


def group_consistency(groups: dict[str, list[np.ndarray]]) -> float | None:
    """Mean over groups (of ≥ 2 members) of each group's mean pairwise cosine; None when no such group."""
    vals = [c for c in (mean_pairwise_cosine(g) for g in groups.values()) if c is not None]
    return float(np.mean(vals)) if vals else None


def mean_or_none(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None
