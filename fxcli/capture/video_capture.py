"""`fxe track capture`: a video of one face -> an `arkit52` track with head pose.

Per frame, FaceMesh finds 468 landmarks (BlazeFace on the first frame and whenever the face is lost,
otherwise a crop around the previous frame's landmarks, as MediaPipe tracks), and the ICT fit
(fxcli.face.ict_fit) turns them into ARKit-52 weights and a head rotation. The identity is fitted once,
jointly on a few frames spread over the first seconds, then held fixed, so it cannot soak up expression.
The solver's prior (capture_prior) keeps gaze, sideways jaw/mouth and antagonistic pairs (brows up and
down, eyes wide and closed) from soaking up landmark noise. Each frame's fit is pulled slightly toward the
previous one (a temporal prior); frames where FaceMesh lost the face or its landmarks fit far worse than
the clip's median (a failed re-detection: the head seems to jerk 10 degrees for 3 frames) take values
interpolated from their good neighbours; the curves are then smoothed with a Savitzky-Golay filter (zero
lag: the whole clip is known). With `neutral_s`, the clip's first seconds are taken as the face at rest:
each channel's mean there is subtracted and the rest of its range stretched back to [0, 1].
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
# the solver's priors, relative to each shape's own landmark motion |D_k|^2 (cm^2 at weight 1), so a
# shape that moves the landmarks little (eyeWide, ~1 cm^2) is not held down more than one that moves them
# much (jawOpen, ~900 cm^2); see capture_prior
EXPRESSION_PRIOR = 0.02
GAZE_PRIOR = 1.0  # eyeLook* (absolute): the 468 landmarks have no iris, gaze is not seen
LATERAL_PRIOR = 0.1
ANTAGONIST_PRIOR = 0.1
LATERAL = ("jawLeft", "jawRight", "jawForward", "mouthLeft", "mouthRight")
ANTAGONISTS = ([(f"browDown{s}", o) for s in ("Left", "Right") for o in ("browInnerUp", f"browOuterUp{s}")]
               + [(f"eyeWide{s}", f"eye{o}{s}") for s in ("Left", "Right") for o in ("Squint", "Blink")]
               + [(f"mouthSmile{s}", f"mouthFrown{s}") for s in ("Left", "Right")]
               + [("mouthPucker", f"mouthStretch{s}") for s in ("Left", "Right")]
               + [("jawLeft", "jawRight"), ("mouthLeft", "mouthRight"), ("mouthRollLower", "mouthShrugLower"),
                  ("mouthRollUpper", "mouthShrugUpper")])
OUTLIER = 1.4  # a frame whose landmark residual exceeds 1.4x the clip's median is a tracking failure


def capture_prior() -> np.ndarray:
    """The (52, 52) quadratic prior of the capture solver, in units of each shape's landmark motion
    e_k = |D_k|^2: EXPRESSION_PRIOR e_k w_k^2 (LATERAL_PRIOR for sideways jaw and mouth, which a head tilt
    fakes easily), GAZE_PRIOR w^2 for eyeLook*, and ANTAGONIST_PRIOR (sqrt(e_a) w_a + sqrt(e_b) w_b)^2 for
    channels that move the landmarks in opposite directions (browDown vs browOuterUp, eyeWide vs eyeBlink):
    without it both can rise and cancel, soaking up landmark noise or a mismatched neutral."""
    from fxcli.face.ict_fit import landmark_basis

    basis = landmark_basis()
    energy = np.maximum((basis.arkit ** 2 * basis.weights).reshape(len(ARKIT52), -1).sum(1), 1e-6)  # as the fit weighs
    names = list(ARKIT52)
    prior = np.diag([GAZE_PRIOR if n.startswith("eyeLook")
                     else (LATERAL_PRIOR if n in LATERAL else EXPRESSION_PRIOR) * energy[k]
                     for k, n in enumerate(names)])
    for a, b in ANTAGONISTS:
        v = np.zeros(len(names))
        v[names.index(a)], v[names.index(b)] = np.sqrt(energy[names.index(a)]), np.sqrt(energy[names.index(b)])
        prior += ANTAGONIST_PRIOR * np.outer(v, v)
    return prior


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
                  max_frames: int | None = None, neutral_s: float = 0.0,
                  progress: Callable[[int, int | None], None] | None = None, meta: dict | None = None
                  ) -> CaptureResult:
    """Capture an `arkit52` track (52 weights + head pose, the video's fps) from a video of one face.

    `identity` (100 ICT coefficients) fixes the head's shape instead of fitting it on the first frames.
    """
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
    early = [k for k in seen if k < IDENTITY_SPAN_S * fps] or seen
    track, identity, res_px, res_iod = solve_landmarks(landmarks, fps, identity=identity, smooth_s=smooth_s,
                                                       calibration=early, meta=meta, neutral_s=neutral_s,
                                                       lost=sorted(set(range(len(marks))) - set(seen)))
    return CaptureResult(track, identity, res_px, res_iod, landmarks, lost)


def solve_landmarks(landmarks: np.ndarray, fps: float, *, identity: np.ndarray | None = None,
                    smooth_s: float = SMOOTH_S, calibration: list[int] | None = None, meta: dict | None = None,
                    lost: list[int] | None = None, neutral_s: float = 0.0
                    ) -> tuple[Track, np.ndarray, np.ndarray, np.ndarray]:
    """(track, identity, residual px, residual / inter-ocular) from FaceMesh landmarks (T, 468, 3);
    `calibration`: the frames the identity is fitted on; `lost`: frames without their own landmarks."""
    from fxcli.face.ict_fit import fit_face, fit_identity

    early = list(range(len(landmarks))) if calibration is None else calibration
    prior = capture_prior()
    if identity is None:
        chosen = [early[int(i)] for i in np.linspace(0, len(early) - 1, min(IDENTITY_FRAMES, len(early)))]
        identity = fit_identity([landmarks[k] for k in chosen], rounds=2, prior=prior)
    else:
        identity = np.zeros(100, np.float32) + np.asarray(identity, np.float32)
    n = len(landmarks)
    weights = np.zeros((n, len(ARKIT52)), np.float32)
    pose = np.zeros((n, 3), np.float32)
    res_px = np.zeros(n, np.float32)
    res_iod = np.zeros(n, np.float32)
    prev = None
    for k, lm in enumerate(landmarks):
        fit = fit_face(lm, identity=identity, fit_identity=False, previous=prev, temporal=TEMPORAL_PRIOR, prior=prior)
        weights[k], pose[k], res_px[k], res_iod[k] = fit.arkit, fit.rotation, fit.residual_px, fit.residual_iod
        prev = fit.arkit
    bad = res_iod > OUTLIER * np.median(res_iod)
    bad[[k for k in (lost or []) if 0 <= k < n]] = True
    good = np.flatnonzero(~bad)
    if 0 < len(good) < n:
        times = np.arange(n)
        pose = np.unwrap(pose, axis=0)
        for values in (weights, pose):
            for c in range(values.shape[1]):
                values[:, c] = np.interp(times, good, values[good, c])
    if neutral_s > 0:
        rest = weights[: max(1, int(round(neutral_s * fps)))].mean(0)
        weights = np.clip((weights - rest) / np.maximum(1.0 - rest, 1e-3), 0.0, 1.0)
    if smooth_s > 0:
        weights = np.clip(smooth(weights, fps, smooth_s), 0.0, 1.0)
        pose = smooth(np.unwrap(pose, axis=0), fps, smooth_s)
    track = Track(space="arkit52", channels=list(ARKIT52), fps=fps, frames=weights, pose=pose, meta=dict(meta or {}))
    return track, identity, res_px, res_iod


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
