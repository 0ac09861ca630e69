"""Live Link Face CSV (Epic's iPhone capture app; Unreal's import format) <-> `arkit52` tracks.

A recording is one header line and one line per frame:

    Timecode,BlendShapeCount,EyeBlinkLeft,...,TongueOut,HeadYaw,HeadPitch,HeadRoll,
    LeftEyeYaw,LeftEyePitch,LeftEyeRoll,RightEyeYaw,RightEyePitch,RightEyeRoll

`Timecode` is HH:MM:SS:FF.sss (SMPTE frame FF at the timecode rate, then the sub-frame fraction);
`BlendShapeCount` is 61 (52 shapes + 9 rotations); the 52 shapes are ARKit's, capitalised, in Apple's
order except that the app writes JawRight before JawLeft and MouthRight before MouthLeft (columns are
matched by name when reading; writing uses the app's order); the rotations are radians. Reading: the frame rate comes from the time stamps, the head rotation
(yaw about y, pitch about x, roll about z, applied roll, then pitch, then yaw) becomes the track's
axis-angle `pose`, and the original time codes and rotation columns are kept in the track's
`meta.live_link` with their text as written, so writing the track back reproduces every number byte for
byte. Numbers are written as the shortest text that reads back as the same float32 (what the app writes).
"""

from __future__ import annotations

import math

import numpy as np

from fxcli.errors import InvalidInputError
from fxcli.tracks import Track
from fxcli.tracks.channels import ARKIT52

ROTATION_COLUMNS = ("HeadYaw", "HeadPitch", "HeadRoll", "LeftEyeYaw", "LeftEyePitch", "LeftEyeRoll",
                    "RightEyeYaw", "RightEyePitch", "RightEyeRoll")
SHAPE_COLUMNS = tuple(n[0].upper() + n[1:] for n in ARKIT52)
_APP_ORDER = list(SHAPE_COLUMNS)
for _a, _b in (("JawLeft", "JawRight"), ("MouthLeft", "MouthRight")):
    _i, _j = _APP_ORDER.index(_a), _APP_ORDER.index(_b)
    _APP_ORDER[_i], _APP_ORDER[_j] = _APP_ORDER[_j], _APP_ORDER[_i]
APP_SHAPE_ORDER = tuple(_APP_ORDER)
HEADER = ("Timecode", "BlendShapeCount") + APP_SHAPE_ORDER + ROTATION_COLUMNS
COMMON_RATES = (23.976, 24.0, 25.0, 29.97, 30.0, 48.0, 50.0, 59.94, 60.0, 120.0)


def number_text(value: float) -> str:
    """Shortest decimal text that reads back as the same float32."""
    return str(np.float32(value))


def euler_to_axis_angle(ypr: np.ndarray) -> np.ndarray:
    """(T, 3) yaw, pitch, roll (radians) -> (T, 3) axis-angle, R = Ry(yaw) Rx(pitch) Rz(roll)."""
    from scipy.spatial.transform import Rotation

    ypr = np.asarray(ypr, np.float64)
    return Rotation.from_euler("YXZ", ypr).as_rotvec()


def axis_angle_to_euler(pose: np.ndarray) -> np.ndarray:
    from scipy.spatial.transform import Rotation

    return Rotation.from_rotvec(np.asarray(pose, np.float64)).as_euler("YXZ")


def _split_timecode(text: str, row: int) -> tuple[int, float]:
    parts = text.strip().split(":")
    try:
        if len(parts) != 4:
            raise ValueError
        h, m, s = int(parts[0]), int(parts[1]), int(parts[2])
        frame = float(parts[3])
    except ValueError:
        raise InvalidInputError(f"line {row}: timecode {text!r} is not HH:MM:SS:FF.sss") from None
    return h * 3600 + m * 60 + s, frame


