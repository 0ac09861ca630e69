"""Watching renders: a live stream to a pipe (`fxe render -o - | ffplay -`) and small GIF previews.

Streaming: ffmpeg writes Matroska (default) or MPEG-TS straight into fxe's stdout, frame by frame as
they are rendered, so a player starts at once; both containers need no seeking, unlike MP4. A terminal
is refused (binary data). A reader that goes away ends the run with exit 141, as for any fxe output.

Previews: `--preview` writes NAME.preview.gif beside a video output: at most 10 fps and 160 px wide,
with its own palette, made from the finished video.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import OutputError, UsageError

CONTAINERS = {"mkv": "matroska", "ts": "mpegts"}
PREVIEW_WIDTH, PREVIEW_FPS = 160, 10


def stream_video(frames: Iterable[np.ndarray], *, size: tuple[int, int], fps: float, meta: dict[str, Any],
                 crf: int = 20, audio: str | None = None, n_frames: int | None = None, container: str = "mkv",
                 progress=None, out=None) -> int:
    """Encode RGB frames (H.264) into a Matroska or MPEG-TS stream on `out` (default: stdout)."""
    from fxcli.render.video_writer import check_audio, check_fps, ffmpeg_exe, metadata_args

    if container not in CONTAINERS:
        raise UsageError(f"unknown stream container {container!r}", hint="use mkv or ts")
    out = sys.stdout if out is None else out
    if hasattr(out, "isatty") and out.isatty():
        raise UsageError("refusing to stream video to a terminal",
                         hint="pipe it to a player (fxe render t.json -o - | ffplay -) or use -o FILE.mp4")
    width, height = size
    if width % 2 or height % 2:
        raise UsageError(f"H.264 needs an even width and height, got {width}x{height}", hint="pick an even --size")
    check_fps(fps)
    if audio is not None and n_frames:
        check_audio(audio, n_frames / fps)
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-framerate", repr(float(fps)),
           "-i", "pipe:0"]
    if audio is not None and n_frames:
        cmd += ["-t", f"{n_frames / fps:.6f}", "-i", str(audio), "-map", "0:v:0", "-map", "1:a:0", "-c:a", "aac"]
    cmd += ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-crf", str(crf),
            "-pix_fmt", "yuv420p"] + metadata_args(meta) + ["-f", CONTAINERS[container], "pipe:1"]
    out.flush()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out.fileno(), stderr=subprocess.PIPE)
    count = 0
    try:
        for frame in frames:
            if frame.shape != (height, width, 3):
                raise ValueError(f"frame of shape {frame.shape}, expected {(height, width, 3)}")
            proc.stdin.write(np.ascontiguousarray(frame).tobytes())
            count += 1
            if progress is not None:
                progress(count)
        proc.stdin.close()
    except BrokenPipeError:
        proc.kill()
        proc.wait()
        raise  # the player went away: exit 141
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    err = proc.stderr.read().decode("utf-8", "replace").strip()
    if proc.wait() != 0:
        if "Broken pipe" in err or "EPIPE" in err:
            raise BrokenPipeError(32, "Broken pipe")
        raise OutputError(f"ffmpeg failed streaming: {err.splitlines()[-1] if err else 'no message'}")
    return count


def preview_path(video: str) -> str:
    p = Path(video)
    return str(p.with_name(p.stem + ".preview.gif"))


def write_preview(video: str) -> str:
    """A small GIF (<= 10 fps, 160 px wide) beside `video`; returns its path."""
    from fxcli.io.atomic import atomic_path
    from fxcli.render.video_writer import ffmpeg_exe

    target = preview_path(video)
    graph = (f"fps={PREVIEW_FPS},scale={PREVIEW_WIDTH}:-2:flags=lanczos,split[a][b];"
             "[a]palettegen=max_colors=128:stats_mode=diff[p];[b][p]paletteuse=dither=bayer")
    with atomic_path(target) as tmp:
        done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", video,
                               "-filter_complex", graph, "-f", "gif", str(tmp)], capture_output=True)
        if done.returncode:
            err = done.stderr.decode("utf-8", "replace").strip()
            raise OutputError(f"ffmpeg failed writing {target}: {err.splitlines()[-1] if err else 'no message'}")
    return target
