"""Emoji and emoticons as emotion cues: `fxcli/assets/emoji/emoji_emotion.json` (source in its README).

Each emoji (matched by its base code point, so a variation selector does not matter) and each emoticon
(`:)`, `:'(`, `>:(`, `D:` ...; matched as a whole token, not inside words or numbers) votes for one
basic family of the expression library.
"""

from __future__ import annotations

import functools
import json
import re

import numpy as np

from fxcli.assets import asset_path
from fxcli.expressions.library import BASIC_LABELS

EMOJI_FILE = asset_path("emoji", "emoji_emotion.json")


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], re.Pattern]:
    doc = json.loads(EMOJI_FILE.read_text(encoding="utf-8"))
    emoji = {e["char"]: e["family"] for e in doc["emoji"]}
    emoticons = {e["text"]: e["family"] for e in doc["emoticons"]}
    alternatives = "|".join(re.escape(t) for t in sorted(emoticons, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w:;=<>^'-])(?:{alternatives})(?![\w)(\[\]])")
    return emoji, emoticons, pattern


def emoticon_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, family) of each emoticon in `text`."""
    _, emoticons, pattern = _tables()
    return [(m.start(), m.end(), emoticons[m.group()]) for m in pattern.finditer(text)]


def emoji_votes(text: str) -> np.ndarray:
    """Votes (7,) over BASIC_LABELS: one per emoji or emoticon in `text`."""
    emoji, _, _ = _tables()
    votes = np.zeros(len(BASIC_LABELS))
    for ch in text:
        family = emoji.get(ch)
        if family is not None:
            votes[BASIC_LABELS.index(family)] += 1.0
    for _, _, family in emoticon_spans(text):
        votes[BASIC_LABELS.index(family)] += 1.0
    return votes


def mask_emoticons(text: str) -> str:
    """`text` with emoticons blanked (same length), so their ':' or ')' is not read as punctuation."""
    out = list(text)
    for s, e, _ in emoticon_spans(text):
        out[s:e] = " " * (e - s)
    return "".join(out)


def strip_emoji(text: str) -> str:
    """`text` without its emoji and emoticons (an encoder reads them as unknown tokens)."""
    emoji, _, _ = _tables()
    masked = mask_emoticons(text)
    return " ".join("".join(ch for ch in masked if ch not in emoji and ch != "\ufe0f").split())
