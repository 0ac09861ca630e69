"""One render job: a track on a rig to a video, GIF, PNG frames or one PNG, with provenance."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError, UsageError
from fxcli.io.same_file import refuse_output_is_input
from fxcli.provenance import make_meta
from fxcli.render.frames import render_frames
from fxcli.render.video_writer import encode_video, output_kind, write_image, write_png_frames

RIGS = ("ict", "flame")


def parse_size(size: str) -> tuple[int, int]:
    """'512' or '640x480' to (width, height)."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:[xX]\s*(\d+))?\s*", size)
    if not m:
        raise UsageError(f"bad size {size!r}", hint="use WIDTHxHEIGHT or one number, e.g. 512x512 or 512")
    width = int(m.group(1))
    return width, int(m.group(2) or width)


def parse_color(color: str) -> tuple[float, float, float]:
    """'#rrggbb', 'rrggbb', 'R,G,B' (0-255) or a few names to RGB floats in [0, 1]."""
    names = {"white": "ffffff", "black": "000000", "grey": "808080", "gray": "808080", "green": "00b140",
             "blue": "0047bb"}
    text = names.get(color.lower(), color).lstrip("#")
    if re.fullmatch(r"[0-9a-fA-F]{6}", text):
        return tuple(int(text[i:i + 2], 16) / 255 for i in (0, 2, 4))
    parts = text.split(",")
    if len(parts) == 3 and all(p.strip().isdigit() and int(p) <= 255 for p in parts):
        return tuple(int(p) / 255 for p in parts)
    raise UsageError(f"bad colour {color!r}", hint="use #rrggbb, R,G,B (0-255) or white/black/grey/green/blue")


def rig_names() -> list[str]:
    """Built-in rigs, then those plugins register."""
    from fxcli.plugins import plugin_rigs

    return list(RIGS) + sorted(set(plugin_rigs()) - set(RIGS))


def load_plugin_rig(name: str, path: str | None = None):
    """A plugin's rig: its class's `load(path)` (contracts.Rig)."""
    from fxcli.contracts import Rig, check
    from fxcli.plugins import load_target, plugin_rigs

    return check(load_target(plugin_rigs()[name]).load(path), Rig, f"rig {name!r}")


def rig_for(track, rig: str | None) -> str:
    """The rig a track renders on: --rig, else the one its space belongs to."""
    wanted = rig or ("flame" if track.space == "flame" else "ict")
    if wanted not in RIGS:  # a rig a plugin registers (fxcli.plugins); it checks the track space itself
        from fxcli.plugins import plugin_rigs

        if wanted not in plugin_rigs():
            raise UsageError(f"unknown rig {wanted!r}", hint=f"choose from {', '.join(rig_names())}")
        return wanted
    if wanted == "ict" and track.space != "arkit52":
        raise UsageError(f"the ICT head renders arkit52 tracks; this track is {track.space!r}",
                         hint="use --rig flame (needs the FLAME model file)")
    if wanted == "flame" and track.space != "flame":
        raise UsageError(f"the FLAME rig renders flame tracks; this track is {track.space!r}",
                         hint="use --rig ict")
    return wanted


def load_identity(identity: str | None) -> np.ndarray | None:
    """Identity coefficients from a .npy file or a JSON list of numbers."""
    if identity is None:
        return None
    from fxcli.io.inputs import read_bytes

    data = read_bytes(identity)
    try:
        if data.startswith(b"\x93NUMPY"):
            from fxcli.io.inputs import load_npy_bytes

            values = load_npy_bytes(data, identity)
        else:
            from fxcli.io.inputs import loads_json

            values = np.asarray(loads_json(data.decode("utf-8"), identity), np.float64)
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{identity}: expected a JSON list of numbers or a .npy array ({exc})") from exc
    if values.ndim != 1 or not len(values) or not np.isfinite(values).all():
        raise InvalidInputError(f"{identity}: expected a flat list of finite numbers, got shape {values.shape}")
    from fxcli.avatar.identity import check_identity_range

    return check_identity_range(values, identity)


