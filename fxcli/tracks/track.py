"""`fxe.track/v1`: a sequence of expression frames in a named channel space, with provenance.

A track is validated when built: known space, channel names of that space (unique), frames of shape
T x C with finite values in each channel's range (fxcli.tracks.channels), positive finite fps, optional
head pose T x 3 (radians, axis-angle, at most two full turns).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError
from fxcli.tracks.channels import DEFAULT_CHANNELS, MAX_ROTATION, SPACES, channel_range

FORMAT = "fxe.track/v1"
MAX_FPS = 1000.0


@dataclass
class Track:
    space: str
    channels: list[str]
    fps: float
    frames: np.ndarray  # (T, C) float32
    pose: np.ndarray | None = None  # (T, 3) float32, head rotation axis-angle in radians
    text: str | None = None
    audio: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.channels = list(self.channels)
        self.frames = np.asarray(self.frames, dtype=np.float32)
        if self.pose is not None:
            self.pose = np.asarray(self.pose, dtype=np.float32)
        validate(self)

    @classmethod
    def zeros(cls, space: str, n_frames: int, fps: float, channels: list[str] | None = None) -> "Track":
        names = list(channels if channels is not None else DEFAULT_CHANNELS[space])
        return cls(space=space, channels=names, fps=fps, frames=np.zeros((n_frames, len(names)), np.float32))

    @property
    def n_frames(self) -> int:
        return int(self.frames.shape[0])

    @property
    def duration(self) -> float:
        return self.n_frames / self.fps

    def column(self, name: str) -> np.ndarray:
        """Values of one channel over time (zeros when the track does not carry it)."""
        if name in self.channels:
            return self.frames[:, self.channels.index(name)]
        if name not in SPACES[self.space]:
            raise InvalidInputError(f"channel {name!r} is not in space {self.space!r}")
        return np.zeros(self.n_frames, np.float32)

    def as_channels(self, names: list[str] | tuple[str, ...]) -> np.ndarray:
        """Frames re-ordered to `names` (T x len(names)); channels the track lacks are zero."""
        return np.stack([self.column(n) for n in names], axis=1) if names else np.zeros((self.n_frames, 0))


def _where(label: str | None) -> str:
    return f"{label}: " if label else ""


def validate(track: Track, label: str | None = None) -> None:
    """Raise InvalidInputError with a precise message if the track breaks the format."""
    w = _where(label)
    if track.space not in SPACES:
        raise InvalidInputError(f"{w}unknown space {track.space!r} (known: {', '.join(SPACES)})")
    known = SPACES[track.space]
    known_set = set(known)
    if not track.channels:
        raise InvalidInputError(f"{w}no channels")
    bad = [c for c in track.channels if c not in known_set]
    if bad:
        raise InvalidInputError(
            f"{w}{len(bad)} channel name(s) not in space {track.space!r}: {', '.join(map(str, bad[:5]))}"
        )
    if len(set(track.channels)) != len(track.channels):
        dup = sorted({c for c in track.channels if track.channels.count(c) > 1})
        raise InvalidInputError(f"{w}duplicate channel(s): {', '.join(dup)}")
    if not isinstance(track.fps, (int, float)) or isinstance(track.fps, bool):
        raise InvalidInputError(f"{w}fps must be a number, got {track.fps!r}")
    if not math.isfinite(track.fps) or not 0 < track.fps <= MAX_FPS:
        raise InvalidInputError(f"{w}fps must be in (0, {MAX_FPS:g}], got {track.fps!r}")
    frames = track.frames
    if frames.ndim != 2:
        raise InvalidInputError(f"{w}frames must be a T x C array, got {frames.ndim} dimension(s)")
    if frames.shape[0] == 0:
        raise InvalidInputError(f"{w}track has zero frames")
    if frames.shape[1] != len(track.channels):
        raise InvalidInputError(
            f"{w}frames have {frames.shape[1]} values per frame but {len(track.channels)} channels are named"
        )
    if not np.isfinite(frames).all():
        t, c = np.argwhere(~np.isfinite(frames))[0]
        raise InvalidInputError(f"{w}non-finite value at frame {t}, channel {track.channels[c]!r}")
    low, high = np.array([channel_range(track.space, name) for name in track.channels], np.float64).T
    outside = (frames < low) | (frames > high)
    if outside.any():
        t, c = np.argwhere(outside)[0]
        raise InvalidInputError(f"{w}value {float(frames[t, c]):.3g} at frame {t}, channel {track.channels[c]!r} is "
                                f"outside its range [{low[c]:g}, {high[c]:g}]")
    if track.pose is not None:
        pose = track.pose
        if pose.shape != (frames.shape[0], 3):
            raise InvalidInputError(f"{w}pose must be {frames.shape[0]} x 3 (one per frame), got {pose.shape}")
        if not np.isfinite(pose).all():
            raise InvalidInputError(f"{w}non-finite value in pose at frame {np.argwhere(~np.isfinite(pose))[0][0]}")
        outside = np.abs(pose) > MAX_ROTATION
        if outside.any():
            t, c = np.argwhere(outside)[0]
            raise InvalidInputError(f"{w}pose value {float(pose[t, c]):.3g} rad at frame {t}, component {c} is beyond "
                                    f"two full turns (±{MAX_ROTATION:.4g})")
    if not isinstance(track.meta, dict):
        raise InvalidInputError(f"{w}meta must be an object")
