"""The embedded talk backend: instruction parsing, phone timing, visemes gated by energy, the track."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.audio import load_audio
from fxcli.backends.talk_embedded import EmbeddedTalk
from fxcli.speech.align import align_transcript, recognise_phones
from fxcli.talk.instructions import parse_instruction, schedule
from fxcli.tracks.channels import ARKIT52
from tests.talk_audio_data import SENTENCE, espeak, lavfi

J = {n: i for i, n in enumerate(ARKIT52)}
OPEN_VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "EY", "OW"}


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    return load_audio(str(espeak(tmp_path_factory.mktemp("talk") / "s.wav")))


@pytest.fixture(scope="module")
def backend():
    return EmbeddedTalk()


def test_instruction_grammar():
    ins = parse_instruction("Talk happily, nod twice, then turn your head to the left while raising your eyebrows, "
                            "at the end close your eyes")
    assert ins.emotion_text == "talk happily"
    kinds = [(a.kind, a.count, a.side) for a in ins.actions]
    assert kinds == [("nod", 2, None), ("turn", 1, "left"), ("raise_brows", 1, None), ("close_eyes", 1, None)]
    acts = schedule(ins, 8.0)
    nod, turn, brows, eyes = acts
    assert nod.start == pytest.approx(0.3) and nod.duration == pytest.approx(1.1)
    assert turn.start >= nod.start + nod.duration  # "then"
    assert brows.start == turn.start  # "while"
    assert eyes.start + eyes.duration == pytest.approx(8.0 - 0.2)  # "at the end"
    assert parse_instruction("shake your head 3 times").actions[0].count == 3
    assert parse_instruction("look up").actions[0].side == "up"
    assert parse_instruction("with a slight smile").actions == []  # an emotion, not the smile motion
    assert parse_instruction("purple elephant").emotion_text == "purple elephant"


def test_forced_alignment_covers_the_transcript_in_order(speech):
    timing = align_transcript(speech.samples, speech.rate, SENTENCE)
    assert timing.method in ("aligned-phones", "aligned-words", "energy-aligned")
    phones = [p.phone for p in timing.phones if p.phone != "sil"]
    # every word of the sentence, in order: the phones start HH AH L OW (hello) and end with market's
    assert phones[:4] == ["HH", "AH", "L", "OW"] and phones[-3:] == ["K", "AH", "T"]
    starts = [p.start for p in timing.phones]
    assert starts == sorted(starts)
    assert timing.phones[-1].end <= speech.duration + 0.02
    voiced = [p for p in timing.phones if p.phone in OPEN_VOWELS]
    rec = recognise_phones(speech.samples, speech.rate)
    assert rec.method == "recognised" and len([p for p in rec.phones if p.phone != "sil"]) > 20
    assert len(voiced) >= 10


def test_jaw_opens_on_aligned_vowels_and_closes_on_bilabials_and_silence(speech, backend):
    track, notes = backend.generate(speech, transcript=SENTENCE, instruction=None, seed=0)
    assert notes == []
    jaw = track.column("jawOpen")
    fps = track.fps
    spans = {"vowel": [], "bilabial": [], "sil": []}
    for ph, a, b in track.meta["phones"]:
        key = "vowel" if ph in OPEN_VOWELS else "bilabial" if ph in ("P", "B", "M") else "sil" if ph == "sil" else None
        if key:
            spans[key].append((a, b))

    def mean_in(kind):
        idx = [i for a, b in spans[kind] for i in range(int(np.ceil(a * fps)), int(b * fps) + 1) if i < len(jaw)]
        return float(jaw[idx].mean())

    assert mean_in("vowel") > 2.5 * mean_in("bilabial")
    # the pause after "there." (long silences, trimmed by 60 ms of coarticulation at each side)
    pause = [i for a, b in spans["sil"] if b - a > 0.2 for i in range(int(np.ceil((a + 0.06) * fps)), int((b - 0.06) * fps))]
    assert pause and jaw[pause].max() < 0.05 < mean_in("vowel") / 5
    # the jaw's prominent peaks fall inside aligned open vowels (one frame of tolerance)
    peaks = [i for i in range(1, len(jaw) - 1) if jaw[i] >= jaw[i - 1] and jaw[i] > jaw[i + 1] and jaw[i] > 0.25]
    inside = [any(a - 1 / fps <= i / fps <= b + 1 / fps for a, b in spans["vowel"]) for i in peaks]
    assert len(peaks) >= 8 and np.mean(inside) >= 0.8


def test_track_length_determinism_and_audio_gate(speech, backend):
    a, _ = backend.generate(speech, transcript=None, instruction="speak happily", seed=3)
    b, _ = backend.generate(speech, transcript=None, instruction="speak happily", seed=3)
    c, _ = backend.generate(speech, transcript=None, instruction="speak happily", seed=4)
    assert a.n_frames == round(speech.duration * 25)
    assert np.array_equal(a.frames, b.frames) and np.array_equal(a.pose, b.pose)
    assert not np.array_equal(a.pose, c.pose)
    assert a.meta["timing"] == "recognised" and a.meta["emotion"]["family"] == "happy"
    assert a.column("mouthSmileLeft").mean() > 0.2


def test_silent_audio_keeps_the_mouth_at_rest_but_plays_motions(tmp_path, backend):
    silent = load_audio(str(lavfi(tmp_path / "s.wav", "anullsrc=r=16000:cl=mono", 4.0, 16000, 1)))
    track, notes = backend.generate(silent, transcript=None, instruction="nod twice, then close your eyes", seed=0)
    assert any("silent" in n for n in notes)
    assert track.column("jawOpen").max() < 1e-3
    pitch = track.pose[:, 0]
    assert pitch[: int(1.4 * 25)].max() > 0.12  # the nods
    assert track.column("eyeBlinkLeft")[-10:].min() > 0.95  # eyes closed to the end


def test_motion_instructions_are_measurable_in_the_track(speech, backend):
    def gen(instruction):
        return backend.generate(speech, transcript=SENTENCE, instruction=instruction, seed=1)[0]

    base = gen(None)
    left, right = gen("turn your head to the left"), gen("turn your head to the right")
    assert left.pose[-5:, 1].mean() > 0.3 and right.pose[-5:, 1].mean() < -0.3
    brows = gen("raise your eyebrows")
    assert brows.column("browInnerUp")[30:].mean() > base.column("browInnerUp")[30:].mean() + 0.5
    nod = gen("nod twice")
    x = nod.pose[:, 0] - base.pose[:, 0]
    assert ((x[1:-1] > x[:-2]) & (x[1:-1] >= x[2:]) & (x[1:-1] > 0.1)).sum() == 2  # two nods down


def test_unknown_instruction_is_reported_and_the_track_still_made(speech, backend):
    track, notes = backend.generate(speech, transcript=None, instruction="purple elephant", seed=0)
    assert len(notes) == 1 and "names no emotion or motion" in notes[0]
    assert track.n_frames > 0 and track.meta["emotion"]["family"] == "neutral"
