"""Reading and writing tracks as JSON, JSON Lines (several tracks) and NPZ (same keys, no pickle)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError
from fxcli.io.atomic import atomic_path
from fxcli.io.inputs import loads_json, read_bytes
from fxcli.tracks.track import FORMAT, Track, validate

REQUIRED_KEYS = ("format", "space", "channels", "fps", "frames")
OPTIONAL_KEYS = ("pose", "text", "audio", "meta")
NPZ_MAGIC = b"PK\x03\x04"
FLOAT32_MAX = float(np.finfo(np.float32).max)
DECIMALS = 6  # frames and pose are written rounded to 1e-6: far below any visible difference


def track_from_dict(obj: Any, label: str | None = None) -> Track:
    """Build a Track from a parsed JSON object, with messages that name the offending key."""
    w = f"{label}: " if label else ""
    if not isinstance(obj, dict):
        raise InvalidInputError(f"{w}expected a JSON object (a track), got {type(obj).__name__}")
    missing = [k for k in REQUIRED_KEYS if k not in obj]
    if missing:
        raise InvalidInputError(f"{w}not a track: missing key(s) {', '.join(missing)}")
    unknown = sorted(set(obj) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise InvalidInputError(f"{w}unknown key(s) {', '.join(unknown)}")
    if obj["format"] != FORMAT:
        raise InvalidInputError(f"{w}format is {obj['format']!r}, expected {FORMAT!r}")
    if not isinstance(obj["space"], str):
        raise InvalidInputError(f"{w}space must be a string")
    channels = obj["channels"]
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        raise InvalidInputError(f"{w}channels must be a list of names")
    fps = obj["fps"]
    if not isinstance(fps, (int, float)) or isinstance(fps, bool):
        raise InvalidInputError(f"{w}fps must be a number, got {fps!r}")
    if isinstance(fps, int) and abs(fps) > 10**6:
        raise InvalidInputError(f"{w}fps is out of range ({str(fps)[:12]}...)")
    frames = _matrix(obj["frames"], "frames", w)
    pose = None if obj.get("pose") is None else _matrix(obj["pose"], "pose", w)
    for key in ("text", "audio"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise InvalidInputError(f"{w}{key} must be a string")
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise InvalidInputError(f"{w}meta must be an object")
    if frames.size and frames.shape[1] != len(channels):
        raise InvalidInputError(
            f"{w}frames have {frames.shape[1]} values per frame but {len(channels)} channels are named"
        )
    track = Track.__new__(Track)
    track.space, track.channels, track.fps = obj["space"], list(channels), float(fps)
    track.frames, track.pose = frames, pose
    track.text, track.audio, track.meta = obj.get("text"), obj.get("audio"), meta
    validate(track, label)
    return track


def _matrix(value: Any, key: str, w: str) -> np.ndarray:
    if not isinstance(value, list):
        raise InvalidInputError(f"{w}{key} must be a list of frames (lists of numbers)")
    if not value:
        raise InvalidInputError(f"{w}track has zero frames")
    try:
        arr = np.array(value)  # fast path: a rectangular list of numbers becomes an int/float matrix
    except ValueError:
        arr = None
    if arr is None or arr.ndim != 2 or arr.dtype.kind not in "if":
        _explain_bad_matrix(value, key, w)
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        t, c = np.argwhere(~np.isfinite(arr))[0]
        raise InvalidInputError(f"{w}non-finite value in {key} at frame {t}, column {c}")
    big = np.abs(arr) > FLOAT32_MAX
    if big.any():
        t, c = np.argwhere(big)[0]
        raise InvalidInputError(f"{w}value out of range in {key} at frame {t}, column {c} ({arr[t, c]:.3g})")
    return arr.astype(np.float32)


def _explain_bad_matrix(value: list, key: str, w: str) -> None:
    """Slow path, only for input already known to be bad: name the first offending element."""
    width = None
    for t, row in enumerate(value):
        if not isinstance(row, list):
            raise InvalidInputError(f"{w}{key}[{t}] must be a list of numbers")
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise InvalidInputError(f"{w}{key}[{t}] has {len(row)} values, frame 0 has {width}")
        for c, v in enumerate(row):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise InvalidInputError(f"{w}{key}[{t}][{c}] is {v!r}, expected a number")
    raise InvalidInputError(f"{w}{key} must be a T x C list of numbers")


def track_to_dict(track: Track) -> dict[str, Any]:
    out: dict[str, Any] = {
        "format": FORMAT,
        "space": track.space,
        "channels": list(track.channels),
        "fps": track.fps,
        "frames": _rounded(track.frames),
    }
    if track.pose is not None:
        out["pose"] = _rounded(track.pose)
    if track.text is not None:
        out["text"] = track.text
    if track.audio is not None:
        out["audio"] = track.audio
    out["meta"] = track.meta
    return out


def _rounded(arr: np.ndarray) -> list[list[float]]:
    # +0.0 turns -0.0 into 0.0 so equal tracks serialise to equal bytes
    return (np.round(arr.astype(np.float64), DECIMALS) + 0.0).tolist()


def dumps_track(track: Track) -> str:
    """One track as compact, single-line JSON (a valid JSON Lines record)."""
    return json.dumps(track_to_dict(track), separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def parse_tracks(data: bytes, name: str = "input") -> list[Track]:
    """Parse JSON (one track), JSON Lines (one per line) or NPZ bytes into validated tracks."""
    if data.startswith(NPZ_MAGIC):
        return [_track_from_npz(data, name)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{name}: not UTF-8 JSON and not an NPZ archive") from exc
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InvalidInputError(f"{name} is empty")
    try:
        return [track_from_dict(_loads(text, name), name)]
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data":
            raise InvalidInputError(f"{name}: malformed JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from exc
    tracks = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label = f"{name} line {lineno}"
        try:
            obj = _loads(line, label)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"{label}: malformed JSON ({exc.msg}, column {exc.colno})") from exc
        tracks.append(track_from_dict(obj, label))
    return tracks


def _loads(text: str, name: str = "input") -> Any:
    """orjson for speed; the standard library for its precise messages (and NaN, reported later)."""
    return loads_json(text, name)


def read_tracks(source: str) -> list[Track]:
    """Read one or more tracks from a path or '-' (stdin)."""
    name = "stdin" if source == "-" else source
    return parse_tracks(read_bytes(source), name)


MAX_NPZ_MEMBERS = 32


def check_npz_sizes(data: bytes, name: str, limit: int | None = None) -> None:
    """Refuse an NPZ whose members would decompress past the input limit (zip bombs), before any is read.

    Checks each member's declared uncompressed size, and that the array its .npy header declares fits in
    that size (numpy allocates the declared shape before reading the data).
    """
    from fxcli.io.inputs import input_limit, too_large

    limit = input_limit() if limit is None else limit
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_NPZ_MEMBERS:
                raise InvalidInputError(f"{name}: NPZ with {len(infos)} members (a track has at most "
                                        f"{MAX_NPZ_MEMBERS})")
            if sum(i.file_size for i in infos) > limit:
                raise too_large(f"{name} (uncompressed)", limit)
            for info in infos:
                with zf.open(info) as fh:
                    version = np.lib.format.read_magic(fh)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
                    else:
                        shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
                if dtype.hasobject or dtype.fields is not None:
                    raise InvalidInputError(f"{name}: NPZ member {info.filename} has an object or structured dtype")
                n = 1
                for d in shape:
                    n *= int(d)
                if n * dtype.itemsize > info.file_size:
                    raise InvalidInputError(f"{name}: NPZ member {info.filename} declares shape {tuple(shape)}, "
                                            f"larger than its {info.file_size:,} bytes")
    except InvalidInputError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InvalidInputError(f"{name}: unreadable NPZ ({exc})") from exc


def _track_from_npz(data: bytes, name: str) -> Track:
    check_npz_sizes(data, name)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise InvalidInputError(f"{name}: unreadable NPZ ({exc})") from exc
    obj: dict[str, Any] = {}
    try:
        for key, arr in arrays.items():
            if key in ("frames", "pose"):
                if arr.dtype.kind not in "biuf":
                    raise InvalidInputError(f"{name}: NPZ key {key!r} holds {arr.dtype} values, expected real numbers")
                obj[key] = arr.astype(np.float64).tolist()
            elif key == "channels":
                obj[key] = [str(c) for c in arr.tolist()]
            elif key == "fps":
                if arr.dtype.kind not in "biuf" or arr.size != 1:
                    raise InvalidInputError(f"{name}: NPZ key 'fps' must be one real number")
                obj[key] = float(arr.reshape(()))
            elif key == "meta":
                obj[key] = loads_json(str(arr), f"{name}: meta")
            else:
                obj[key] = str(arr)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name}: NPZ key {key!r} has the wrong type ({exc})") from exc
    return track_from_dict(obj, name)


def npz_bytes(track: Track) -> bytes:
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT),
        "space": np.array(track.space),
        "channels": np.array(track.channels),
        "fps": np.array(track.fps, dtype=np.float64),
        "frames": track.frames.astype(np.float32),
        "meta": np.array(json.dumps(track.meta, sort_keys=True)),
    }
    if track.pose is not None:
        arrays["pose"] = track.pose.astype(np.float32)
    for key in ("text", "audio"):
        if getattr(track, key) is not None:
            arrays[key] = np.array(getattr(track, key))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def encode_tracks(tracks: Iterable[Track], fmt: str) -> bytes:
    tracks = list(tracks)
    if fmt == "npz":
        if len(tracks) != 1:
            raise InvalidInputError("NPZ holds one track; write several tracks as JSON Lines (.jsonl)")
        return npz_bytes(tracks[0])
    return "".join(dumps_track(t) + "\n" for t in tracks).encode("utf-8")


def format_for_path(path: str | os.PathLike) -> str:
    return "npz" if Path(path).suffix.lower() == ".npz" else "json"


def write_tracks(tracks: Iterable[Track], path: str | os.PathLike) -> None:
    """Write tracks atomically; `.npz` for one track in NPZ, anything else JSON / JSON Lines."""
    data = encode_tracks(tracks, format_for_path(path))
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


