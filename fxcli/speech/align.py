"""Phone timing from speech audio (16 kHz mono float32), with pocketsphinx (BSD, ships US-English models).

- Known transcript: forced alignment. Pass 1 aligns words (an FSG of the text, `set_align_text`), pass 2
  aligns their phones (`set_alignment`). Synthetic or unusual speech sometimes defeats pass 2; then each
  aligned word's dictionary phones share its span in proportion to their typical durations. Where pass 1
  stops early (pocketsphinx's model matches synthetic voices poorly), the rest of the text is aligned by
  a Viterbi search on the audio's loudness and zero-crossing rate ("energy-aligned").
- No transcript: phone recognition (pocketsphinx allphone search with its phone language model). Its
  phones are often wrong in detail but mostly right in class and timing; the jaw is gated by the audio
  energy downstream (the approach of Rhubarb Lip Sync), so mouth opening follows the sound either way.
Times are in seconds from the start of the audio; pocketsphinx works in 10 ms frames.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

FRAME = 0.01  # s per pocketsphinx frame
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*|\d")
_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@dataclass(frozen=True)
class TimedPhone:
    phone: str  # ARPAbet without stress, or "sil"
    start: float
    end: float


@dataclass
class PhoneTiming:
    phones: list[TimedPhone]
    method: str  # "aligned-phones", "aligned-words", "nominal", "recognised", "silence"


def _model_dir():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("pocketsphinx")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


@functools.lru_cache(maxsize=1)
def _aligner():
    from pocketsphinx import Decoder

    # wide beams: alignment must reach the end of the text even where the acoustic match is poor
    return Decoder(lm=None, loglevel="FATAL", beam=1e-100, pbeam=1e-100, wbeam=1e-80)


@functools.lru_cache(maxsize=1)
def _recogniser():
    from pocketsphinx import Decoder

    return Decoder(allphone=str(_model_dir() / "en-us-phone.lm.bin"), lm=None, loglevel="FATAL", lw=2.0,
                   beam=1e-20, pbeam=1e-20)


def _pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1, 1) * 32767).round().astype("<i2").tobytes()


def transcript_words(text: str) -> list[str]:
    words = []
    for tok in _WORD.findall(text):
        words.append(_DIGITS[int(tok)] if tok.isdigit() else tok.lower())
    return words


def _ensure_words(decoder, words: list[str]) -> None:
    from fxcli.speech.phones import word_phones

    for w in set(words):
        if decoder.lookup_word(w) is None:
            phones = word_phones(w)
            if phones:
                decoder.add_word(w, " ".join(phones), True)


def _decode(decoder, pcm: bytes) -> None:
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()


def _split_word(word: str, start: float, end: float) -> list[TimedPhone]:
    from fxcli.speech.phones import DURATION, word_phones

    phones = word_phones(word)
    if not phones:
        return []
    d = np.array([DURATION.get(p, 0.07) for p in phones])
    edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(d) / d.sum()])
    return [TimedPhone(p, float(a), float(b)) for p, a, b in zip(phones, edges[:-1], edges[1:], strict=False)]


def _clean(name: str) -> str:
    name = re.sub(r"\d", "", name.upper())
    return "sil" if name in ("SIL", "<SIL>", "+NSN+", "+SPN+", "[NOISE]", "<S>", "</S>") or name.startswith("+") else name


def align_transcript(samples: np.ndarray, rate: int, text: str) -> PhoneTiming:
    """Phones of `text` timed on the audio (see the module docstring for the fallbacks)."""
    words = transcript_words(text)
    if not words:
        return recognise_phones(samples, rate)
    pcm = _pcm16(samples)
    dec = _aligner()
    _ensure_words(dec, words)
    try:
        dec.set_align_text(" ".join(words))
        _decode(dec, pcm)
        segs = [s for s in (dec.seg() or []) if s.word not in ("<s>", "</s>")] if dec.hyp() is not None else []
    except RuntimeError:
        segs = []
    said = [re.sub(r"\(\d+\)$", "", s.word) for s in segs if not s.word.startswith(("<", "[", "+"))]
    if said and said == words:
        try:
            dec.set_alignment()
            _decode(dec, pcm)
            phones = [TimedPhone(_clean(p.name), p.start * FRAME, (p.start + p.duration) * FRAME)
                      for w in dec.get_alignment() for p in w]
            if phones:
                return PhoneTiming(phones, "aligned-phones")
        except RuntimeError:
            pass
    # pocketsphinx returns its best partial path when the whole text does not fit: keep the words that
    # were aligned in order, and stretch the rest of the text over the rest of the voice
    n_ok = 0
    while n_ok < min(len(said), len(words)) and said[n_ok] == words[n_ok]:
        n_ok += 1
    out: list[TimedPhone] = []
    end = 0.0
    k = 0
    for s in segs:
        if k >= n_ok:
            break
        a, b = s.start_frame * FRAME, (s.end_frame + 1) * FRAME
        word = re.sub(r"\(\d+\)$", "", s.word)
        if word.startswith(("<", "[", "+")):
            out.append(TimedPhone("sil", a, b))
            continue
        out += _split_word(word, a, b)
        end = b
        k += 1
    if n_ok == len(words):
        return PhoneTiming(out, "aligned-words")
    rest = energy_align(samples, rate, " ".join(words[n_ok:]), after=end)
    return PhoneTiming(out + rest.phones, "aligned-words" if n_ok else rest.method)


_VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
_SONORANT = {"L", "R", "W", "Y", "M", "N", "NG"}
_STOP = {"P", "B", "T", "D", "K", "G"}
# expected (loudness, zero-crossing rate) of each phone class, and their spreads
_CLASS_TARGET = {"vowel": (0.92, 0.1), "sonorant": (0.72, 0.1), "stop": (0.35, 0.35), "fricative": (0.55, 0.75),
                 "sil": (0.0, 0.3)}
_SPREAD = (0.2, 0.35)


def _phone_class(phone: str) -> str:
    if phone == "sil":
        return "sil"
    if phone in _VOWELS:
        return "vowel"
    if phone in _SONORANT:
        return "sonorant"
    if phone in _STOP:
        return "stop"
    return "fricative"


def _features(samples: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Loudness (0..1) and zero-crossing rate (0..1, relative to the clip) per FRAME."""
    from fxcli.audio.envelope import energy_envelope

    e = energy_envelope(samples, rate, FRAME).astype(np.float64)
    hop = int(round(FRAME * rate))
    sign = np.signbit(samples).astype(np.int8)
    crossings = np.abs(np.diff(sign, prepend=sign[:1]))
    n = len(e)
    padded = np.zeros(n * hop)
    padded[: min(len(crossings), n * hop)] = crossings[: n * hop]
    zcr = padded.reshape(n, hop).mean(1)
    loud = zcr[e > 0.3]
    top = np.percentile(loud, 95) if len(loud) else max(float(zcr.max()), 1e-9)
    return e, np.clip(zcr / max(top, 1e-9), 0, 1)


