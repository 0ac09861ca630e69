"""Alignment crops: a face cut out as an upright square (eye line horizontal) for judges and editors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fxcli.face.detect import Face
from fxcli.face.facemesh import Roi, roi_from_landmarks, warp_crop


@dataclass
class AlignedCrop:
    pixels: np.ndarray  # size×size×3 uint8 RGB
    to_image: np.ndarray  # 2×3 affine map from crop pixels to source-image pixels

    def landmarks(self, face: Face) -> np.ndarray:
        """The face's 468 landmarks (x, y) in this crop's pixels."""
        a, t = self.to_image[:, :2], self.to_image[:, 2]
        return (face.landmarks[:, :2].astype(np.float64) - t) @ np.linalg.inv(a).T


def face_roi(face: Face, margin: float = 1.0) -> Roi:
    """Upright square around the landmarks; margin 1.0 = the landmark extent (hairline to chin),
    larger values add context (1.5 is FaceMesh's own crop)."""
    roi = roi_from_landmarks(face.landmarks)  # sized with FaceMesh's 1.5 factor
    return Roi(roi.cx, roi.cy, roi.size / 1.5 * margin, roi.angle)


def align_crop(image: np.ndarray, face: Face, size: int = 256, margin: float = 1.0) -> AlignedCrop:
    """The face as a size×size upright crop (see `face_roi` for `margin`)."""
    roi = face_roi(face, margin)
    return AlignedCrop(warp_crop(image, roi, size), roi.crop_to_image(size))
