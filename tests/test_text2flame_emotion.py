"""Emotion from text: accuracy of the dominant basic class on a labelled set, negation, intensity, arcs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from fxcli.backends.text2flame_embedded import EmbeddedText2Flame
from fxcli.expressions.library import BASIC_LABELS
from fxcli.expressions.text_emotion import analyse_text, text_family_probs

DATA = Path(__file__).parent / "data" / "emotion_sentences.jsonl"
# chance is 1/7 = 0.14. The set was written alongside the old word list (0.87 there); the learned model
# (GoEmotions) reaches ~0.73: it misses situational fear without emotion words ("call the police!").
# A sanity floor, not the measure: benchmarks/eval_text_emotion.py reports the corpora's test splits.
ACCURACY_FLOOR = 0.70
CLASS_FLOOR = 0.4  # no class collapses


@pytest.fixture(scope="module")
def backend():
    return EmbeddedText2Flame(None)


def test_labelled_set_is_balanced_and_clear():
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    counts = Counter(r["label"] for r in rows)
    assert set(counts) == set(BASIC_LABELS)
    assert len(rows) >= 70 and min(counts.values()) >= 10


def test_dominant_family_accuracy(backend):
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    tracks = backend.generate([r["text"] for r in rows], seed=0)
    predicted = [t.meta["emotion"]["dominant"] for t in tracks]
    accuracy = np.mean([p == r["label"] for p, r in zip(predicted, rows, strict=False)])
    print(f"dominant-family accuracy {accuracy:.3f} on {len(rows)} sentences")
    assert accuracy >= ACCURACY_FLOOR
    # no class collapses: every class is predicted right at least 40 % of the time
    for label in BASIC_LABELS:
        hits = [p == label for p, r in zip(predicted, rows, strict=False) if r["label"] == label]
        assert np.mean(hits) >= CLASS_FLOOR, label


def family(text: str) -> str:
    return BASIC_LABELS[int(np.argmax(text_family_probs(analyse_text(text))))]


def test_negation():
    assert family("I am happy about this.") == "happy"
    assert family("I am not happy about this.") != "happy"
    assert family("I'm not scared of the dark.") != "fear"
    clause = analyse_text("I am not angry with you.")[0]
    assert clause.negated


def test_intensifiers_and_diminishers():
    strong = analyse_text("I am extremely happy!")[0].intensity
    plain = analyse_text("I am happy.")[0].intensity
    weak = analyse_text("I am slightly happy.")[0].intensity
    assert strong > plain > weak


def test_emotion_changes_within_a_sentence(backend):
    track = backend.generate(["I was terrified at first, but now I'm thrilled!"], seed=3)[0]
    segments = track.meta["emotion"]["segments"]
    assert [s["family"] for s in segments] == ["fear", "happy"]
    assert segments[0]["end"] <= segments[1]["start"]
    # the face follows: brows (fear: AU1+4) early, smile (AU12) late
    ch = {n: i for i, n in enumerate(track.channels)}
    t_first = int(segments[0]["end"] * track.fps) - 2
    t_last = int(segments[1]["end"] * track.fps) - 2
    smile = track.frames[:, ch["mouthSmileLeft"]]
    assert smile[t_last] > smile[t_first] + 0.1
