"""`fxe render` (and `fxe talk`, which shares its writer) checks what ffmpeg would fail on before rendering:
--preview with an output it cannot go beside, audio ffmpeg cannot read or that holds NaN, a frame rate
below what a video can carry, and provenance too long for one ffmpeg argument."""

from __future__ import annotations

import json
import shutil
import struct

import numpy as np

from fxcli.tracks import Track, dumps_track
from fxcli.tracks.channels import ARKIT52
from tests.conftest import DATA, assert_one_error_line, run_fxe


def _track_file(path, fps: float = 25.0, n: int = 6, **extra):
    path.write_text(dumps_track(Track("arkit52", list(ARKIT52), fps, np.zeros((n, 52), np.float32), **extra)) + "\n")
    return path


def _float_wav(path, samples: np.ndarray, rate: int = 16000):
    data = samples.astype("<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)  # IEEE float, mono
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE"
                     + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data)
    return path


def test_preview_to_stdout_or_to_a_folder_is_refused_before_rendering(tmp_path):
    track = _track_file(tmp_path / "t.json")
    r = run_fxe("render", str(track), "--size", "64x64", "--preview", "-o", "-")
    assert_one_error_line(r, 2, "--preview")
    assert r.stdout == b""
    r = run_fxe("render", str(track), "--size", "64x64", "--preview", "-o", str(tmp_path / "pp") + "/")
    assert_one_error_line(r, 2, "--preview")
    assert not (tmp_path / "pp").exists()


def test_audio_ffmpeg_cannot_read_or_full_of_nan_is_invalid_input(tmp_path):
    track = _track_file(tmp_path / "t.json")
    jpeg = tmp_path / "photo.wav"
    shutil.copy(DATA / "public_domain" / "astronaut.jpg", jpeg)
    nan = _float_wav(tmp_path / "nan.wav", np.full(16000, np.nan))
    for audio, fragment in ((jpeg, "cannot read the audio"), (nan, "NaN")):
        before = audio.read_bytes()
        r = run_fxe("render", str(track), "--size", "64x64", "--audio", str(audio), "-o", str(tmp_path / "o.mp4"))
        assert_one_error_line(r, 3, fragment)
        assert not (tmp_path / "o.mp4").exists() and audio.read_bytes() == before
    ok = _float_wav(tmp_path / "ok.wav", np.sin(np.linspace(0, 600, 16000)) * 0.1)
    r = run_fxe("render", str(track), "--size", "64x64", "--audio", str(ok), "-o", str(tmp_path / "o.mp4"))
    assert r.code == 0, r.stderr


def test_a_track_fps_below_what_a_video_carries_is_invalid_input(tmp_path):
    track = _track_file(tmp_path / "t.json", fps=1e-6)
    before = track.read_bytes()
    r = run_fxe("render", str(track), "--size", "64x64", "-o", str(tmp_path / "o.mp4"))
    assert_one_error_line(r, 3, "fps", "0.001")
    assert not (tmp_path / "o.mp4").exists() and track.read_bytes() == before
    slow = _track_file(tmp_path / "slow.json", fps=0.001, n=2)
    assert run_fxe("render", str(slow), "--size", "64x64", "-o", str(tmp_path / "slow.mp4")).code == 0


def test_a_huge_track_meta_is_shortened_in_the_video_not_passed_whole_to_ffmpeg(tmp_path):
    track = _track_file(tmp_path / "t.json", meta={"note": "y" * 200_000})
    r = run_fxe("render", str(track), "--size", "64x64", "-o", str(tmp_path / "o.mp4"))
    assert r.code == 0, r.stderr
    r = run_fxe("inspect", str(tmp_path / "o.mp4"))
    assert r.code == 0, r.stderr
    meta = json.loads(r.out.splitlines()[0])
    assert meta["track"]["note"].startswith("yyy") and "200000 characters" in meta["track"]["note"]
