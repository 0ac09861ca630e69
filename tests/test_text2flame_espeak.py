"""Speech in any language espeak-ng speaks: phones and timing from espeak-ng, lips that move, jaw peaks on
the vowels espeak-ng reports, the neutral fallback for languages the emotion model does not read."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from fxcli.tracks.channels import ARKIT52
from fxcli.tracks.track_io import parse_tracks
from tests.conftest import assert_one_error_line

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
JAW = ARKIT52.index("jawOpen")
TEXTS = {  # one sentence each; zh is CJK, ar right-to-left
    "fr": "Je suis très content de te voir aujourd'hui.",
    "es": "Mi mamá me mima mucho todos los días.",
    "de": "Ich habe heute keine Zeit für dich.",
    "zh": "我今天很高兴见到你。",
    "ja": "今日はとても嬉しいです。",
    "ar": "أنا سعيد جدا برؤيتك اليوم",
}


def test_ipa_classes():
    from fxcli.speech.espeak import ipa_class

    assert [ipa_class(p) for p in ("a", "ˈa", "ɛ", "i", "o", "u", "m", "f", "θ", "tʃ", "k", "ʁ")] == [
        "AA", "AA", "AH", "IY", "AO", "UW", "P", "F", "TH", "SH", "K", "K"]
    assert ipa_class("ˈ") is None


def test_espeak_phones_are_contiguous_and_deterministic():
    from fxcli.speech.espeak import espeak_phones

    for lang, text in TEXTS.items():
        spans = espeak_phones(text, lang)
        assert len(spans) > 8, lang
        assert all(a.end == pytest.approx(b.start) for a, b in zip(spans, spans[1:], strict=False)), lang
        assert sum(s.phone in ("AA", "AH", "IY", "AO", "UW") for s in spans) >= 4, lang
        assert all(0 <= s.char < len(text) for s in spans)
        assert espeak_phones(text, lang) == spans
    # Japanese kanji get a mora each, not the English words "Chinese letter"
    ja = espeak_phones(TEXTS["ja"], "ja")
    assert 0.8 < ja[-1].end < 2.5


@pytest.fixture(scope="module")
def backend():
    from fxcli.backends.text2flame_embedded import EmbeddedText2Flame

    return EmbeddedText2Flame(None)


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_lips_move_for_a_fitting_duration(backend, lang):
    from fxcli.backends.text2flame_embedded import LEAD_IN, TAIL
    from fxcli.speech.espeak import espeak_phones

    (track,) = backend.generate([TEXTS[lang]], seed=1, fps=50, lang=lang)
    jaw = track.frames[:, JAW]
    assert jaw.max() > 0.25 and jaw.std() > 0.05, lang
    spoken = espeak_phones(TEXTS[lang], lang)[-1].end / track.meta["speech"]["rate"]
    assert track.n_frames / 50 == pytest.approx(LEAD_IN + spoken + TAIL, abs=0.05)
    assert 0.8 < spoken < 5.0  # a sentence, not one second for everything
    assert track.meta["speech"] == {"lang": lang, "phones": "espeak-ng", "rate": track.meta["speech"]["rate"],
                                    "lead_in": LEAD_IN}
    assert track.meta["emotion"]["dominant"] == "neutral" and "English only" in track.meta["emotion"]["note"]


def test_jaw_peaks_line_up_with_the_vowels_espeak_reports(backend):
    from fxcli.backends.text2flame_embedded import LEAD_IN
    from fxcli.speech.espeak import VOWEL_PHONES, espeak_phones

    text = "Mi mamá me mima mucho."  # m between all vowels: one jaw peak per vowel
    fps = 200
    (track,) = backend.generate([text], seed=0, fps=fps, lang="es", expression="neutral")
    rate = track.meta["speech"]["rate"]
    vowels = [(LEAD_IN + s.start / rate, LEAD_IN + s.end / rate) for s in espeak_phones(text, "es")
              if s.phone in VOWEL_PHONES]
    jaw = track.frames[:, JAW].astype(float)
    peaks = [i / fps for i in range(1, len(jaw) - 1) if jaw[i] > jaw[i - 1] and jaw[i] >= jaw[i + 1] and jaw[i] > 0.05]
    assert len(peaks) == len(vowels) == 8
    for (a, b), t in zip(vowels, peaks, strict=True):
        assert a - 0.02 <= t <= b + 0.02, (a, b, t)
    # and between vowels the jaw closes again for /m/
    for p, q in zip(peaks, peaks[1:], strict=False):
        between = jaw[int(round(p * fps)) : int(round(q * fps)) + 1]
        assert between.min() < 0.95 * min(between[0], between[-1])


def test_cli_lang_warns_once_and_refuses_unknown_languages(fxe, tmp_path):
    import json

    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"text": t}) + "\n" for t in ("Bonjour.", "Merci beaucoup.", "Au revoir.")))
    r = fxe("text2flame", "--jobs", str(jobs), "--lang", "fr", "-q")
    assert r.code == 0, r.stderr
    assert r.stderr.count("English only") == 1 and len(parse_tracks(r.stdout)) == 3
    assert_one_error_line(fxe("text2flame", "Hallo.", "--lang", "xx-nope"), 2, "--lang")
    r = fxe("text2flame", "I am so happy!")
    assert r.code == 0 and r.stderr == ""
    (t,) = parse_tracks(r.stdout)
    assert t.meta["speech"]["phones"] == "cmudict" and t.meta["emotion"]["dominant"] == "happy"
    assert np.isfinite(t.frames).all()
