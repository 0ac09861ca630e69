"""`fxe track capture`: a video of one face -> an `arkit52` track with head pose.

Per frame, FaceMesh finds 468 landmarks (BlazeFace on the first frame and whenever the face is lost,
otherwise a crop around the previous frame's landmarks, as MediaPipe tracks), and the ICT fit
(fxcli.face.ict_fit) turns them into ARKit-52 weights and a head rotation. The identity is fitted once,
jointly on a few frames spread over the first seconds, then held fixed, so it cannot soak up expression.
Each frame's fit is pulled slightly toward the previous one (a temporal prior), and the curves are then
smoothed with a Savitzky-Golay filter (zero lag: the whole clip is known).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fxcli.errors import InvalidInputError, NoFaceError
from fxcli.tracks import Track
from fxcli.tracks.channels import ARKIT52

IDENTITY_FRAMES = 6  # frames the identity is fitted on
IDENTITY_SPAN_S = 3.0  # ... spread over the first seconds
TEMPORAL_PRIOR = 0.01  # pull toward the previous frame's weights (model units, see ict_fit)
SMOOTH_S = 0.2  # Savitzky-Golay window (seconds; at least 5 frames)
MIN_PRESENCE = 0.5


@dataclass
class CaptureResult:
    track: Track
    identity: np.ndarray  # (100,)
    residual_px: np.ndarray  # (T,) per-frame RMS landmark residual
    residual_iod: np.ndarray  # (T,)
    landmarks: np.ndarray  # (T, 468, 3) FaceMesh landmarks, image px
    lost: int  # frames where the face was lost and filled from neighbours


def video_info(path: str) -> tuple[tuple[int, int], float, int | None]:
    """(width, height), fps and frame count (None if the container does not say) of a video file."""
    import imageio_ffmpeg

    if not Path(path).is_file():
        raise InvalidInputError(f"{path}: no such file")
    try:
        reader = imageio_ffmpeg.read_frames(path)
        meta = reader.__next__()
        reader.close()
    except (OSError, RuntimeError, StopIteration) as exc:
        raise InvalidInputError(f"{path}: not a readable video ({_first_line(exc)})") from None
    fps = float(meta.get("fps") or 0)
    if not fps > 0:
        raise InvalidInputError(f"{path}: the video does not state its frame rate")
    n = meta.get("duration")
    return tuple(meta["size"]), fps, int(round(n * fps)) if n else None


def read_video(path: str) -> Iterator[np.ndarray]:
    """RGB uint8 frames (H, W, 3) of a video, decoded by ffmpeg (imageio-ffmpeg) one at a time."""
    import imageio_ffmpeg

    try:
        reader = imageio_ffmpeg.read_frames(path, pix_fmt="rgb24")
        meta = reader.__next__()
    except (OSError, RuntimeError, StopIteration) as exc:
        raise InvalidInputError(f"{path}: not a readable video ({_first_line(exc)})") from None
    width, height = meta["size"]
    try:
        for raw in reader:
            yield np.frombuffer(raw, np.uint8).reshape(height, width, 3)
    except (RuntimeError, subprocess.SubprocessError) as exc:
        raise InvalidInputError(f"{path}: decoding failed ({exc})") from None
    finally:
        reader.close()


def _landmarks(image: np.ndarray, previous: np.ndarray | None) -> np.ndarray | None:
    from fxcli.face import detect_faces
    from fxcli.face.facemesh import landmarks_in_roi, roi_from_landmarks

    if previous is not None:
        landmarks, presence = landmarks_in_roi(image, roi_from_landmarks(previous))
        if presence >= MIN_PRESENCE:
            return landmarks
    faces = detect_faces(image)
    return faces[0].landmarks if faces else None


def smooth(values: np.ndarray, fps: float, seconds: float = SMOOTH_S) -> np.ndarray:
    """Savitzky-Golay (quadratic) along time over a window of ~`seconds` (odd, at least 5 frames: a
    quadratic through fewer changes nothing); clips shorter than the window pass unchanged."""
    from scipy.signal import savgol_filter

    window = max(5, int(round(seconds * fps)) | 1)
    if len(values) < window:
        return values
    return savgol_filter(values, window, 2, axis=0, mode="interp")


def capture_video(path: str, *, identity: np.ndarray | None = None, smooth_s: float = SMOOTH_S,
                  max_frames: int | None = None,
                  progress: Callable[[int, int | None], None] | None = None, meta: dict | None = None
                  ) -> CaptureResult:
    """Capture an `arkit52` track (52 weights + head pose, the video's fps) from a video of one face.

    `identity` (100 ICT coefficients) fixes the head's shape instead of fitting it on the first frames.
    """
    from fxcli.face.ict_fit import fit_face, fit_identity

    _, fps, n_expected = video_info(path)
    marks: list[np.ndarray | None] = []
    previous = None
    for k, image in enumerate(read_video(path)):
        if max_frames is not None and k >= max_frames:
            break
        found = _landmarks(image, previous)
        marks.append(found)
        previous = found
        if progress:
            progress(k + 1, n_expected)
    if not marks:
        raise InvalidInputError(f"{path}: the video has no frames")
    seen = [k for k, m in enumerate(marks) if m is not None]
    if not seen:
        raise NoFaceError(f"{path}: no face found in any of its {len(marks)} frames",
                          hint="use a video with one frontal or three-quarter face at least ~40 px wide")
    # frames where the face was lost take the nearest found frame's landmarks (the curves stay continuous)
    lost = len(marks) - len(seen)
    for k in range(len(marks)):
        if marks[k] is None:
            marks[k] = marks[min(seen, key=lambda j, k=k: abs(j - k))]
    landmarks = np.stack(marks).astype(np.float32)
    if identity is None:
        early = [k for k in seen if k < IDENTITY_SPAN_S * fps] or seen
        chosen = [early[int(i)] for i in np.linspace(0, len(early) - 1, min(IDENTITY_FRAMES, len(early)))]
        identity = fit_identity([landmarks[k] for k in chosen], rounds=2)
    else:
        identity = np.zeros(100, np.float32) + np.asarray(identity, np.float32)
    weights = np.zeros((len(marks), len(ARKIT52)), np.float32)
    pose = np.zeros((len(marks), 3), np.float32)
    res_px = np.zeros(len(marks), np.float32)
    res_iod = np.zeros(len(marks), np.float32)
    prev = None
    for k, lm in enumerate(landmarks):
        fit = fit_face(lm, identity=identity, fit_identity=False, previous=prev, temporal=TEMPORAL_PRIOR)
        weights[k], pose[k], res_px[k], res_iod[k] = fit.arkit, fit.rotation, fit.residual_px, fit.residual_iod
        prev = fit.arkit
    if smooth_s > 0:
        weights = np.clip(smooth(weights, fps, smooth_s), 0.0, 1.0)
        pose = smooth(np.unwrap(pose, axis=0), fps, smooth_s)
    track = Track(space="arkit52", channels=list(ARKIT52), fps=fps, frames=weights, pose=pose, meta=dict(meta or {}))
    return CaptureResult(track, identity, res_px, res_iod, landmarks, lost)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
