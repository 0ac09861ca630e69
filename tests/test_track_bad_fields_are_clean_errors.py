"""`fxe track convert` / `capture`: fields of the wrong type, malformed JSON and NaN options are one
error line with the documented exit code, never an internal error."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import DATA, assert_one_error_line, run_fxe


@pytest.mark.parametrize("fps", ["a", [25], True, {"value": 25}])
def test_arkit_json_with_an_fps_of_the_wrong_type_is_invalid_input(tmp_path, fps):
    src = tmp_path / "x.arkit.json"
    src.write_text(json.dumps({"fps": fps, "blendshapeNames": ["jawOpen"], "frames": [{"weights": [0.5]}]}))
    before = src.read_bytes()
    r = run_fxe("track", "convert", str(src), "-o", str(tmp_path / "o.json"))
    assert_one_error_line(r, 3, "x.arkit.json", "fps")
    assert src.read_bytes() == before and not (tmp_path / "o.json").exists()


def test_a_csv_read_as_arkit_json_is_invalid_input(tmp_path):
    src = tmp_path / "take.csv"
    src.write_text("Timecode,BlendShapeCount,JawOpen\n00:00:00:00.000,1,0.5\n")
    r = run_fxe("track", "convert", str(src), "--input-format", "arkit-json", "-o", str(tmp_path / "o.json"))
    assert_one_error_line(r, 3, "take.csv", "arkit-json")


@pytest.mark.parametrize("option", ["--smooth", "--neutral"])
def test_capture_nan_options_are_usage_errors(tmp_path, option):
    video = tmp_path / "v.mp4"
    shutil.copy(DATA / "public_domain" / "astronaut.jpg", video)
    r = run_fxe("track", "capture", str(video), option, "nan", "-o", str(tmp_path / "t.json"))
    assert_one_error_line(r, 2, option)
    assert not (tmp_path / "t.json").exists()