def read_live_link_face(data: bytes, name: str = "input") -> Track:
    """A Live Link Face CSV recording as an `arkit52` track (see the module docstring)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError(f"{name}: not UTF-8 text") from None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        raise InvalidInputError(f"{name}: a Live Link Face CSV needs a header and at least one frame")
    header = [h.strip() for h in lines[0].split(",")]
    lower = {h.lower(): k for k, h in enumerate(header)}
    missing = [c for c in ("Timecode",) + SHAPE_COLUMNS if c.lower() not in lower]
    if missing:
        raise InvalidInputError(f"{name}: not a Live Link Face CSV: no column(s) {', '.join(missing[:4])}")
    shape_idx = [lower[c.lower()] for c in SHAPE_COLUMNS]
    rot_idx = [lower.get(c.lower()) for c in ROTATION_COLUMNS]
    seconds, frame_part, shapes, rotations_text, counts = [], [], [], [], []
    overrides: dict[str, str] = {}
    for row, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        if len(cells) != len(header):
            raise InvalidInputError(f"{name}: line {row} has {len(cells)} fields, the header {len(header)}")
        sec, frame = _split_timecode(cells[lower["timecode"]], row)
        seconds.append(sec)
        frame_part.append(frame)
        try:
            values = [float(cells[k]) for k in shape_idx]
        except ValueError:
            raise InvalidInputError(f"{name}: line {row}: a blend shape value is not a number") from None
        shapes.append(values)
        counts.append(cells[lower["blendshapecount"]].strip() if "blendshapecount" in lower else "61")
        for channel, k in zip(ARKIT52, shape_idx, strict=True):
            written = cells[k].strip()
            if number_text(float(written)) != written:  # keep text the shortest float32 form would change
                overrides[f"{row - 2}:{channel}"] = written
        rotations_text.append([cells[k].strip() if k is not None else "0.0" for k in rot_idx])
    frames = np.asarray(shapes, np.float32)
    if not np.isfinite(frames).all():
        raise InvalidInputError(f"{name}: non-finite blend shape value")
    try:
        rotations = np.asarray([[float(v) for v in r] for r in rotations_text], np.float64)
    except ValueError:
        raise InvalidInputError(f"{name}: a rotation value is not a number") from None
    fps = _frame_rate(np.asarray(seconds), np.asarray(frame_part), name)
    pose = euler_to_axis_angle(rotations[:, :3]).astype(np.float32)
    timecodes = [ln.split(",")[lower["timecode"]].strip() for ln in lines[1:]]
    link = {"header": lines[0].strip(), "timecode": timecodes, "count": counts, "rotations": rotations_text}
    if overrides:
        link["text"] = overrides
    meta = {"generator": "Live Link Face", "live_link": link}
    return Track(space="arkit52", channels=list(ARKIT52), fps=fps, frames=frames, pose=pose, meta=meta)


def _frame_rate(seconds: np.ndarray, frames: np.ndarray, name: str) -> float:
    """Frames per second of the rows: the timecode rate is the frame counter's wrap (largest FF + 1, snapped
    to a standard rate); rows may come faster than it (60 fps rows on 30 fps timecode)."""
    if len(seconds) < 2:
        return 30.0
    tc_rate = min(COMMON_RATES, key=lambda r: abs(r - (math.floor(frames.max()) + 1)))
    times = seconds + frames / tc_rate
    steps = np.diff(times)
    steps = steps[steps > 0]
    if not len(steps):
        raise InvalidInputError(f"{name}: the time codes do not advance")
    rate = 1.0 / float(np.median(steps))
    return float(min(COMMON_RATES, key=lambda r: abs(r - rate))) if min(abs(r - rate) for r in COMMON_RATES) < 0.5 \
        else round(rate, 3)


def _timecode(index: int, fps: float) -> str:
    """SMPTE-style HH:MM:SS:FF.000 of frame `index` counted at the rounded frame rate from 00:00:00:00."""
    rate = max(1, round(fps))
    whole, frame = divmod(index, rate)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}:{frame:02d}.000"


def write_live_link_face(track: Track) -> bytes:
    """An `arkit52` track as Live Link Face CSV (Unreal imports it as a Live Link Face recording)."""
    if track.space != "arkit52":
        raise InvalidInputError(f"Live Link Face holds arkit52 tracks, this one is {track.space!r}",
                                hint="these formats carry ARKit-52 weights: convert with --to arkit52 --flame-model PATH, or render with --rig flame")
    weights = track.as_channels(ARKIT52)
    link = track.meta.get("live_link") if isinstance(track.meta, dict) else None
    kept = isinstance(link, dict) and len(link.get("timecode", [])) == track.n_frames \
        and len(link.get("rotations", [])) == track.n_frames
    pose = track.pose if track.pose is not None else np.zeros((track.n_frames, 3), np.float32)
    if kept:
        # the original rotation text, unless the pose was edited since (then the pose wins)
        original = np.asarray([[float(v) for v in r[:3]] for r in link["rotations"]], np.float64)
        kept = np.allclose(euler_to_axis_angle(original).astype(np.float32), pose, atol=1e-6)
    if kept:
        rotations = [list(r) for r in link["rotations"]]
        timecodes = list(link["timecode"])
    else:
        ypr = axis_angle_to_euler(pose)
        rotations = [[number_text(v) for v in r] + ["0.0"] * 6 for r in ypr]
        timecodes = [_timecode(k, track.fps) for k in range(track.n_frames)]
    header = [h.strip() for h in link["header"].split(",")] if kept and "header" in link else list(HEADER)
    counts = link.get("count") if kept else None
    overrides = link.get("text", {}) if kept else {}
    by_lower = {c.lower(): i for i, c in enumerate(ARKIT52)}
    rot_lower = {c.lower(): i for i, c in enumerate(ROTATION_COLUMNS)}
    out = [",".join(header)]
    for k in range(track.n_frames):
        cells = []
        for column in header:
            key = column.lower()
            if key == "timecode":
                cells.append(timecodes[k])
            elif key == "blendshapecount":
                cells.append(counts[k] if counts and len(counts) == track.n_frames else "61")
            elif key in by_lower:
                channel = ARKIT52[by_lower[key]]
                value = weights[k, by_lower[key]]
                text = overrides.get(f"{k}:{channel}")
                cells.append(text if text is not None and np.float32(float(text)) == value else number_text(value))
            elif key in rot_lower:
                cells.append(rotations[k][rot_lower[key]])
            else:
                cells.append("0.0")
        out.append(",".join(cells))
    return ("\n".join(out) + "\n").encode("utf-8")
