"""Writing rendered frames: MP4 (H.264 yuv420p) or GIF streamed to ffmpeg, PNG frames, single PNGs.

Frames go to ffmpeg's stdin as raw RGB: no temporary frame files. The output is written to a temp file
beside the target and renamed only when ffmpeg succeeded (an interrupted run leaves nothing behind); a
non-regular target (/dev/stdout, a FIFO) gets the finished file streamed into it (fxcli.io.atomic).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError, OutputError, UsageError
from fxcli.io.atomic import atomic_path, check_writable_dir
from fxcli.provenance import ffmpeg_metadata_args, png_info, save_image
from fxcli.render.pipeline import BackgroundWriter

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


def output_kind(output: str) -> str:
    """'video', 'gif', 'image' or 'frames' (a folder of PNGs: an existing folder or a path ending in '/')."""
    path = Path(output)
    suffix = path.suffix.lower()
    if output.endswith(("/", "\\")) or path.is_dir():
        return "frames"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix == ".gif":
        return "gif"
    if suffix in IMAGE_SUFFIXES:
        return "image"
    raise UsageError(f"cannot tell the output format of {output!r}",
                     hint="use .mp4/.mov/.mkv, .gif, .png (with --frame) or a folder ending in / for PNG frames")


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


# Below this ffmpeg's MP4/MOV muxer fails ("Invalid argument": no track timescale fits); measured near 6e-6
# with ffmpeg 7, so one frame per 1000 s leaves a wide margin and is slower than any real animation.
MIN_FPS = 0.001
MAX_META_CHARS = 16_000  # provenance stored in a container tag: one ffmpeg argument (Linux caps one at 128 KiB)


def check_fps(fps: float, what: str = "the track's fps") -> None:
    """InvalidInputError when a video cannot run at `fps` frames per second."""
    if fps < MIN_FPS:
        raise InvalidInputError(f"{what} {fps!r} is below {MIN_FPS:g}, the slowest frame rate a video can have",
                                hint="set fps to the frames per second the track was made at, e.g. 25")


def _shorten(value: Any, chars: int, items: int) -> Any:
    if isinstance(value, str):
        return value if len(value) <= chars else f"{value[:chars]}... ({len(value)} characters)"
    if isinstance(value, dict):
        out = {str(k): _shorten(v, chars, items) for k, v in list(value.items())[:items]}
        if len(value) > items:
            out["..."] = f"{len(value) - items} more keys"
        return out
    if isinstance(value, (list, tuple)):
        out = [_shorten(v, chars, items) for v in value[:items]]
        return out + [f"... {len(value) - items} more"] if len(value) > items else out
    return value


def metadata_args(meta: dict[str, Any]) -> list[str]:
    """ffmpeg arguments storing `meta`, with long strings, lists and objects shortened to fit one argument.

    The full provenance of a video is its inputs' (a track's meta, an instruction): at most MAX_META_CHARS
    of it go into the container, still valid JSON."""
    from fxcli.provenance import meta_json

    for chars, items in ((None, None), (1000, 100), (200, 20), (80, 8)):
        shown = meta if chars is None else _shorten(meta, chars, items)
        if len(meta_json(shown)) <= MAX_META_CHARS:
            return ffmpeg_metadata_args(shown)
    return ffmpeg_metadata_args({k: v for k, v in _shorten(meta, 80, 8).items() if not isinstance(v, (dict, list))})


def check_audio(audio: str, seconds: float) -> None:
    """InvalidInputError unless ffmpeg can decode the first `seconds` of `audio` to finite samples."""
    if not Path(audio).is_file():
        raise InvalidInputError(f"audio file {audio}: no such file")
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-t", f"{seconds:.6f}", "-i", str(audio),
           "-map", "0:a:0", "-ac", "1", "-ar", "8000", "-f", "f32le", "pipe:1"]
    done = subprocess.run(cmd, capture_output=True, check=False)
    err = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        why = "it has no audio stream" if "matches no streams" in err else (err.splitlines()[-1] if err else "")
        raise InvalidInputError(f"ffmpeg cannot read the audio {audio}: {why}",
                                hint="give a WAV, FLAC, MP3, OGG or a video with sound")
    samples = np.frombuffer(done.stdout[: len(done.stdout) // 4 * 4], np.float32)
    if not np.isfinite(samples).all():
        raise InvalidInputError(f"audio {audio} holds NaN or infinite samples")


def encode_video(frames: Iterable[np.ndarray], output: str, *, size: tuple[int, int], fps: float, meta: dict[str, Any],
                 crf: int = 20, audio: str | None = None, n_frames: int | None = None, preset: str = "veryfast",
                 progress=None) -> int:
    """Stream RGB frames into an MP4/MOV/MKV (H.264, yuv420p) or a GIF; returns the number of frames."""
    width, height = size
    kind = output_kind(output)
    if kind == "video" and (width % 2 or height % 2):
        raise UsageError(f"H.264 with yuv420p needs an even width and height, got {width}x{height}",
                         hint="pick an even --size, e.g. 512x512")
    if kind in ("video", "gif"):
        check_fps(fps)
    if audio is not None and kind == "video" and n_frames:
        check_audio(audio, n_frames / fps)
    check_writable_dir(output)
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-framerate", repr(float(fps)),
           "-i", "pipe:0"]
    if audio is not None and kind == "video" and n_frames:
        # cut the audio to the video's length so the frame count stays the track's
        cmd += ["-t", f"{n_frames / fps:.6f}", "-i", str(audio)]
    if kind == "video":
        cmd += ["-map", "0:v:0"] + (["-map", "1:a:0", "-c:a", "aac", "-b:a", "160k"] if audio and n_frames else [])
        cmd += ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p",
                "-movflags", "+faststart"]
    else:
        cmd += ["-filter_complex", "split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer"]
    cmd += metadata_args(meta)
    count = 0
    with ExitStack() as stack:
        tmp = stack.enter_context(atomic_path(output))
        proc = subprocess.Popen(cmd + [str(tmp)], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        # frames go down the pipe on a worker thread, so the next frame renders while ffmpeg takes this one
        writer = BackgroundWriter(proc.stdin.write, depth=3, name="fxe-ffmpeg-pipe")
        try:
            for frame in frames:
                if frame.shape != (height, width, 3):
                    raise ValueError(f"frame of shape {frame.shape}, expected {(height, width, 3)}")
                if writer.error is not None:
                    break  # ffmpeg stopped early: its error is read below
                writer.put(np.ascontiguousarray(frame))
                count += 1
                if progress is not None:
                    progress(count)
            writer.close()
            if writer.error is not None and not isinstance(writer.error, (BrokenPipeError, OSError)):
                raise writer.error
            try:
                proc.stdin.close()
            except OSError:
                pass  # ffmpeg stopped early: its error is read below
        except BaseException:
            proc.kill()
            writer.close()  # writes now fail at once: the queue drains
            proc.wait()
            raise
        err = proc.stderr.read().decode("utf-8", "replace").strip()
        if proc.wait() != 0:
            if audio is not None and str(audio) in err or "Invalid data found" in err:
                raise InvalidInputError(f"ffmpeg cannot read the audio {audio}: {err.splitlines()[-1] if err else ''}")
            raise OutputError(f"ffmpeg failed writing {output}: {err.splitlines()[-1] if err else 'no message'}")
    return count


def write_png_frames(frames: Iterable[np.ndarray], folder: str, meta: dict[str, Any], progress=None) -> int:
    """One PNG per frame (frame_000000.png ...) in `folder`, each with provenance.

    The frames are written into a temp sibling folder, which becomes `folder` only when every frame is
    written (an interrupted run leaves nothing a rerun could mistake for a finished render). The folder's
    provenance (with the resume record) goes to FOLDER_RECORD, moved in last. Frames of an earlier,
    longer render in the same folder are removed.
    """
    import json

    from PIL import Image

    from fxcli.io.atomic import atomic_dir
    from fxcli.io.record import FOLDER_RECORD
    from fxcli.provenance import meta_json

    count = 0
    with atomic_dir(folder, stale=("frame_*.png",), last=(FOLDER_RECORD,)) as tmp:
        try:
            for count, frame in enumerate(frames, 1):
                Image.fromarray(frame).save(tmp / f"frame_{count - 1:06d}.png", format="PNG",
                                            pnginfo=png_info({**meta, "frame": count - 1}))
                if progress is not None:
                    progress(count)
            record = {**json.loads(meta_json(meta)), "frames": count}
            (tmp / FOLDER_RECORD).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot write {folder}: {exc.strerror or exc}") from exc
    return count


def write_image(frame: np.ndarray, output: str, meta: dict[str, Any]) -> None:
    from PIL import Image

    save_image(Image.fromarray(frame), output, meta)
