"""`fxe render` as a user runs it: pipe to MP4, frame counts, provenance, outputs and bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess

import numpy as np
import pytest

from fxcli.tracks import Track, dumps_track
from fxcli.tracks.channels import ARKIT52
from tests.conftest import assert_one_error_line, run_fxe

FPS = 12.5
T = 15


def _track(n: int = T, fps: float = FPS, **extra) -> Track:
    frames = np.zeros((n, 52), np.float32)
    frames[:, ARKIT52.index("jawOpen")] = np.linspace(0, 1, n)  # closed at frame 0, wide open at the end
    frames[:, ARKIT52.index("mouthSmileLeft")] = 0.3
    return Track("arkit52", list(ARKIT52), fps, frames, **extra)


def _decoded_frames(path) -> tuple[int, float]:
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    return sum(1 for _ in reader), meta["fps"]


def _ffmpeg_duration(path) -> float:
    import imageio_ffmpeg

    err = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                         capture_output=True, text=True).stderr
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", err).groups()
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_pipe_gives_mp4_with_one_frame_per_track_frame(tmp_path):
    out = tmp_path / "story.mp4"
    r = run_fxe("render", "-o", str(out), "--size", "128x96", input=dumps_track(_track()) + "\n")
    assert r.code == 0, r.stderr
    summary = json.loads(r.out)
    assert summary["frames"] == T and summary["duration"] == pytest.approx(T / FPS)
    count, fps = _decoded_frames(out)
    assert count == T
    assert fps == pytest.approx(FPS, abs=0.01)
    assert _ffmpeg_duration(out) == pytest.approx(T / FPS, abs=0.05)
    assert [p.name for p in tmp_path.iterdir()] == ["story.mp4"]  # no temp files left
    info = run_fxe("inspect", str(out))
    assert info.code == 0 and '"generator": "fxe render"' in info.out and "ict-face-light" in info.out


def test_mouth_opens_on_frames_with_high_jaw_open(tmp_path):
    r = run_fxe("render", "-", "-o", f"{tmp_path}/frames/", "--size", "192", "--renderer", "software",
                input=dumps_track(_track(n=3)))
    assert r.code == 0, r.stderr
    from PIL import Image

    names = sorted(p.name for p in (tmp_path / "frames").iterdir() if p.name != ".fxe.json")  # provenance
    assert names == ["frame_000000.png", "frame_000001.png", "frame_000002.png"]
    closed = np.asarray(Image.open(tmp_path / "frames" / names[0]).convert("RGB")).astype(int)
    opened = np.asarray(Image.open(tmp_path / "frames" / names[2]).convert("RGB")).astype(int)
    # the lower-middle of the face: mouth region (the head is framed at the picture's centre)
    box = (slice(int(192 * 0.50), int(192 * 0.68)), slice(int(192 * 0.38), int(192 * 0.62)))
    red_dark = lambda im: ((im[box][..., 0] - im[box][..., 1]) > 60).mean()  # noqa: E731
    assert red_dark(opened) > red_dark(closed) + 0.05
    assert np.abs(opened - closed)[box].mean() > 4 * np.abs(opened - closed)[:60].mean() + 1


def test_single_frame_png_gif_and_styles(tmp_path):
    src = tmp_path / "t.json"
    src.write_text(dumps_track(_track()))
    r = run_fxe("render", str(src), "--frame", "3", "-o", str(tmp_path / "x.png"), "--size", "64x48",
                "--style", "toon", "--view", "left", "--bg", "#102030", "--identity-seed", "4")
    assert r.code == 0, r.stderr
    from PIL import Image

    im = Image.open(tmp_path / "x.png")
    assert im.size == (64, 48) and json.loads(im.text["fxe"])["params"]["view"] == "left"
    assert tuple(np.asarray(im.convert("RGB"))[0, 0]) == (0x10, 0x20, 0x30)
    r = run_fxe("render", str(src), "-o", str(tmp_path / "x.gif"), "--size", "64")
    assert r.code == 0, r.stderr
    assert _decoded_frames(tmp_path / "x.gif")[0] == T


def test_several_tracks_need_a_pattern(tmp_path):
    text = dumps_track(_track(n=4)) + "\n" + dumps_track(_track(n=6)) + "\n"
    r = run_fxe("render", "-o", str(tmp_path / "one.mp4"), "--size", "64", input=text)
    assert_one_error_line(r, 2, "2 tracks", "{i}")
    r = run_fxe("render", "-o", str(tmp_path / "out_{i}.mp4"), "--size", "64", input=text)
    assert r.code == 0, r.stderr
    assert [_decoded_frames(tmp_path / f"out_{i}.mp4")[0] for i in (0, 1)] == [4, 6]


def test_audio_is_muxed_and_cut_to_the_video(tmp_path):
    import imageio_ffmpeg

    wav = tmp_path / "a.wav"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=5",
                    str(wav)], check=True)
    r = run_fxe("render", "-o", str(tmp_path / "a.mp4"), "--size", "64", "--audio", str(wav),
                input=dumps_track(_track()))
    assert r.code == 0, r.stderr
    err = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(tmp_path / "a.mp4")],
                         capture_output=True, text=True).stderr
    assert "Audio: aac" in err and "Video: h264" in err and "yuv420p" in err
    assert _decoded_frames(tmp_path / "a.mp4")[0] == T
    assert _ffmpeg_duration(tmp_path / "a.mp4") < T / FPS + 0.1


def _raw(**over) -> str:
    obj = json.loads(dumps_track(_track(n=3)))
    obj.update(over)
    return json.dumps(obj)


@pytest.mark.parametrize("text, code, fragment", [
    (_raw(channels=["jawOpen", "frownyFace"] + list(ARKIT52[2:])), 3, "frownyFace"),
    (_raw(frames=[[0.0] * 52, [float("nan")] + [0.0] * 51]).replace("NaN", "NaN"), 3, "non-finite"),
    (_raw(frames=[]), 3, "zero frames"),
    (_raw(fps=0), 3, "fps"),
])
def test_bad_tracks_are_refused_with_one_line(tmp_path, text, code, fragment):
    out = tmp_path / "o.mp4"
    r = run_fxe("render", "-o", str(out), "--size", "64", input=text)
    assert_one_error_line(r, code, fragment)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_bad_options_and_outputs(tmp_path):
    text = dumps_track(_track(n=3))
    (tmp_path / "file").write_text("x")  # missing folders are created; a file in the way cannot be
    assert_one_error_line(run_fxe("render", "-o", str(tmp_path / "file/dir/o.mp4"), "--size", "64", input=text), 1,
                          "cannot create folder")
    (tmp_path / "file").unlink()
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    if not os.access(ro, os.W_OK):  # root can write anywhere
        assert_one_error_line(run_fxe("render", "-o", str(ro / "o.mp4"), "--size", "64", input=text), 1,
                              "not writable")
    assert_one_error_line(run_fxe("render", "-o", str(tmp_path / "o.mp4"), "--size", "63x64", input=text), 2,
                          "even")
    assert_one_error_line(run_fxe("render", "-o", str(tmp_path / "o.mp4"), "--view", "sideways", input=text), 2,
                          "view")
    assert_one_error_line(run_fxe("render", "-o", str(tmp_path / "o.png"), input=text), 2, "--frame")
    assert_one_error_line(run_fxe("render", "-o", str(tmp_path / "o.mp4"), "--audio", str(tmp_path / "no.wav"),
                                  "--size", "64", input=text), 3, "no.wav")
    assert list(p for p in tmp_path.iterdir() if p.name != "ro") == []


def test_missing_egl_falls_back_to_software_with_a_notice(tmp_path, monkeypatch):
    from click.testing import CliRunner

    import fxcli.render.gl_renderer as gl
    from fxcli.cli.main import cli
    from fxcli.errors import DeviceError

    def no_egl():
        raise DeviceError("no OpenGL through EGL (libEGL.so.1 not found)", hint="install Mesa's EGL")

    monkeypatch.setattr(gl, "create_context", no_egl)
    out = tmp_path / "x.png"
    result = CliRunner().invoke(cli, ["render", "-", "--frame", "0", "-o", str(out), "--size", "48"],
                                input=dumps_track(_track(n=2)))
    assert result.exit_code == 0, result.output
    assert "software renderer" in result.stderr and "EGL" in result.stderr
    assert json.loads(result.stdout)["renderer"] == "software" and out.is_file()
    result = CliRunner().invoke(cli, ["render", "-", "--frame", "0", "-o", str(out), "--renderer", "egl"],
                                input=dumps_track(_track(n=2)))
    # the CLI boundary (fxcli.cli.main) turns this into exit 6 with one line
    assert isinstance(result.exception, DeviceError) and result.exception.exit_code == 6
    assert "EGL" in str(result.exception)


def test_jobs_render_many_and_skip_existing(tmp_path):
    src = tmp_path / "t.json"
    src.write_text(dumps_track(_track(n=3)))
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("\n".join(json.dumps({"track": str(src), "output": str(tmp_path / f"{v}.png"), "view": v,
                                          "frame": 1, "size": "48"}) for v in ("front", "left")) + "\n")
    r = run_fxe("render", "--jobs", str(jobs))
    assert r.code == 0, r.stderr
    assert (tmp_path / "front.png").is_file() and (tmp_path / "left.png").is_file()
    r = run_fxe("render", "--jobs", str(jobs))
    assert r.code == 0 and "0 ok, 2 skipped" in r.stderr
