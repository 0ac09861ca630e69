"""`fxe text2flame --model embedded`: text -> ARKit-52 expression track, procedurally, on any CPU.

Per text:
1. speech timing: English phones from the dictionary (fxcli.speech.phones) with per-phone jitter, any
   other language's phones and durations from espeak-ng (fxcli.speech.espeak, `lang`); a seeded
   speaking rate; visemes per phone class, smoothed between neighbours (coarticulation);
2. emotion arc: clause-by-clause emotion (fxcli.expressions.text_emotion: the learned classifier, for
   English) or the `--expression` override, each clause a seeded mixture of library entries of the
   clause's predicted family only; onset before the clause's speech, apex while it lasts, cross-fade to
   the next clause, offset to a lingering residual at the end;
3. blinks (a renewal process, ~15-20 per minute, more at clause boundaries), small head motion
   (slow drifts plus nods on some vowels) and the expressions' own head pose and gaze.
Everything random comes from one generator seeded by (seed, text): the same seed gives the same bytes,
another seed another plausible performance of the same text (CTEG's one-to-many mapping).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

import numpy as np

from fxcli.contracts import MAX_ALPHA  # noqa: F401  (re-exported: the range text2flame accepts)
from fxcli.errors import InvalidInputError, UsageError
from fxcli.speech.phones import PhoneSpan
from fxcli.tracks.channels import ARKIT52
from fxcli.tracks.track import Track

MAX_TEXT_CHARS = 10_000  # ~10 minutes of speech; longer texts are refused, not silently cut
MAX_FPS = 240.0
INTERNAL_RATE = 100.0  # Hz: phones as short as 50 ms are resolved before sampling at --fps
LEAD_IN = 0.3  # seconds of rest before speech
TAIL = 0.7  # seconds after speech for the expression's offset
RESIDUAL = 0.35  # the share of the last expression that lingers at the end
_I = {n: i for i, n in enumerate(ARKIT52)}
_BLINK = [_I["eyeBlinkLeft"], _I["eyeBlinkRight"]]
_LIP_SEAL = [_I[n] for n in ("mouthPressLeft", "mouthPressRight", "mouthRollLower", "mouthRollUpper", "mouthClose")]


def check_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError("text is empty", hint="give a sentence as the argument or on stdin")
    from fxcli.io.inputs import check_utf8_argument

    check_utf8_argument(text)
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInputError(f"text too long ({len(text):,} characters, at most {MAX_TEXT_CHARS:,})",
                                hint="split it into sentences and use --jobs")
    return text


def is_english(lang: str) -> bool:
    return lang.lower().split("-")[0].split("_")[0] == "en"


def uncovered_note(lang: str) -> str:
    return (f"the emotion model reads English only: {lang!r} text is spoken with a neutral face "
            "(emoji still count); use --expression to set one")


@dataclass
class Segment:
    start: float  # seconds
    end: float
    text: str
    family: str
    intensity: float
    mixture: list[tuple[str, float]]  # sampled for this track
    probs: np.ndarray  # (7,) basic-class probabilities (from the text, or the named expression's classes)
    weights: np.ndarray  # (52,) target at apex
    head: np.ndarray  # (3,) head rotation at apex
    categories: list[tuple[str, float]] = field(default_factory=list)  # GoEmotions categories (text only)


def _smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing along axis 0 (sigma in samples), edges held."""
    if sigma <= 0:
        return x
    r = max(1, int(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k /= k.sum()
    pad = np.concatenate([np.repeat(x[:1], r, 0), x, np.repeat(x[-1:], r, 0)])
    if x.shape[1] > len(k):  # many channels, a short kernel: all channels at once, tap by tap
        out = k[0] * pad[: len(x)]
        for j in range(1, len(k)):
            out += k[j] * pad[j : j + len(x)]
        return out
    out = np.empty_like(x)
    for c in range(x.shape[1]):
        out[:, c] = np.convolve(pad[:, c], k, mode="valid")
    return out


def _interp_columns(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """np.interp(x, xp, fp[:, c]) for every column c at once (xp increasing; ends held)."""
    xp = np.asarray(xp, float)
    j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, len(xp) - 2)
    x0, x1 = xp[j], xp[j + 1]
    w = np.clip((x - x0) / np.where(x1 > x0, x1 - x0, 1.0), 0.0, 1.0)[:, None]
    return fp[j] * (1.0 - w) + fp[j + 1] * w


class EmbeddedText2Flame:
    """Procedural text -> arkit52 track (see the module docstring). Loads the encoder once, on first use."""

    name = "embedded"

    def __init__(self, arg: str | None = None, *, device: str = "auto", dtype: str = "auto"):
        if arg:
            raise UsageError(f"the embedded model takes no argument (got 'embedded:{arg}')")
        self._expression_cache: dict[str, list[tuple[str, float]]] = {}
        self.on_notice = None  # callable(str): told once per language the emotion model does not cover
        self._noticed: set[str] = set()

    # ---------------------------------------------------------------- emotion
    def _resolve(self, expression: str) -> list[tuple[str, float]]:
        if expression not in self._expression_cache:
            from fxcli.expressions.resolve import resolve_expression

            self._expression_cache[expression] = resolve_expression(expression).mixture()
        return self._expression_cache[expression]

    def _segments(self, text: str, words_at: dict[int, tuple[float, float]], speech_end: float,
                  rng: np.random.Generator, expression: str | None, alpha: float,
                  lang: str = "en") -> list[Segment]:
        from fxcli.expressions.library import BASIC_LABELS, load_library

        lib = load_library()
        if expression is not None:
            mix = self._resolve(expression)
            names = [n for n, _ in mix]
            w = np.array([x for _, x in mix])
            plans = [(0, len(text), text.strip(), None, alpha, names, w, 60.0)]
        else:
            from fxcli.expressions.text_emotion import analyse_text

            plans = []
            for c in analyse_text(text, lang=lang):
                names = [n for n, _ in c.candidates]
                w = np.array([x for _, x in c.candidates])
                plans.append((c.start, c.end, c.text, c, c.intensity * alpha, names, w, 25.0))
        segments = []
        for start_char, end_char, seg_text, clause, intensity, names, w, concentration in plans:
            times = [t for ch, t in words_at.items() if start_char <= ch < end_char]
            t0 = min(t[0] for t in times) if times else 0.0
            t1 = max(t[1] for t in times) if times else speech_end
            # seeded one-to-many: re-weigh the candidate entries around their resolved weights
            sampled = rng.dirichlet(concentration * w / w.sum() + 0.05)
            order = np.argsort(-sampled, kind="stable")[:3]
            keep = [(names[k], float(sampled[k])) for k in order if sampled[k] >= 0.08] or [(names[order[0]], 1.0)]
            total = sum(x for _, x in keep)
            mixture = [(n, round(x / total, 4)) for n, x in keep]
            gain = intensity * rng.uniform(0.85, 1.15)
            weights = sum(x * lib.by_name[n].weights for n, x in mixture) * gain
            weights = weights * rng.normal(1.0, 0.08, len(ARKIT52))  # per-channel idiosyncrasy
            head = sum(x * lib.by_name[n].head for n, x in mixture) * gain
            if clause is not None:
                probs = clause.probs
            else:
                probs = np.zeros(len(BASIC_LABELS))
                for n, x in zip(names, w, strict=False):
                    probs[BASIC_LABELS.index(lib.by_name[n].basic)] += x
            family = BASIC_LABELS[int(np.argmax(probs))]
            segments.append(Segment(t0, t1, seg_text, family, round(float(gain), 4), mixture, probs,
                                    np.clip(weights, 0, 1).astype(np.float32), head.astype(np.float32),
                                    clause.categories if clause is not None else []))
        return segments

    # ---------------------------------------------------------------- one track
    def _one(self, text: str, seed: int, fps: float, max_frames: int | None, expression: str | None,
             alpha: float, lang: str = "en") -> Track:
        from fxcli.provenance import make_meta
        from fxcli.speech.visemes import viseme_vector

        rng = np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(text.encode("utf-8"))])
        rate = rng.uniform(0.9, 1.12)
        if is_english(lang):
            from fxcli.speech.phones import text_to_phones

            phones = text_to_phones(text, rate=rate, jitter=lambda n: rng.uniform(0.85, 1.15, n))
            speech_source = "cmudict"
        else:
            from fxcli.speech.espeak import espeak_phones

            phones = [PhoneSpan(p.phone, p.start / rate, p.end / rate, p.char) for p in espeak_phones(text, lang)]
            speech_source = "espeak-ng"
        speech_end = phones[-1].end if phones else 0.0
        duration = LEAD_IN + speech_end + TAIL
        n_int = int(math.ceil(duration * INTERNAL_RATE)) + 1
        t_int = np.arange(n_int) / INTERNAL_RATE  # internal time grid (s)

        # speech: viseme targets at phone centres, linear in between, rest outside speech
        words_at: dict[int, tuple[float, float]] = {}
        centres = [0.0, LEAD_IN - 0.05]
        targets = [viseme_vector("sil"), viseme_vector("sil")]
        for p in phones:
            if p.phone != "sil":
                a, b = words_at.get(p.char, (p.start + LEAD_IN, p.end + LEAD_IN))
                words_at[p.char] = (min(a, p.start + LEAD_IN), max(b, p.end + LEAD_IN))
            centres.append(LEAD_IN + 0.5 * (p.start + p.end))
            targets.append(viseme_vector(p.phone) * rng.uniform(0.85, 1.1))
        centres += [LEAD_IN + speech_end + 0.05, duration + 1.0]
        targets += [viseme_vector("sil"), viseme_vector("sil")]
        target_arr = np.stack(targets)  # (P, 52)
        speech = _interp_columns(t_int, centres, target_arr)
        speech = _smooth(speech, 0.025 * INTERNAL_RATE)  # coarticulation

        # emotion arc: clause activations, cross-faded; onset leads speech slightly
        segs = self._segments(text, words_at, LEAD_IN + speech_end, rng, expression, alpha, lang)
        act = np.zeros((n_int, len(segs)))
        bounds = [max(0.0, segs[0].start - rng.uniform(0.1, 0.35))]
        bounds += [0.5 * (segs[i].end + segs[i + 1].start) for i in range(len(segs) - 1)]
        bounds += [LEAD_IN + speech_end + rng.uniform(0.0, 0.2)]
        for i in range(len(segs)):
            act[(t_int >= bounds[i]) & (t_int < bounds[i + 1]), i] = 1.0
        act[t_int >= bounds[-1], -1] = RESIDUAL
        onset = rng.uniform(0.12, 0.22)  # seconds: sigma of the onset/offset ramps
        act = _smooth(act, onset * INTERNAL_RATE)
        wobble = _smooth(rng.normal(size=(n_int, 1)), 0.4 * INTERNAL_RATE)
        act = act * (1.0 + 0.05 * wobble / max(float(wobble.std()), 1e-9))  # a living apex, not a plateau
        emo_w = act @ np.stack([s.weights for s in segs])  # (n, 52)
        emo_head = act @ np.stack([s.head for s in segs])  # (n, 3)

        # lips must part for speech: the expression's seal yields to the jaw
        opening = np.clip(2.0 * speech[:, _I["jawOpen"]], 0, 1)[:, None]
        emo_w[:, _LIP_SEAL] *= 1.0 - opening
        frames = emo_w + speech

        # blinks: gamma renewal (~17/min), plus one likely at clause boundaries
        times = []
        t = rng.uniform(0.3, 2.5)
        while t < duration - 0.2:
            times.append(t)
            t += rng.gamma(4.0, 3.5 / 4.0)
        times += [b + rng.uniform(0.0, 0.15) for b in bounds[1:-1] if rng.random() < 0.5]
        blink = np.zeros(n_int)
        for t0 in times:
            close, hold, open_ = rng.uniform(0.06, 0.1), rng.uniform(0.02, 0.05), rng.uniform(0.12, 0.2)
            x = t_int - t0
            shape = np.where(x < 0, 0, np.where(x < close, x / close, np.where(
                x < close + hold, 1.0, np.clip(1.0 - (x - close - hold) / open_, 0, 1))))
            blink = np.maximum(blink, shape)
        for c in _BLINK:
            frames[:, c] = frames[:, c] + (1.0 - frames[:, c]) * blink

        # head: expression pose, slow drift, nods on some vowels
        drift = np.zeros((n_int, 3))
        for axis, amp in enumerate((0.02, 0.025, 0.012)):
            for _ in range(3):
                f, ph = rng.uniform(0.08, 0.6), rng.uniform(0, 2 * np.pi)
                drift[:, axis] += amp / 3 * np.sin(2 * np.pi * f * t_int + ph)
        for p in phones:
            if p.phone in ("AA", "AE", "AO", "AW", "AY", "EY", "OW", "IY", "UW") and rng.random() < 0.25:
                c = LEAD_IN + 0.5 * (p.start + p.end)
                drift[:, 0] += rng.uniform(0.015, 0.04) * np.exp(-0.5 * ((t_int - c) / 0.12) ** 2)
        pose = emo_head + drift

        # sample at --fps
        n_frames = max(1, int(round(duration * fps)))
        if max_frames is not None:
            n_frames = min(n_frames, max_frames)
        t_out = np.arange(n_frames) / fps
        out = _interp_columns(t_out, t_int, frames)
        out_pose = _interp_columns(t_out, t_int, pose)
        out = np.clip(out, 0.0, 1.0)

        emotion = self._emotion_meta(segs)
        if expression is None:
            from fxcli.text.emotion_model import load_emotion_model

            if is_english(lang):
                emotion["model"] = {"name": "text-emotion", **{k: load_emotion_model().meta.get(k) for k in
                                                               ("corpora", "seed", "encoder")}}
            else:
                emotion["model"] = None
                emotion["note"] = uncovered_note(lang)
        meta = make_meta("text2flame", model="embedded", seed=seed,
                         params={"fps": fps, "max_frames": max_frames, "expression": expression, "alpha": alpha,
                                 "lang": lang},
                         backend="embedded", emotion=emotion,
                         speech={"lang": lang, "phones": speech_source, "rate": round(float(rate), 6),
                                 "lead_in": LEAD_IN})
        return Track(space="arkit52", channels=list(ARKIT52), fps=float(fps), frames=out.astype(np.float32),
                     pose=out_pose.astype(np.float32), text=text, meta=meta)

    @staticmethod
    def _emotion_meta(segs: list[Segment]) -> dict:
        from fxcli.expressions.library import BASIC_LABELS

        total: dict[str, float] = {}
        family = np.zeros(len(BASIC_LABELS))
        face = np.zeros(len(BASIC_LABELS))  # how long each family drives the face
        for s in segs:
            span = max(s.end - s.start, 0.05)
            family += span * s.probs
            face[BASIC_LABELS.index(s.family)] += span
            for n, w in s.mixture:
                total[n] = total.get(n, 0.0) + w * span
        norm = sum(total.values())
        ranked = sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
        # the dominant family is the face's: ties (and only ties) are broken by the probabilities
        dominant = BASIC_LABELS[int(np.argmax(face + 1e-6 * family))]
        return {
            "names": [n for n, _ in ranked],
            "weights": [round(float(w / norm), 4) for _, w in ranked],
            "dominant": dominant,
            "family_probs": {c: round(float(p), 4) for c, p in zip(BASIC_LABELS, family / family.sum(), strict=False)},
            "segments": [{"text": s.text, "start": round(float(s.start), 3), "end": round(float(s.end), 3), "family": s.family,
                          "intensity": s.intensity, "mixture": [[n, w] for n, w in s.mixture],
                          **({"categories": [[n, w] for n, w in s.categories]} if s.categories else {})}
                         for s in segs],
        }

    # ---------------------------------------------------------------- API
    def generate(self, texts: list[str], *, seed: int, fps: float = 25.0, max_frames: int | None = None,
                 expression: str | None = None, alpha: float = 1.0, lang: str = "en") -> list[Track]:
        texts = [check_text(t) for t in texts]  # option ranges are checked once, by fxcli/cli/option_types.py
        if expression is not None:
            self._resolve(expression)  # an unknown name fails before any work
        if not is_english(lang):
            from fxcli.speech.espeak import check_language

            check_language(lang)  # an unknown language fails before any work
            if expression is None and lang not in self._noticed:
                self._noticed.add(lang)
                if self.on_notice is not None:
                    self.on_notice(uncovered_note(lang))
        out = []
        for i, t in enumerate(texts):
            if expression is None and is_english(lang):
                if len(texts) == 1:
                    self._prefetch(t)  # one job of a planned --jobs file
                elif i % PREFETCH == 0:  # many texts at once: encode them window by window
                    from fxcli.text.minilm_lean import load_lean_minilm

                    load_lean_minilm().prefetch([x for u in texts[i : i + PREFETCH] for x in encoder_inputs(u)])
            out.append(self._one(t, seed, fps, max_frames, expression, alpha, lang))
        return out

    # ---------------------------------------------------------------- --jobs: the encoder in batches
    def plan(self, texts: list[str]) -> None:
        """Announce the (English, inferred-emotion) texts that will come, in order (a --jobs file): when
        one of them is generated, the encoder inputs of it and the next PREFETCH planned texts are
        computed together (LeanMiniLM.prefetch), which costs about half the CPU time per text of one
        at a time; the next window is computed on a second thread meanwhile. Results equal the
        one-at-a-time ones bit for bit."""
        self._planned = list(texts)
        self._plan_at: dict[str, int] = {}
        for i, t in enumerate(self._planned):
            self._plan_at.setdefault(t, i)
        self._prefetched_to = 0

    def _prefetch(self, text: str) -> None:
        i = getattr(self, "_plan_at", {}).get(text)
        if i is None or i < self._prefetched_to:
            return
        from fxcli.text.minilm_lean import load_lean_minilm

        window = self._planned[i : i + PREFETCH]
        self._prefetched_to = i + PREFETCH
        encoder = load_lean_minilm()
        encoder.prefetch([x for t in window for x in encoder_inputs(t)])  # at once (or already on its way)
        following = self._planned[i + PREFETCH : i + 2 * PREFETCH]
        if following:  # the next window on a second core while these texts become tracks
            encoder.prefetch([x for t in following for x in encoder_inputs(t)], background=True)


PREFETCH = 256  # texts whose encoder inputs are computed together in --jobs


def encoder_inputs(text: str) -> list[str]:
    """The strings the emotion model's encoder reads for `text`: one per clause, negated emotion words
    and emoji left out, as fxcli.expressions.text_emotion.analyse_text makes them."""
    from fxcli.expressions.text_emotion import _lexicon, split_clauses
    from fxcli.text.emoji import strip_emoji

    return [strip_emoji(_lexicon(text[s:e].strip())[4]) or "." for s, e in split_clauses(text)]
