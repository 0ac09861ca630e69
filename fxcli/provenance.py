"""Provenance: the record of how an output was made, embedded in every file fxe writes.

Outputs are reproducible byte for byte: the record holds no wall-clock time unless the standard
`SOURCE_DATE_EPOCH` variable is set, in which case its value is recorded as `time` (UTC, ISO 8601).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from typing import Any

from fxcli import __version__

PNG_KEY = "fxe"


def make_meta(generator: str, *, model: str | None = None, model_hash: str | None = None,
              seed: int | None = None, params: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """Provenance dict: generator (subcommand), model id and hash, seed, fxe version, parameters."""
    meta: dict[str, Any] = {"generator": f"fxe {generator}", "version": __version__}
    if model is not None:
        meta["model"] = model
    if model_hash is not None:
        meta["model_hash"] = model_hash
    if seed is not None:
        meta["seed"] = seed
    if params:
        meta["params"] = {k: v for k, v in params.items() if v is not None}
        resolved = _resolved_expression(params.get("expression"))
        if resolved:
            meta["expression_resolved"] = resolved
    stamp = source_date_epoch()
    if stamp is not None:
        meta["time"] = _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc).isoformat()
    meta.update(extra)
    return meta


MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z, the last second a date can show


def source_date_epoch() -> int | None:
    """The `SOURCE_DATE_EPOCH` time (whole seconds since 1970, UTC), or None when unset.

    UsageError for any other value: it is checked before a command runs, as libraries read it too
    (numpy's f2py fails on a non-integer at import).
    """
    from fxcli.errors import UsageError

    stamp = os.environ.get("SOURCE_DATE_EPOCH")
    if stamp is None:
        return None
    if not (stamp.isascii() and stamp.isdigit()) or int(stamp) > MAX_EPOCH:
        shown = stamp if len(stamp) <= 24 else stamp[:21] + "..."
        raise UsageError(f"SOURCE_DATE_EPOCH is {shown!r}, expected whole seconds since 1970 from 0 to "
                         f"{MAX_EPOCH} (e.g. 1700000000)", hint="set it to such a number or unset it")
    return int(stamp)


def _resolved_expression(expression: Any) -> dict[str, Any] | None:
    """How this run read an --expression (exact, synonym, spelling or semantic, and the mixture), if it did."""
    if not isinstance(expression, str) or not expression:
        return None
    from fxcli.expressions import resolve

    if expression not in resolve.RESOLVED:
        from fxcli.errors import FxeError

        try:
            resolve.resolve_expression(expression)
        except FxeError:
            return None
    return resolve.RESOLVED.get(expression)


def meta_json(meta: dict[str, Any]) -> str:
    return json.dumps(meta, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def png_info(meta: dict[str, Any]):
    """A PIL PngInfo carrying the provenance as the `fxe` text chunk."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt(PNG_KEY, meta_json(meta))
    return info


def save_image(image, path, meta: dict[str, Any]) -> None:
    """Save a PIL image atomically with provenance (PNG text chunk; EXIF comment for JPEG/WebP)."""
    from pathlib import Path

    from fxcli.io.atomic import atomic_path

    suffix = Path(path).suffix.lower()
    with atomic_path(path) as tmp:
        if suffix == ".png":
            image.save(tmp, format="PNG", pnginfo=png_info(meta))
        else:
            exif = image.getexif()
            exif[0x9286] = meta_json(meta)  # UserComment
            fmt = {".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}.get(suffix)
            image.save(tmp, format=fmt, exif=exif.tobytes())


MP4_TAG = "comment"  # MP4/GIF outputs carry the provenance JSON in this container metadata tag


def ffmpeg_metadata_args(meta: dict[str, Any]) -> list[str]:
    """ffmpeg arguments that store the provenance in the output container."""
    return ["-metadata", f"{MP4_TAG}={meta_json(meta)}"]


def _read_video_meta(path: str) -> dict[str, Any] | None:
    import subprocess

    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", path, "-f", "ffmetadata", "-"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    # ffmetadata escapes '=', ';', '#', '\' and newlines with a backslash
    lines, buf = [], ""
    for line in out.splitlines():
        if line.endswith("\\") and not line.endswith("\\\\"):
            buf += line[:-1] + "\n"
            continue
        lines.append(buf + line)
        buf = ""
    for line in lines:
        key, sep, value = line.partition("=")
        if sep and key.strip() == MP4_TAG:
            value = value.replace("\\=", "=").replace("\\;", ";").replace("\\#", "#").replace("\\\\", "\\")
            try:
                return json.loads(value)
            except (ValueError, RecursionError):
                return None
    return None


def _record(text: str, path: str) -> dict[str, Any]:
    """The provenance JSON object of a picture; InvalidInputError when the fxe chunk is not one."""
    from fxcli.errors import InvalidInputError
    from fxcli.io.inputs import loads_json

    try:
        record = loads_json(text, f"{path}: fxe metadata")
    except json.JSONDecodeError:
        raise InvalidInputError(f"{path}: its fxe metadata is not JSON (not written by fxe, or damaged)") from None
    if not isinstance(record, dict):
        raise InvalidInputError(f"{path}: its fxe metadata is not a JSON object")
    return record


def read_provenance(path: str) -> list[dict[str, Any]]:
    """The provenance records fxe wrote into a file (PNG/JPEG/WebP, MP4/GIF/MOV, track JSON/JSONL/NPZ)."""
    from pathlib import Path

    from fxcli.errors import InvalidInputError

    p = Path(path)
    if not p.is_file():
        if p.is_dir():
            raise InvalidInputError(f"{path}: is a folder, expected a file", hint="name the files in it, e.g. DIR/*.png")
        if p.exists():
            raise InvalidInputError(f"{path}: not a regular file (a device, pipe or socket)")
        raise InvalidInputError(f"{path}: no such file")
    suffix = p.suffix.lower()
    if suffix in (".png", ".jpg", ".jpeg", ".webp"):
        import warnings

        from PIL import Image, UnidentifiedImageError

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(p) as im:  # reads the header and the chunks before the pixels, not the pixels
                    text = im.info.get(PNG_KEY) if suffix == ".png" else im.getexif().get(0x9286)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InvalidInputError(f"{path}: image too large to open safely (a decompression bomb?)") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise InvalidInputError(f"{path}: not a readable image ({exc})") from exc
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return [_record(text, path)] if text else []
    if suffix in (".mp4", ".mov", ".mkv", ".gif", ".webm"):
        meta = _read_video_meta(str(p))
        return [meta] if isinstance(meta, dict) and meta else []
    from fxcli.tracks.track_io import read_tracks

    return [t.meta for t in read_tracks(str(p))]
