"""`fxe render -o -` streams Matroska / MPEG-TS to a pipe; `--preview` writes a small GIF."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
from PIL import Image

from tests.conftest import REPO, run_fxe

TRACK = json.dumps({"format": "fxe.track/v1", "space": "arkit52", "channels": ["jawOpen", "eyeBlinkLeft"],
                    "fps": 10, "frames": [[k / 20, (k % 5) / 4] for k in range(20)]})


def _frames(path) -> tuple[dict, int]:
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    return meta, sum(1 for _ in reader)


def test_stream_to_a_pipe_is_a_playable_matroska_or_mpegts(tmp_path):
    for fmt, magic in (("mkv", b"\x1a\x45\xdf\xa3"), ("ts", b"\x47")):
        r = run_fxe("render", "-", "-o", "-", "--size", "96x96", "--stream-format", fmt, input=TRACK)
        assert r.code == 0, r.stderr
        assert r.stdout.startswith(magic)
        path = tmp_path / f"s.{fmt}"
        path.write_bytes(r.stdout)
        meta, count = _frames(path)
        assert count == 20 and tuple(meta["size"]) == (96, 96)
        assert json.loads(r.stderr.strip().splitlines()[-1])["frames"] == 20  # the summary goes to stderr


def test_a_reader_that_goes_away_ends_with_141():
    proc = subprocess.run(f"{sys.executable} -m fxcli render - -o - --size 96x96 | head -c 100 > /dev/null; "
                          "exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash", input=TRACK.encode(),
                          capture_output=True, cwd=REPO)
    assert proc.returncode == 141, proc.stderr


def test_stream_refuses_a_terminal():
    import pty

    from fxcli.errors import UsageError
    from fxcli.render.stream import stream_video

    main, child = pty.openpty()
    try:
        with open(child, "w") as tty:
            try:
                stream_video(iter([]), size=(16, 16), fps=10, meta={}, out=tty)
            except UsageError as exc:
                assert "terminal" in str(exc)
            else:
                raise AssertionError("a terminal was accepted")
    finally:
        import os

        os.close(main)


def test_preview_gif_beside_a_video(tmp_path):
    r = run_fxe("render", "-", "-o", str(tmp_path / "clip.mp4"), "--size", "256x256", "--preview", input=TRACK)
    assert r.code == 0, r.stderr
    summary = json.loads(r.out)
    gif = tmp_path / "clip.preview.gif"
    assert summary["preview"] == str(gif) and gif.is_file()
    with Image.open(gif) as im:
        assert im.size == (160, 160) and im.n_frames == 20  # 10 fps track: every frame kept
        frame = np.asarray(im.convert("RGB"))
    assert frame.std() > 10  # a head, not a blank picture
    r = run_fxe("render", "-", "-o", "-", "--preview", input=TRACK)
    assert r.code == 2 and "--preview" in r.stderr
