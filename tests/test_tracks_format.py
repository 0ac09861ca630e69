"""fxe.track/v1: round trips and validation, checked against hand-built tracks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fxcli.errors import InvalidInputError
from fxcli.tracks import Track, dumps_track
from fxcli.tracks.channels import ARKIT52, CTEG53, FLAME_ALL
from fxcli.tracks.track_io import encode_tracks, parse_tracks, track_to_dict


def make_track(space="arkit52", n=4, channels=None, seed=0, **kw):
    names = list(channels or (ARKIT52 if space == "arkit52" else CTEG53))
    rng = np.random.default_rng(seed)
    return Track(space=space, channels=names, fps=25.0, frames=rng.random((n, len(names))), **kw)


def test_channel_sets():
    assert len(ARKIT52) == 52 and ARKIT52[0] == "eyeBlinkLeft" and ARKIT52[-1] == "tongueOut"
    assert len(CTEG53) == 53 and CTEG53[49] == "exp49" and CTEG53[50:] == ("jaw0", "jaw1", "jaw2")
    assert len(FLAME_ALL) == 100 + 12


@pytest.mark.parametrize("fmt", ["json", "npz"])
def test_round_trip_keeps_every_field(fmt):
    t = make_track(pose=np.full((4, 3), 0.1), text="hi", audio="a.wav", meta={"seed": 3})
    back = parse_tracks(encode_tracks([t], fmt))[0]
    assert back.channels == t.channels and back.fps == 25.0 and back.text == "hi" and back.audio == "a.wav"
    assert back.meta == {"seed": 3}
    np.testing.assert_allclose(back.frames, t.frames, atol=1e-6)
    np.testing.assert_allclose(back.pose, t.pose, atol=1e-6)


def test_json_lines_holds_several_tracks():
    data = encode_tracks([make_track(seed=1), make_track("flame", n=2, seed=2)], "json")
    assert data.count(b"\n") == 2
    tracks = parse_tracks(data)
    assert [t.space for t in tracks] == ["arkit52", "flame"] and tracks[1].n_frames == 2


def test_pretty_printed_json_is_one_track():
    obj = track_to_dict(make_track())
    assert len(parse_tracks(json.dumps(obj, indent=2).encode())) == 1


def test_serialisation_is_deterministic_and_normalises_negative_zero():
    a = make_track(channels=["jawOpen"], n=2)
    a.frames[:] = [[-0.0], [1e-9]]
    assert dumps_track(a) == dumps_track(Track(**{**a.__dict__}))
    assert '"frames":[[0.0],[0.0]]' in dumps_track(a)


def test_subset_of_channels_and_lookup():
    t = Track(space="arkit52", channels=["jawOpen", "mouthSmileLeft"], fps=30, frames=[[0.5, 0.2]])
    assert t.column("jawOpen")[0] == 0.5 and t.column("eyeBlinkLeft")[0] == 0.0
    assert t.as_channels(["mouthSmileLeft", "jawOpen"]).tolist() == [[pytest.approx(0.2), 0.5]]


BAD = [
    ({"space": "blend"}, "unknown space 'blend'"),
    ({"channels": ["jawOpen", "notAShape"], "frames": [[0, 0]]}, "not in space 'arkit52': notAShape"),
    ({"channels": ["jawOpen", "jawOpen"], "frames": [[0, 0]]}, "duplicate channel(s): jawOpen"),
    ({"frames": [[0.1, 0.2, 0.3]]}, "3 values per frame but 2 channels"),
    ({"frames": [[0.1, 0.2], [0.1]]}, "frames[1] has 1 values, frame 0 has 2"),
    ({"frames": []}, "zero frames"),
    ({"frames": [[0.1, "x"]]}, "frames[0][1] is 'x'"),
    ({"fps": 0}, "fps must be in (0, 1000]"),
    ({"fps": "25"}, "fps must be a number"),
    ({"format": "other/v2"}, "expected 'fxe.track/v1'"),
    ({"pose": [[0, 0]]}, "pose must be 1 x 3"),
    ({"extra": 1}, "unknown key(s) extra"),
]


@pytest.mark.parametrize(("patch", "message"), BAD)
def test_validation_messages(patch, message):
    obj = {"format": "fxe.track/v1", "space": "arkit52", "channels": ["jawOpen", "mouthClose"], "fps": 25,
           "frames": [[0.1, 0.2]], **patch}
    with pytest.raises(InvalidInputError) as err:
        parse_tracks(json.dumps(obj).encode())
    assert message in str(err.value)


def test_non_finite_values_are_located():
    # NaN is not valid JSON, but Python's json writes it; the reader must refuse it with its place
    text = '{"format":"fxe.track/v1","space":"arkit52","channels":["jawOpen"],"fps":25,"frames":[[0.1],[NaN]]}'
    with pytest.raises(InvalidInputError, match=r"non-finite value in frames at frame 1, column 0"):
        parse_tracks(text.encode())
    with pytest.raises(InvalidInputError, match="non-finite value at frame 0, channel 'jawOpen'"):
        Track(space="arkit52", channels=["jawOpen"], fps=25, frames=[[np.inf]])


def test_malformed_json_names_the_line():
    good = dumps_track(make_track())
    with pytest.raises(InvalidInputError, match="line 2: malformed JSON"):
        parse_tracks((good + "\n{oops\n").encode())
    with pytest.raises(InvalidInputError, match="malformed JSON"):
        parse_tracks(b"{\"format\": ")
