"""Text -> timed ARPAbet phones.

Pronunciations come from the CMU dictionary that pocketsphinx ships (`model/en-us/cmudict-en-us.dict`,
no stress marks); words it lacks are spelled out by the small letter-to-sound rules below (digraphs
first, then single letters), so any text gets a plausible phone string. Durations are typical
conversational values per phone class (vowels ~90-140 ms, consonants ~50-90 ms) scaled by a speaking
rate; punctuation adds pauses.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
# seconds at rate 1.0
DURATION = {
    **{v: 0.085 for v in ("AH", "IH", "UH", "EH")},  # short (lax) vowels
    **{v: 0.115 for v in ("AA", "AE", "AO", "ER", "IY", "UW")},  # long vowels
    **{v: 0.14 for v in ("AW", "AY", "EY", "OW", "OY")},  # diphthongs
    **{c: 0.065 for c in ("P", "B", "T", "D", "K", "G")},
    **{c: 0.09 for c in ("CH", "JH")},
    **{c: 0.085 for c in ("F", "V", "TH", "DH", "S", "Z", "SH", "ZH")},
    "HH": 0.06, "M": 0.065, "N": 0.06, "NG": 0.07, "L": 0.06, "R": 0.06, "W": 0.055, "Y": 0.055,
}
PAUSE = {",": 0.18, ";": 0.25, ":": 0.25, ".": 0.35, "!": 0.35, "?": 0.35, "\n": 0.35}

# letter-to-sound fallback: longest match first
_DIGRAPHS = {
    "tch": ["CH"], "sch": ["S", "K"], "igh": ["AY"], "ough": ["AO"], "augh": ["AO"],
    "th": ["TH"], "sh": ["SH"], "ch": ["CH"], "ph": ["F"], "wh": ["W"], "ck": ["K"], "ng": ["NG"],
    "qu": ["K", "W"], "ee": ["IY"], "ea": ["IY"], "oo": ["UW"], "ou": ["AW"], "ow": ["OW"], "oi": ["OY"],
    "oy": ["OY"], "ai": ["EY"], "ay": ["EY"], "au": ["AO"], "aw": ["AO"], "ie": ["IY"], "ei": ["EY"],
    "ey": ["IY"], "ue": ["UW"], "ew": ["UW"], "oa": ["OW"], "kn": ["N"], "wr": ["R"], "gh": ["G"],
}
_LETTERS = {
    "a": ["AE"], "b": ["B"], "c": ["K"], "d": ["D"], "e": ["EH"], "f": ["F"], "g": ["G"], "h": ["HH"],
    "i": ["IH"], "j": ["JH"], "k": ["K"], "l": ["L"], "m": ["M"], "n": ["N"], "o": ["AA"], "p": ["P"],
    "q": ["K"], "r": ["R"], "s": ["S"], "t": ["T"], "u": ["AH"], "v": ["V"], "w": ["W"], "x": ["K", "S"],
    "y": ["Y"], "z": ["Z"],
}
_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*|\d|[,;:.!?\n]")


@dataclass(frozen=True)
class PhoneSpan:
    phone: str  # ARPAbet without stress, or "sil" for a pause
    start: float  # seconds
    end: float
    char: int  # offset in the text of the word (or punctuation) it belongs to


def dictionary_path() -> Path:
    spec = importlib.util.find_spec("pocketsphinx")  # finds the folder without importing the library
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("pocketsphinx is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "model" / "en-us" / "cmudict-en-us.dict"


@functools.lru_cache(maxsize=1)
def load_dictionary() -> dict[str, tuple[str, ...]]:
    """word -> phones (first pronunciation); empty when pocketsphinx's dictionary is missing."""
    try:
        text = dictionary_path().read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        word, _, phones = line.partition(" ")
        if "(" not in word and word not in out:
            out[word] = tuple(phones.split())
    return out


def letter_to_sound(word: str) -> list[str]:
    """A rough pronunciation for a word the dictionary lacks."""
    w = word.lower().replace("'", "")
    phones: list[str] = []
    i = 0
    while i < len(w):
        for size in (4, 3, 2):
            chunk = w[i : i + size]
            if len(chunk) == size and chunk in _DIGRAPHS:
                phones.extend(_DIGRAPHS[chunk])
                i += size
                break
        else:
            if w[i] == "e" and i == len(w) - 1 and phones:
                i += 1  # silent final e
                continue
            # 'y' after the first letter is a vowel ("happy", "myth")
            phones.extend(["IY"] if w[i] == "y" and i > 0 else _LETTERS.get(w[i], []))
            i += 1
    return phones


def word_phones(word: str) -> list[str]:
    lexicon = load_dictionary()
    key = word.lower()
    if key in lexicon:
        return list(lexicon[key])
    if key.isdigit():
        return list(lexicon.get(_DIGITS[int(key)], letter_to_sound(_DIGITS[int(key)])))
    return letter_to_sound(key)


def text_to_phones(text: str, rate: float = 1.0, jitter=None) -> list[PhoneSpan]:
    """Timed phones for `text` starting at 0 s; `rate` > 1 speaks faster; `jitter(n)` -> n duration factors."""
    spans: list[PhoneSpan] = []
    t = 0.0
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok in PAUSE:
            if spans and spans[-1].phone != "sil":
                spans.append(PhoneSpan("sil", t, t + PAUSE[tok] / rate, m.start()))
                t += PAUSE[tok] / rate
            continue
        phones = word_phones(tok)
        factors = jitter(len(phones)) if jitter is not None else [1.0] * len(phones)
        for ph, f in zip(phones, factors, strict=False):
            d = DURATION.get(ph, 0.07) * f / rate
            spans.append(PhoneSpan(ph, t, t + d, m.start()))
            t += d
    return spans
