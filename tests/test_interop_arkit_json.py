"""ARKit-52 JSON for web rigs: the documented shape, and a lossless round trip to 6 decimals."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fxcli.errors import InvalidInputError
from fxcli.interop.arkit_json import read_arkit_json, write_arkit_json
from fxcli.tracks import Track
from fxcli.tracks.channels import ARKIT52
from tests.conftest import run_fxe


def _track() -> Track:
    rng = np.random.default_rng(2)
    return Track(space="arkit52", channels=list(ARKIT52), fps=30.0, frames=rng.random((12, 52)).astype(np.float32),
                 pose=rng.normal(0, 0.2, (12, 3)).astype(np.float32), audio="speech.wav")


def test_shape_is_what_web_rigs_read():
    doc = json.loads(write_arkit_json(_track()))
    assert doc["fps"] == 30.0 and doc["blendshapeNames"] == list(ARKIT52) and doc["audio"] == "speech.wav"
    frame = doc["frames"][3]
    assert frame["time"] == pytest.approx(0.1) and list(frame["blendshapes"]) == list(ARKIT52)
    assert frame["headRotation"]["order"] == "YXZ"


def test_head_rotation_is_threejs_euler_yxz():
    """three.js Euler(x, y, z, 'YXZ') is the matrix Ry(y) Rx(x) Rz(z): rebuild it by hand."""
    from fxcli.rigs.mesh import rodrigues

    track = _track()
    rot = json.loads(write_arkit_json(track))["frames"][5]["headRotation"]

    def axis(k: int, angle: float) -> np.ndarray:
        v = np.zeros(3)
        v[k] = angle
        return rodrigues(v)

    by_hand = axis(1, rot["y"]) @ axis(0, rot["x"]) @ axis(2, rot["z"])
    np.testing.assert_allclose(by_hand, rodrigues(track.pose[5].astype(np.float64)), atol=1e-5)


def test_round_trip_through_the_cli(tmp_path):
    track = _track()
    (tmp_path / "t.json").write_bytes(__import__("fxcli.tracks.track_io", fromlist=["x"]).encode_tracks([track], "json"))
    assert run_fxe("track", "convert", str(tmp_path / "t.json"), "-o", str(tmp_path / "t.arkit.json")).code == 0
    assert run_fxe("track", "convert", str(tmp_path / "t.arkit.json"), "-o", str(tmp_path / "back.json")).code == 0
    back = read_arkit_json((tmp_path / "t.arkit.json").read_bytes())
    np.testing.assert_allclose(back.frames, track.frames, atol=5e-7)
    np.testing.assert_allclose(back.pose, track.pose, atol=5e-6)
    assert back.audio == "speech.wav"


def test_unknown_names_are_invalid():
    with pytest.raises(InvalidInputError, match="not an ARKit"):
        read_arkit_json(b'{"fps": 30, "frames": [{"blendshapes": {"smile": 1}}]}')
