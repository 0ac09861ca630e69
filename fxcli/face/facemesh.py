"""FaceMesh: 468 3-D landmarks from a 192×192 crop (MediaPipe's tflite model) run with ai-edge-litert.

The crop is a square ~1.5× the face, rotated so that the eye line is horizontal: the model was trained on
upright faces, and a rolled head otherwise loses its landmarks. The first crop comes from the detector's
box and eye keypoints; a second pass re-centres it on the first pass's landmarks (as MediaPipe's tracking
does), which tightens the fit for faces the detector boxed loosely.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

INPUT_SIZE = 192
CROP_SCALE = 1.5
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263  # FaceMesh indices of the outer eye corners


@dataclass(frozen=True)
class Roi:
    """A rotated square region: centre (image px), side (px), angle (radians, image axes, y down)."""

    cx: float
    cy: float
    size: float
    angle: float

    def crop_to_image(self, out_size: int) -> np.ndarray:
        """2×3 affine map from crop pixels (out_size²) to image pixels."""
        c, s = np.cos(self.angle), np.sin(self.angle)
        k = self.size / out_size
        a = np.array([[c * k, -s * k], [s * k, c * k]])
        t = np.array([self.cx, self.cy]) - a @ np.array([out_size / 2, out_size / 2])
        return np.hstack([a, t[:, None]])


def eye_line_angle(right_eye: np.ndarray, left_eye: np.ndarray) -> float:
    """Angle of the line from the person's right eye (image left) to the left eye, image axes (y down)."""
    d = np.asarray(left_eye, np.float64) - np.asarray(right_eye, np.float64)
    return float(np.arctan2(d[1], d[0]))


def roi_from_detection(box: np.ndarray, keypoints: np.ndarray) -> Roi:
    w, h = float(box[2] - box[0]), float(box[3] - box[1])
    return Roi(float(box[0] + box[2]) / 2, float(box[1] + box[3]) / 2, max(w, h) * CROP_SCALE,
               eye_line_angle(keypoints[0], keypoints[1]))


def roi_from_landmarks(landmarks: np.ndarray) -> Roi:
    """Square around the landmarks in the frame of their eye line, scaled like the first crop."""
    angle = eye_line_angle(landmarks[RIGHT_EYE_OUTER, :2], landmarks[LEFT_EYE_OUTER, :2])
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, s], [-s, c]])  # image -> eye-line frame
    pts = landmarks[:, :2].astype(np.float64) @ rot.T
    lo, hi = pts.min(0), pts.max(0)
    centre = rot.T @ ((lo + hi) / 2)
    return Roi(float(centre[0]), float(centre[1]), float(max(hi - lo)) * CROP_SCALE, angle)


def warp_crop(image: np.ndarray, roi: Roi, out_size: int) -> np.ndarray:
    """The rotated square `roi` of `image`, resampled to out_size×out_size (outside = black)."""
    import cv2

    m = roi.crop_to_image(out_size)
    return cv2.warpAffine(image, m, (out_size, out_size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)


@lru_cache(maxsize=1)
def _interpreter():
    from fxcli import registry
    from fxcli.face.litert import load_interpreter

    model = registry.resolve("mediapipe-face").file("face_landmark.tflite")
    return load_interpreter(model)


def landmarks_in_roi(image: np.ndarray, roi: Roi) -> tuple[np.ndarray, float]:
    """468×3 landmarks in image pixels (z on the same scale, negative = towards the camera) and the
    face-presence probability of the crop."""
    it = _interpreter()
    crop = warp_crop(image, roi, INPUT_SIZE)
    it.set_tensor(it.get_input_details()[0]["index"], (crop.astype(np.float32) / 255.0)[None])
    it.invoke()
    outs = {d["name"]: it.get_tensor(d["index"]) for d in it.get_output_details()}
    raw = outs["conv2d_21"].reshape(468, 3).astype(np.float64)
    presence = float(1.0 / (1.0 + np.exp(-float(outs["conv2d_31"].reshape(-1)[0]))))
    m = roi.crop_to_image(INPUT_SIZE)
    xy = raw[:, :2] @ m[:, :2].T + m[:, 2]
    z = raw[:, 2] * roi.size / INPUT_SIZE
    return np.column_stack([xy, z]).astype(np.float32), presence


def fit_landmarks(image: np.ndarray, box: np.ndarray, keypoints: np.ndarray) -> tuple[np.ndarray, float]:
    """Landmarks for a detected face: a crop from the detection, then one refined by the landmarks."""
    lms, presence = landmarks_in_roi(image, roi_from_detection(box, keypoints))
    refined, presence2 = landmarks_in_roi(image, roi_from_landmarks(lms))
    return (refined, presence2) if presence2 >= presence * 0.9 else (lms, presence)
