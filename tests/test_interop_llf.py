"""Live Link Face CSV: import the app's layout, export for Unreal, byte-stable round trips."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.errors import InvalidInputError
from fxcli.interop.live_link_face import APP_SHAPE_ORDER, HEADER, read_live_link_face, write_live_link_face
from fxcli.tracks import Track
from fxcli.tracks.channels import ARKIT52
from tests.conftest import assert_one_error_line, run_fxe


def _app_recording(rows: int = 90, seed: int = 0) -> bytes:
    """A recording laid out as the iPhone app writes it: its header (JawRight before JawLeft, MouthRight
    before MouthLeft), 60 rows a second on a 30 fps timecode with a .500 sub-frame, 9-digit float32
    values, head and eye rotations in radians."""
    rng = np.random.default_rng(seed)
    lines = [",".join(HEADER)]
    start = 14 * 3600 + 3 * 60 + 52
    for k in range(rows):
        sec, half = divmod(k, 60)
        frame, sub = divmod(half, 2)
        tc = f"{(start + sec) // 3600:02d}:{(start + sec) // 60 % 60:02d}:{(start + sec) % 60:02d}:{frame:02d}.{sub * 500:03d}"
        shapes = np.clip(rng.normal(0.15, 0.12, 52), 0, 1).astype(np.float32)
        shapes[rng.random(52) < 0.3] = 0
        rotations = (rng.normal(0, 0.1, 9)).astype(np.float32)
        lines.append(",".join([tc, "61"] + [str(v) for v in shapes] + [str(v) for v in rotations]))
    return ("\n".join(lines) + "\n").encode()


def test_app_header_is_apples_order_with_the_apps_two_swaps():
    assert len(HEADER) == 2 + 52 + 9 and HEADER[:3] == ("Timecode", "BlendShapeCount", "EyeBlinkLeft")
    assert HEADER[16:20] == ("JawForward", "JawRight", "JawLeft", "JawOpen")
    assert HEADER[23:25] == ("MouthRight", "MouthLeft")
    assert sorted(n.lower() for n in APP_SHAPE_ORDER) == sorted(n.lower() for n in ARKIT52)


def test_import_reads_columns_by_name_rate_from_timecode_and_pose_from_head_rotation():
    data = _app_recording()
    track = read_live_link_face(data, "take.csv")
    assert track.space == "arkit52" and track.n_frames == 90 and track.fps == 60.0
    row = data.decode().splitlines()[1].split(",")
    cell = {h: v for h, v in zip(HEADER, row, strict=True)}
    assert track.frames[0, ARKIT52.index("jawLeft")] == np.float32(cell["JawLeft"])
    assert track.frames[0, ARKIT52.index("mouthRight")] == np.float32(cell["MouthRight"])
    # head yaw alone is a rotation about y (the model's up axis) by that angle
    from fxcli.interop.live_link_face import euler_to_axis_angle

    np.testing.assert_allclose(euler_to_axis_angle(np.array([[0.3, 0.0, 0.0]])), [[0.0, 0.3, 0.0]], atol=1e-12)
    np.testing.assert_allclose(euler_to_axis_angle(np.array([[0.0, 0.2, 0.0]])), [[0.2, 0.0, 0.0]], atol=1e-12)


def test_import_then_export_is_byte_identical(tmp_path):
    data = _app_recording(seed=3)
    (tmp_path / "take.csv").write_bytes(data)
    for via in ("again.csv", "take.npz"):  # directly, and through a track file that keeps float32 exactly
        r = run_fxe("track", "convert", str(tmp_path / "take.csv"), "-o", str(tmp_path / via))
        assert r.code == 0, r.stderr
    r = run_fxe("track", "convert", str(tmp_path / "take.npz"), "-o", str(tmp_path / "from_npz.csv"))
    assert r.code == 0, r.stderr
    assert (tmp_path / "again.csv").read_bytes() == data
    assert (tmp_path / "from_npz.csv").read_bytes() == data


def test_through_a_json_track_the_numbers_agree_to_its_six_decimals(tmp_path):
    data = _app_recording(seed=4)
    (tmp_path / "take.csv").write_bytes(data)
    assert run_fxe("track", "convert", str(tmp_path / "take.csv"), "-o", str(tmp_path / "take.json")).code == 0
    assert run_fxe("track", "convert", str(tmp_path / "take.json"), "-o", str(tmp_path / "back.csv")).code == 0
    back = (tmp_path / "back.csv").read_text().splitlines()
    for line, again in zip(data.decode().splitlines()[1:], back[1:], strict=True):
        a, b = line.split(","), again.split(",")
        assert a[:2] == b[:2] and a[-9:] == b[-9:]  # time codes and rotations as written
        np.testing.assert_allclose(np.float64(a[2:-9]), np.float64(b[2:-9]), atol=5e-7)


def test_numbers_written_with_other_digits_are_kept_as_written():
    text = _app_recording(rows=4).decode().splitlines()
    cells = text[1].split(",")
    cells[2] = "0.10000000"  # eight decimals, as some tools write
    text[1] = ",".join(cells)
    data = ("\n".join(text) + "\n").encode()
    assert write_live_link_face(read_live_link_face(data)) == data


def test_export_of_a_generated_track_reads_back_to_the_same_numbers():
    rng = np.random.default_rng(1)
    track = Track(space="arkit52", channels=list(ARKIT52), fps=25.0,
                  frames=rng.random((30, 52)).astype(np.float32), pose=rng.normal(0, 0.2, (30, 3)).astype(np.float32))
    csv = write_live_link_face(track)
    back = read_live_link_face(csv)
    assert back.fps == 25.0
    np.testing.assert_array_equal(back.frames, track.frames)
    np.testing.assert_allclose(back.pose, track.pose, atol=1e-6)
    assert csv.decode().splitlines()[26].startswith("00:00:01:00.000,61,")  # frame 25 is one second in
    assert write_live_link_face(back) == csv  # export -> import -> export is byte-stable


def test_flame_tracks_and_broken_files_are_refused(tmp_path):
    with pytest.raises(InvalidInputError, match="arkit52"):
        write_live_link_face(Track.zeros("flame", 3, 25.0))
    with pytest.raises(InvalidInputError, match="no column"):
        read_live_link_face(b"Timecode,Foo\n00:00:00:00.000,1\n")
    (tmp_path / "bad.csv").write_text(",".join(HEADER) + "\n" + "00:00:00:00.000,61," + ",".join(["x"] * 61) + "\n")
    assert_one_error_line(run_fxe("track", "convert", str(tmp_path / "bad.csv"), "-o", str(tmp_path / "o.json")),
                          3, "not a number")
