"""`fxe talk`: an unknown espeak-ng voice and a frame rate no video can carry are usage errors (exit 2);
an instruction of any length still makes a video."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import assert_one_error_line, run_fxe

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")


@needs_espeak
@pytest.mark.parametrize("voice", ["zz", "../../x", "-x"])
def test_unknown_voice_is_a_usage_error(tmp_path, voice):
    r = run_fxe("talk", "ict", "--text", "hello", f"--voice={voice}", "-o", str(tmp_path / "t.json"))
    assert_one_error_line(r, 2, "--voice")
    assert not (tmp_path / "t.json").exists()


@needs_espeak
def test_a_known_voice_variant_speaks(tmp_path):
    assert run_fxe("talk", "ict", "--text", "hello", "--voice", "f3", "-o", str(tmp_path / "t.json")).code == 0


def test_fps_below_what_a_video_carries_is_a_usage_error(tmp_path):
    r = run_fxe("talk", "ict", "--text", "hello", "--fps", "1e-9", "-o", str(tmp_path / "t.mp4"))
    assert_one_error_line(r, 2, "--fps")
    assert not (tmp_path / "t.mp4").exists()


@needs_espeak
def test_a_very_long_instruction_still_makes_a_video(tmp_path):
    r = run_fxe("talk", "ict", "--text", "hello", "-i", "nod then " * 10000, "--size", "64x64",
                "-o", str(tmp_path / "t.mp4"))
    assert r.code == 0, r.stderr
    assert (tmp_path / "t.mp4").stat().st_size > 0
