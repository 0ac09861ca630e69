"""The face follows the words: on 1,000 varied texts the reported dominant family and the family of the
expression mixture that drives the face agree (goal >= 99 %), and every segment's mixture stays in its family."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.expressions.library import load_library

OPENERS = ["", "Like, ", "So like, ", "Honestly, ", "Well, ", "You know, ", "Oh my god, ", "Hey, ", "Okay, "]
CORES = ["I like totally forgot my keys", "we won the game", "my dog died last night", "that smells like rotten eggs",
         "there's someone outside my window", "you did what?", "thank you so much for the flowers",
         "I'm so proud of you", "what a relief that it's over", "I'm not happy about this",
         "I am not scared of anything", "the meeting is at noon", "I love this song", "you lied to me again",
         "I feel so embarrassed", "I'm kind of nervous about tomorrow", "how does this even work",
         "I can't believe we lost", "this is like the best day ever", "stop touching my stuff",
         "I miss her so much", "it's fine", "that was unexpected", "I hate waiting in line", "hi",
         "okay", "yeah", "how's that coffee coming, dear", "I guess", "whatever you like"]
ENDINGS = ["", ".", "!", "?", "...", " :)", " :(", " 😡", " 😢", " 😂", ", but it's fine.", ", and I'm scared."]


def varied_texts(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [f"{rng.choice(OPENERS)}{rng.choice(CORES)}{rng.choice(ENDINGS)}" for _ in range(n)]


@pytest.mark.slow
def test_reported_family_and_face_agree_on_1000_texts():
    from fxcli.backends.text2flame_embedded import EmbeddedText2Flame

    lib = load_library()
    texts = varied_texts(1000)
    assert len(set(texts)) > 700
    tracks = EmbeddedText2Flame(None).generate(texts, seed=0, fps=10)
    agree = 0
    families_seen = set()
    for track in tracks:
        emo = track.meta["emotion"]
        face: dict[str, float] = {}
        for name, w in zip(emo["names"], emo["weights"], strict=True):
            face[lib.by_name[name].basic] = face.get(lib.by_name[name].basic, 0.0) + w
        agree += max(face, key=face.get) == emo["dominant"]
        for seg in emo["segments"]:
            families_seen.add(seg["family"])
            assert {lib.by_name[n].basic for n, _ in seg["mixture"]} == {seg["family"]}, seg
            assert "liking" not in [n for n, _ in seg["mixture"]]
    print(f"agreement {agree / len(texts):.3f} on {len(texts)} texts")
    assert agree / len(texts) >= 0.99
    assert len(families_seen) >= 5  # varied texts, not one family
