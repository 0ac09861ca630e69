"""Name resolution for every `--expression` option: exact name, synonym, close spelling, or free text.

In that order: an exact library name; a synonym; a close spelling of a name or synonym (difflib ratio
>= SPELLING_CUTOFF, e.g. "angy" -> "angry", with "did you mean" on stderr); then free text. Free text ("a bitter half-smile") is embedded with the shipped MiniLM encoder and compared with the
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
SPELLING_CUTOFF = 0.8  # difflib ratio: one typo in a 4-letter word (0.89) passes, "half smile" variants do not

RESOLVED: dict[str, dict] = {}  # query -> {"how", "mixture"}: what this process resolved (recorded in provenance)


@dataclass
class Resolution:
    query: str
    how: str  # "exact", "synonym", "spelling" or "semantic"
    matches: list[tuple[str, float]]  # (entry name, score), best first

    def mixture(self, top: int = 3, floor: float = 0.1) -> list[tuple[str, float]]:
        """Entry weights summing to 1: the exact entry alone, or a softmax over the top semantic scores."""
        if self.how != "semantic":  # exact, synonym, spelling: one entry
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
    """Resolve a name, synonym, close spelling or description; UsageError (with the nearest names) when nothing fits.

    With -v the resolved mixture is printed on stderr; every resolution is kept in RESOLVED for provenance.
    """
    from fxcli.io.inputs import check_utf8_argument

    if (query, top, encoder_path) in _CACHE:
        return _CACHE[(query, top, encoder_path)]
    check_utf8_argument(query, "expression")
    res = _resolve(query, top, encoder_path)
    mixture = res.mixture()
    RESOLVED[query] = {"how": res.how, "mixture": [[n, w] for n, w in mixture]}
    from fxcli.cli.console import console

    if res.how == "spelling":
        console.info(f"fxe: expression {query!r} read as {res.matches[0][0]!r} (did you mean {res.matches[0][0]!r}?)")
    console.debug(f"expression {query!r} ({res.how}): " + ", ".join(f"{n} {w:g}" for n, w in mixture))
    _CACHE[(query, top, encoder_path)] = res
    return res


_CACHE: dict[tuple, Resolution] = {}


def close_spelling(key: str, lib) -> str | None:
    """The library entry whose name or synonym is spelled closest to `key` (None when none is close)."""
    import difflib

    names = list(lib.by_name) + list(lib.synonyms)
    close = difflib.get_close_matches(key, names, n=1, cutoff=SPELLING_CUTOFF)
    if not close:
        return None
    return close[0] if close[0] in lib.by_name else lib.synonyms[close[0]]


def _resolve(query: str, top: int, encoder_path: str | None) -> Resolution:
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
    spelled = close_spelling(key, lib)
    if spelled is not None:
        return Resolution(query, "spelling", [(spelled, 1.0)])
    scores = semantic_scores(key, encoder_path)
    if scores[0][1] < MIN_SCORE:
        near = ", ".join(f"{n} ({s:.2f})" for n, s in scores[:3])
        raise UsageError(f"unknown expression {query!r}",
                         hint=f"nearest: {near}; see `fxe expressions` for all names")
    return Resolution(query, "semantic", [(n, round(s, 4)) for n, s in scores[:top]])
