"""Provenance written by fxe is read back by `fxe inspect`; `fxe env` reports the machine."""

from __future__ import annotations

import json
import subprocess

import numpy as np
from PIL import Image

from fxcli.provenance import ffmpeg_metadata_args, make_meta, save_image
from fxcli.tracks import Track, write_tracks
from tests.conftest import assert_one_error_line, run_fxe


def test_png_jpeg_and_track_provenance(tmp_path):
    meta = make_meta("edit", model="embedded", seed=4, params={"alpha": 0.5, "expression": "happy"})
    image = Image.fromarray(np.zeros((8, 8, 3), np.uint8))
    save_image(image, tmp_path / "a.png", meta)
    save_image(image, tmp_path / "b.jpg", meta)
    write_tracks([Track.zeros("arkit52", 2, 25)], tmp_path / "t.npz")
    tr = Track.zeros("arkit52", 2, 25)
    tr.meta = make_meta("text2flame", seed=9)
    write_tracks([tr], tmp_path / "t.json")
    result = run_fxe("inspect", str(tmp_path / "a.png"), str(tmp_path / "b.jpg"), str(tmp_path / "t.json"))
    assert result.code == 0, result.stderr
    records = [json.loads(line) for line in result.out.splitlines()]
    assert records[0]["params"] == {"alpha": 0.5, "expression": "happy"} and records[0]["seed"] == 4
    assert records[1]["generator"] == "fxe edit"
    assert records[2]["generator"] == "fxe text2flame" and records[2]["seed"] == 9


def test_mp4_provenance(tmp_path):
    import imageio_ffmpeg

    meta = make_meta("render", params={"crf": 18, "note": "a=b;c#d\\e"})
    out = tmp_path / "v.mp4"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "color=c=black:s=16x16:d=0.2",
           *ffmpeg_metadata_args(meta), "-pix_fmt", "yuv420p", str(out)]
    subprocess.run(cmd, check=True)
    result = run_fxe("inspect", str(out))
    assert result.code == 0, result.stderr
    assert json.loads(result.out)["params"] == {"crf": 18, "note": "a=b;c#d\\e"}


def test_inspect_file_without_provenance(tmp_path):
    Image.new("RGB", (4, 4)).save(tmp_path / "plain.png")
    result = run_fxe("inspect", str(tmp_path / "plain.png"))
    assert result.code == 3 and "no fxe provenance recorded" in result.stderr


def test_source_date_epoch_is_recorded(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert "time" not in make_meta("x")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert make_meta("x")["time"] == "1970-01-01T00:00:00+00:00"


def test_env_reports_sections():
    result = run_fxe("env", "--json")
    assert result.code == 0, result.stderr
    info = json.loads(result.out)
    assert set(info) == {"system", "packages", "devices", "rendering", "models"}
    assert info["models"]["ict-face-light"].startswith("ok")
    assert info["rendering"]["ffmpeg"].startswith("ok")


def test_inspect_missing_file():
    assert_one_error_line(run_fxe("inspect", "/nonexistent/x.png"), 3, "no such file")