def output_for(pattern: str, index: int, track, count: int) -> str:
    """The output path of track `index` of `count`: a pattern with {i} / {name} when there are several."""
    if count > 1 and "{" not in pattern and output_kind(pattern) != "frames":
        raise UsageError(f"{count} tracks but one output {pattern!r}",
                         hint="use a pattern such as out_{i}.mp4 or out_{name}.mp4")
    name = re.sub(r"[^A-Za-z0-9]+", "-", (track.text or f"track{index}")).strip("-")[:40].lower() or f"track{index}"
    try:
        out = pattern.format(i=index, name=name)
    except (KeyError, IndexError, ValueError) as exc:
        raise UsageError(f"bad output pattern {pattern!r} ({exc})", hint="use {i} and {name} only") from exc
    if count > 1 and output_kind(pattern) == "frames" and "{" not in pattern:
        out = str(Path(pattern) / f"track_{index:03d}")
    return out


def render_track(track, output: str, *, rig, renderer, view: str = "front", identity: np.ndarray | None = None,
                 identity_seed: int | None = None, frame: int | None = None, crf: int = 20,
                 audio: str | None = None, style: str = "shaded", source: str | None = None,
                 progress=None, container: str = "mkv") -> dict[str, Any]:
    """Render `track` to `output` and return a summary (frames, fps, output, renderer).

    `output` "-" streams the video to stdout in `container` (mkv or ts; fxcli.render.stream)."""
    kind = "stream" if output == "-" else output_kind(output)
    if frame is not None:
        if kind != "image":
            raise UsageError("--frame writes one picture", hint="use an image output such as -o frame.png")
        if not 0 <= frame < track.n_frames:
            raise UsageError(f"--frame {frame} is outside the track (0..{track.n_frames - 1})")
    elif kind == "image":
        raise UsageError(f"{output} is one picture", hint="add --frame N, or write .mp4/.gif or a folder/")
    if identity is None and identity_seed is not None:
        identity = rig.identity_weights(identity_seed) if hasattr(rig, "identity_weights") else rig.shape_weights(identity_seed)
    audio_option = "--audio"
    if audio is None and track.audio and kind in ("video", "stream"):
        base = Path(source).parent if source and source != "-" else Path.cwd()
        audio = str(Path(track.audio) if Path(track.audio).is_absolute() else base / track.audio)
        audio_option = "the track's audio"
    if kind != "stream":
        refuse_output_is_input(("-o", output), [(audio_option, audio)])
    model = "ict-face-light" if hasattr(rig, "identity_weights") else f"flame:{rig.name}"
    params = {"size": f"{renderer.size[0]}x{renderer.size[1]}", "view": view, "style": style,
              "identity_seed": identity_seed, "crf": crf if kind == "video" else None, "frame": frame,
              "fps": track.fps, "audio": Path(audio).name if audio else None}
    meta = make_meta("render", model=model, model_hash=rig.model_hash, seed=identity_seed, params=params,
                     renderer=renderer.backend, track=track.meta or None)
    frames = render_frames(rig, track, renderer, view=view, identity=identity,
                           frames=[frame] if frame is not None else None)
    if kind == "image":
        write_image(next(iter(frames)), output, meta)
        count = 1
    elif kind == "frames":
        count = write_png_frames(frames, output, meta, progress=progress)
    elif kind == "stream":
        from fxcli.render.stream import stream_video

        count = stream_video(frames, size=renderer.size, fps=track.fps, meta=meta, crf=crf, audio=audio,
                             n_frames=track.n_frames, container=container, progress=progress)
    else:
        count = encode_video(frames, output, size=renderer.size, fps=track.fps, meta=meta, crf=crf, audio=audio,
                             n_frames=track.n_frames, progress=progress)
    return {"output": output, "frames": count, "fps": track.fps, "duration": track.n_frames / track.fps,
            "renderer": renderer.backend}
