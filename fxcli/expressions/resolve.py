"""Name resolution for every `--expression` option: exact name, synonym, or free text.

Free text ("a bitter half-smile") is embedded with the shipped MiniLM encoder and compared with the
precomputed embeddings of every entry's name and synonyms (cosine similarity; an entry scores the
best of its names). Below MIN_SCORE the input is refused with the nearest names as suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fxcli.errors import UsageError

MIN_SCORE = 0.5  # cosine below which free text is "unknown" rather than a weak match
MIX_TEMPERATURE = 0.04  # softmax temperature turning the top scores into mixture weights
MAX_QUERY_CHARS = 200


@dataclass
class Resolution:
    query: str
    how: str  # "exact", "synonym" or "semantic"
    matches: list[tuple[str, float]]  # (entry name, score), best first

    def mixture(self, top: int = 3, floor: float = 0.1) -> list[tuple[str, float]]:
        """Entry weights summing to 1: the exact entry alone, or a softmax over the top semantic scores."""
        if self.how != "semantic":
            return [(self.matches[0][0], 1.0)]
        names = [n for n, _ in self.matches[:top]]
        scores = np.array([s for _, s in self.matches[:top]])
        w = np.exp((scores - scores.max()) / MIX_TEMPERATURE)
        w /= w.sum()
        keep = [(n, float(x)) for n, x in zip(names, w, strict=False) if x >= floor]
        total = sum(x for _, x in keep)
        return [(n, round(x / total, 4)) for n, x in keep]


def semantic_scores(text: str, encoder_path: str | None = None) -> list[tuple[str, float]]:
    """Every library entry with its best cosine similarity to `text`, best first."""
    from fxcli.expressions.embeddings import load_embeddings
    from fxcli.text.minilm_lean import load_lean_minilm

    emb = load_embeddings()
    rows = emb.rows_of("name")
    query = load_lean_minilm(encoder_path).embed([text])[0]
    sims = emb.matrix[rows] @ query
    best: dict[str, float] = {}
    for r, s in zip(rows, sims, strict=False):
        label = emb.labels[r]
        if s > best.get(label, -2.0):
            best[label] = float(s)
    return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))


def resolve_expression(query: str, *, top: int = 5, encoder_path: str | None = None) -> Resolution:
    """Resolve a name, synonym or description; UsageError (with the nearest names) when nothing fits."""
    from fxcli.expressions.library import load_library, normalise

    lib = load_library()
    key = normalise(query)
    if not key:
        raise UsageError("empty expression name", hint="see `fxe expressions` for the names")
    if len(key) > MAX_QUERY_CHARS:
        raise UsageError(f"expression description too long ({len(key)} characters, at most {MAX_QUERY_CHARS})")
    if key in lib.by_name:
        return Resolution(query, "exact", [(key, 1.0)])
    if key in lib.synonyms:
        return Resolution(query, "synonym", [(lib.synonyms[key], 1.0)])
    scores = semantic_scores(key, encoder_path)
    if scores[0][1] < MIN_SCORE:
        near = ", ".join(f"{n} ({s:.2f})" for n, s in scores[:3])
        raise UsageError(f"unknown expression {query!r}",
                         hint=f"nearest: {near}; see `fxe expressions` for all names")
    return Resolution(query, "semantic", [(n, round(s, 4)) for n, s in scores[:top]])
