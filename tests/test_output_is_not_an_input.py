"""An output that names one of the run's inputs (or another output) is refused before any work: exit 2,
one stderr line naming both options, and the input byte-identical afterwards."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from fxcli.io.same_file import refuse_output_is_input, refuse_shared_output, same_file
from fxcli.tracks import Track, dumps_track
from fxcli.tracks.channels import ARKIT52
from tests.conftest import DATA, PORTRAITS, assert_one_error_line, run_fxe


def _write_track(path, **extra) -> None:
    track = Track("arkit52", list(ARKIT52), 25.0, np.zeros((4, 52), np.float32), **extra)
    path.write_text(dumps_track(track) + "\n")


def _assert_refused(result, path, before: bytes, *fragments: str) -> None:
    assert_one_error_line(result, 2, "same file", *fragments)
    assert path.read_bytes() == before


def test_same_file_follows_links_and_normalises_missing_paths(tmp_path):
    a = tmp_path / "a.json"
    a.write_text("[]")
    (tmp_path / "link.json").symlink_to(a)
    assert same_file(a, tmp_path / "link.json")
    assert same_file(tmp_path / "new.json", tmp_path / "x" / ".." / "new.json")
    assert not same_file(a, tmp_path / "b.json")
    refuse_output_is_input(("-o", "-"), [("--audio", "-")])  # stdout replaces nothing
    with pytest.raises(Exception, match="--save-identity"):
        refuse_shared_output([("-o", str(a)), ("--save-identity", str(tmp_path / "link.json"))])


def test_capture_refuses_save_identity_over_the_video_or_over_the_track(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not checked: the refusal comes first")
    before = video.read_bytes()
    r = run_fxe("track", "capture", str(video), "--save-identity", str(video), "-o", str(tmp_path / "t.json"))
    _assert_refused(r, video, before, "--save-identity", "VIDEO")
    r = run_fxe("track", "capture", str(video), "--save-identity", str(tmp_path / "t.json"),
                "-o", str(tmp_path / "t.json"))
    assert_one_error_line(r, 2, "-o", "--save-identity", "one output would be lost")
    assert not (tmp_path / "t.json").exists()


def test_report_refuses_an_output_it_reads(tmp_path):
    from PIL import Image

    Image.new("RGB", (16, 16), "red").save(tmp_path / "some_input.png")
    before = (tmp_path / "some_input.png").read_bytes()
    r = run_fxe("report", str(tmp_path), "-o", str(tmp_path / "some_input.png"))
    _assert_refused(r, tmp_path / "some_input.png", before, "-o")
    # its own page inside the folder is not an input: a rerun replaces it
    for _ in range(2):
        assert run_fxe("report", str(tmp_path), "-o", str(tmp_path / "report.html")).code == 0


def test_pixelsmile_prepare_refuses_an_output_that_is_a_photo(tmp_path):
    for category in ("neutral", "happy", "sad"):
        (tmp_path / "alice" / category).mkdir(parents=True)
        shutil.copy(PORTRAITS / "interfaces-001.jpg", tmp_path / "alice" / category / "face.jpg")
    photo = tmp_path / "alice" / "neutral" / "face.jpg"
    before = photo.read_bytes()
    r = run_fxe("train", "pixelsmile-prepare", str(tmp_path), "-o", str(photo))
    _assert_refused(r, photo, before, "-o")


def test_render_refuses_an_output_that_is_the_audio_or_the_tracks_audio(tmp_path):
    audio = tmp_path / "a.mp4"
    shutil.copy(DATA / "public_domain" / "astronaut.jpg", audio)  # never read: the refusal comes first
    before = audio.read_bytes()
    _write_track(tmp_path / "t.json")
    r = run_fxe("render", str(tmp_path / "t.json"), "--size", "64x64", "--audio", str(audio), "-o", str(audio))
    _assert_refused(r, audio, before, "--audio")
    _write_track(tmp_path / "ta.json", audio="a.mp4")
    r = run_fxe("render", str(tmp_path / "ta.json"), "--size", "64x64", "-o", str(audio))
    _assert_refused(r, audio, before, "the track's audio")


def test_render_refuses_an_output_that_is_the_track(tmp_path):
    track = tmp_path / "t.mkv"
    _write_track(track)
    before = track.read_bytes()
    r = run_fxe("render", str(track), "--size", "64x64", "-o", str(track))
    _assert_refused(r, track, before, "TRACK")


def test_talk_refuses_an_output_that_is_the_identity_or_the_audio(tmp_path):
    ident = tmp_path / "identity.json"
    ident.write_text(json.dumps([0.1] * 100))
    before = ident.read_bytes()
    r = run_fxe("talk", str(ident), "--text", "hello", "-o", str(ident))
    _assert_refused(r, ident, before, "SOURCE")
    audio = tmp_path / "speech.mp4"
    audio.write_bytes(b"never read")
    r = run_fxe("talk", "ict", "--audio", str(audio), "-o", str(audio))
    _assert_refused(r, audio, b"never read", "--audio")
