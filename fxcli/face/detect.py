"""Face detection + landmarks, and choosing one face: the entry points the other tools use."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fxcli.errors import NoFaceError, UsageError

MIN_PRESENCE = 0.5  # FaceMesh's own face-presence probability below which a detection is dropped
# A detection is a stray (foliage, a pattern, a face on a poster far behind) next to a clear face when its
# detector score is well below the best one's or its box is a small fraction of the largest one's
STRAY_SCORE_RATIO = 0.8
STRAY_AREA_RATIO = 0.04


@dataclass
class Face:
    """One face in an image; all coordinates in image pixels of the RGB array it was found in."""

    box: np.ndarray  # (4,) float32 x0, y0, x1, y1 from the detector
    score: float  # detector confidence in [0, 1]
    keypoints: np.ndarray  # (6, 2) float32: right eye, left eye, nose tip, mouth centre, right ear, left ear
    landmarks: np.ndarray  # (468, 3) float32 FaceMesh: x, y image px; z on the same scale (- = nearer)

    @property
    def area(self) -> float:
        return float(max(self.box[2] - self.box[0], 0) * max(self.box[3] - self.box[1], 0))


class FaceList(list):
    """The faces of one image, largest first; `best_score` is the detector's best raw score, also when
    nothing passed the threshold (it explains a "no face" result)."""

    best_score: float = 0.0
    rejected: int = 0  # detections FaceMesh did not accept as faces (covered, profile, not a face)


def detect_faces(image: np.ndarray) -> FaceList:
    """All faces in an RGB uint8 H×W×3 image, largest box first (so index 0 is the default face).

    BlazeFace finds the faces; FaceMesh fits 468 landmarks in a crop rotated by the eye line.
    Detections whose crop FaceMesh does not accept as a face are dropped.
    """
    from fxcli.face.blazeface import run_detector
    from fxcli.face.facemesh import fit_landmarks

    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise UsageError(f"detect_faces needs an RGB uint8 H×W×3 array, got {image.dtype} {image.shape}")
    detections, best = run_detector(image)
    faces = FaceList()
    faces.best_score = best
    for det in detections:
        landmarks, presence = fit_landmarks(image, det.box, det.keypoints)
        if presence < MIN_PRESENCE:
            faces.rejected += 1
            continue
        faces.append(Face(det.box, det.score, det.keypoints, landmarks))
    faces.sort(key=lambda f: -f.area)
    return faces


def distinct_faces(faces: list[Face]) -> list[Face]:
    """The faces that count when deciding whether a photo is ambiguous: strays next to a clear face are not.

    A face is a stray when its detector score is below STRAY_SCORE_RATIO of the best score or its box has
    less than STRAY_AREA_RATIO of the largest box's area. Order (largest first) is kept.
    """
    if len(faces) < 2:
        return list(faces)
    best = max(f.score for f in faces)
    largest = max(f.area for f in faces)
    return [f for f in faces if f.score >= STRAY_SCORE_RATIO * best and f.area >= STRAY_AREA_RATIO * largest]


def select_face(faces: list[Face], face_index: int | None = None, *, source: str | None = None) -> Face:
    """The face to work on: the largest by default, or number `face_index` (0 = largest, by box area).

    Raises NoFaceError (exit 5) when there is no face or the index is past the last face.
    """
    where = f" in {source}" if source else ""
    if not faces:
        best, rejected = getattr(faces, "best_score", None), getattr(faces, "rejected", 0)
        if rejected:
            why = f" ({rejected} candidate(s) rejected by the landmark model: covered, profile or not a face)"
        elif best is not None:
            why = f" (best detector score {best:.2f}, needs 0.50)"
        else:
            why = ""
        raise NoFaceError(f"no face found{where}{why}",
                          hint="use a photo with a frontal or three-quarter face at least ~40 px wide")
    if face_index is None:
        return max(faces, key=lambda f: f.area)
    if face_index < 0:
        raise UsageError(f"face index must be 0 or more, got {face_index}")
    if face_index >= len(faces):
        raise NoFaceError(f"face index {face_index} asked for but only {len(faces)} face(s) found{where}",
                          hint=f"use --face-index 0..{len(faces) - 1} (0 = largest)")
    return faces[face_index]


def find_face(image: np.ndarray, face_index: int | None = None, *, source: str | None = None) -> Face:
    """detect_faces + select_face in one call."""
    return select_face(detect_faces(image), face_index, source=source)
