"""The expression library: named expressions with FACS AU recipes, loaded from `library.json`.

`fxcli/assets/expressions/library.json` holds every entry with its sources: Shaver's 135 emotion words
(Emo135), PixelSmile's 12, the basic emotions with neutral and contempt, and Du et al.'s 21 compound
expressions. Each entry names its Shaver family and cluster, its basic class (one of BASIC_LABELS,
the 7 classes of the FER judge) and its AU recipe; `au_arkit.py` turns recipes into ARKit-52 weights.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field

import numpy as np

from fxcli.assets import asset_path
from fxcli.expressions.au_arkit import au_recipe_to_arkit

LIBRARY_FILE = asset_path("expressions", "library.json")
BASIC_LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def normalise(text: str) -> str:
    """The form names are compared in: lower case, '-'/'_' as spaces, single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[_\-]+", " ", text.strip().lower()))


@dataclass(frozen=True)
class Expression:
    name: str
    family: str  # Shaver family (anger, fear, joy, love, sadness, surprise) or neutral/cognitive/state
    cluster: str
    basic: str  # one of BASIC_LABELS
    aus: dict[str, float]
    vocabularies: tuple[str, ...]
    synonyms: tuple[str, ...] = ()
    note: str | None = None
    weights: np.ndarray = field(default=None, repr=False, compare=False)  # (52,) ARKit weights
    head: np.ndarray = field(default=None, repr=False, compare=False)  # (3,) head rotation, radians

    def to_dict(self) -> dict:
        from fxcli.tracks.channels import ARKIT52

        out = {"name": self.name, "family": self.family, "cluster": self.cluster, "basic": self.basic,
               "vocabularies": list(self.vocabularies), "synonyms": list(self.synonyms), "aus": dict(self.aus),
               "arkit52": {n: round(float(w), 4) for n, w in zip(ARKIT52, self.weights, strict=False) if w > 0},
               "head_pose": [round(float(v), 4) for v in self.head]}
        if self.note:
            out["note"] = self.note
        return out


class Library:
    def __init__(self, entries: list[Expression], sources: dict[str, str]):
        self.entries = entries
        self.sources = sources
        self.by_name = {e.name: e for e in entries}
        self.names = [e.name for e in entries]
        self.weights = np.stack([e.weights for e in entries])  # (N, 52)
        self.heads = np.stack([e.head for e in entries])  # (N, 3)
        self.basic_index = np.array([BASIC_LABELS.index(e.basic) for e in entries])  # (N,)
        self.synonyms = {normalise(s): e.name for e in entries for s in e.synonyms}

    def __len__(self) -> int:
        return len(self.entries)

    def families(self) -> list[str]:
        return sorted({e.family for e in self.entries})

    def select(self, family: str | None) -> list[Expression]:
        """Entries whose Shaver family, basic class or vocabulary is `family` (all when None)."""
        if not family:
            return list(self.entries)
        f = family.lower()
        return [e for e in self.entries if f in (e.family, e.basic, *e.vocabularies)]


@functools.lru_cache(maxsize=1)
def load_library() -> Library:
    doc = json.loads(LIBRARY_FILE.read_text(encoding="utf-8"))
    entries = []
    for raw in doc["entries"]:
        weights, head = au_recipe_to_arkit(raw["aus"])
        entries.append(Expression(
            name=raw["name"], family=raw["family"], cluster=raw["cluster"], basic=raw["basic"],
            aus=dict(raw["aus"]), vocabularies=tuple(raw["vocabularies"]), synonyms=tuple(raw.get("synonyms", ())),
            note=raw.get("note"), weights=weights, head=head))
    return Library(entries, doc["sources"])
