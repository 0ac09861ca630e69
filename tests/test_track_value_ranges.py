"""Track values outside each channel's plausible range, and identities beyond ±6 SD, are invalid input (3)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fxcli.errors import InvalidInputError
from fxcli.tracks import Track
from fxcli.tracks.track_io import track_to_dict
from tests.conftest import assert_one_error_line, run_fxe


def _arkit(**changes) -> dict:
    obj = track_to_dict(Track.zeros("arkit52", 6, 25.0))
    obj.update(changes)
    return obj


def _flame(**changes) -> dict:
    obj = track_to_dict(Track.zeros("flame", 6, 25.0))
    obj.update(changes)
    return obj


def _frames(value: float, t: int | None = None, c: int | None = None, width: int = 52) -> list:
    frames = np.zeros((6, width))
    if t is None:
        frames[:] = value
    else:
        frames[t, c] = value
    return frames.tolist()


@pytest.mark.parametrize("name, obj, fragments", [
    ("all_huge.json", _arkit(frames=_frames(1e30)), ["frame 0", "'eyeBlinkLeft'", "[-2, 3]"]),
    ("all_neg50.json", _arkit(frames=_frames(-50)), ["frame 0", "'eyeBlinkLeft'"]),
    ("one_1e6.json", _arkit(frames=_frames(1e6, 3, 17)), ["frame 3", "'jawOpen'"]),
    ("pose_huge.json", _arkit(pose=[[1e30, 0, 0]] * 6), ["pose", "frame 0", "component 0"]),
    ("pose_turns.json", _arkit(pose=[[0, 0, 0]] * 5 + [[0, 20.0, 0]]), ["pose", "frame 5", "component 1"]),
    ("flame_exp.json", _flame(frames=_frames(50, 2, 0, 53)), ["frame 2", "'exp00'", "[-10, 10]"]),
    ("flame_jaw.json", _flame(frames=_frames(100, 1, 52, 53)), ["frame 1", "'jaw2'"]),
])
def test_out_of_range_track_is_invalid(tmp_path, name, obj, fragments):
    src = tmp_path / name
    src.write_text(json.dumps(obj))
    out = tmp_path / "out.png"
    r = run_fxe("render", str(src), "--frame", "0", "-o", str(out))
    assert_one_error_line(r, 3, name, *fragments)
    assert not out.exists()


def test_ranges_allow_exaggeration():
    frames = np.full((4, 52), 1.5, np.float32)
    frames[0] = -0.5
    Track("arkit52", list(Track.zeros("arkit52", 1, 25.0).channels), 25.0, frames, pose=np.full((4, 3), 3.0))


def test_shipped_expression_library_is_within_range():
    from fxcli.capture.performance import performance

    for seed in range(3):
        performance(seed, seconds=2.0)  # built as Tracks: validation runs


@pytest.mark.parametrize("values", [[1e30] * 100, [1000.0] * 100, [0.0] * 99 + [-7.0]])
def test_identity_beyond_six_sd_is_invalid(values):
    from fxcli.avatar.identity import check_identity_range

    with pytest.raises(InvalidInputError, match="standard deviations"):
        check_identity_range(np.array(values), "id.json")


def test_identity_file_beyond_six_sd_is_invalid(tmp_path):
    from fxcli.avatar.identity import load_identity_file

    src = tmp_path / "id.json"
    src.write_text(json.dumps({"coefficients": [1000.0] * 100}))
    with pytest.raises(InvalidInputError, match=r"id\.json: identity coefficient 0 is 1e\+03"):
        load_identity_file(str(src))


def test_render_refuses_an_identity_beyond_six_sd(tmp_path):
    """render --identity reads through its own loader: 100 coefficients of 1000 SD drew a shattered mesh."""
    track = tmp_path / "t.json"
    track.write_text(json.dumps(_arkit()))
    ident = tmp_path / "id.json"
    ident.write_text(json.dumps([0.0] * 99 + [1000.0]))
    out = tmp_path / "out.png"
    r = run_fxe("render", str(track), "--identity", str(ident), "--frame", "0", "-o", str(out))
    assert_one_error_line(r, 3, "id.json", "coefficient 99", "standard deviations")
    assert not out.exists()