def energy_align(samples: np.ndarray, rate: int, text: str, after: float = 0.0) -> PhoneTiming:
    """The text's phones aligned to the audio (after `after` s) by a Viterbi search on loudness and
    zero-crossing rate: vowels sit on loud voiced frames, stops on dips, fricatives on noisy frames, pauses on
    silence; each phone lasts at least 2 frames and about its typical duration (fxcli.speech.phones)."""
    from fxcli.speech.phones import text_to_phones

    spans = text_to_phones(text)
    k0 = int(round(after / FRAME))
    e, z = _features(samples, rate)
    e, z = e[k0:], z[k0:]
    if not spans or not len(e) or e.max() <= 0:
        return PhoneTiming([], "silence")
    phones = ["sil"] + [s.phone for s in spans] + ["sil"]
    nominal = np.array([0.2] + [s.end - s.start for s in spans] + [0.2]) / FRAME  # frames
    # stretch the typical durations to the voiced span, so that the duration prior fits this speaker's rate
    voiced = np.flatnonzero(e > 0.25)
    speech_frames = (voiced[-1] - voiced[0] + 1) if len(voiced) else len(e)
    nominal[1:-1] *= speech_frames / max(nominal[1:-1].sum(), 1.0)
    n_states = len(phones)
    t_e = np.array([_CLASS_TARGET[_phone_class(p)][0] for p in phones])
    t_z = np.array([_CLASS_TARGET[_phone_class(p)][1] for p in phones])
    emit = (-((e[:, None] - t_e[None]) ** 2) / (2 * _SPREAD[0] ** 2)
            - ((z[:, None] - t_z[None]) ** 2) / (2 * _SPREAD[1] ** 2) * (e[:, None] > 0.15))  # (T, S)
    stay = np.log(1 - 1 / np.maximum(nominal, 2.0))
    move = np.log(1 / np.maximum(nominal, 2.0))
    # each phone is two states: an entry frame (A) that must go on to its body (B), which loops or moves on
    n = len(e)
    neg = -1e18
    a_score = np.full(n_states, neg)
    b_score = np.full(n_states, neg)
    a_score[0], a_score[1] = emit[0, 0], emit[0, 1]  # the leading pause may be skipped
    from_loop = np.zeros((n, n_states), bool)  # B came from B (else from A)
    for t in range(1, n):
        new_a = np.full(n_states, neg)
        new_a[1:] = b_score[:-1] + move[:-1]
        loop = b_score + stay
        from_loop[t] = loop > a_score
        b_score = np.maximum(loop, a_score) + emit[t]
        a_score = new_a + emit[t]
    state = n_states - 1 if b_score[-1] >= b_score[-2] else n_states - 2  # the trailing pause may be skipped
    path = np.empty(n, np.int64)
    in_b = True
    for t in range(n - 1, -1, -1):
        path[t] = state
        if in_b:
            in_b = bool(from_loop[t, state])
        else:  # an entry frame: the previous frame was the previous phone's body
            state -= 1
            in_b = True
    out = []
    for s in range(n_states):
        idx = np.flatnonzero(path == s)
        if len(idx):
            out.append(TimedPhone(phones[s], float((k0 + idx[0]) * FRAME), float((k0 + idx[-1] + 1) * FRAME)))
    return PhoneTiming(out, "energy-aligned")


def recognise_phones(samples: np.ndarray, rate: int) -> PhoneTiming:
    """Phones recognised from the audio alone (pocketsphinx allphone)."""
    dec = _recogniser()
    try:
        _decode(dec, _pcm16(samples))
        segs = list(dec.seg() or [])
    except RuntimeError:
        segs = []
    phones = [TimedPhone(_clean(s.word), s.start_frame * FRAME, (s.end_frame + 1) * FRAME) for s in segs]
    return PhoneTiming(phones, "recognised")
