"""Identity judge: dlib's ResNet face descriptor (128-d, CC0 weights from the face-recognition-models package).

dlib's 5-point shape predictor finds eye corners and nose base inside the face box (the bounding box of
the FaceMesh landmarks: steadier under crops and mirroring than the detector's box); the descriptor
network sees a 150×150 chip aligned on them. The descriptor is the mean of the chip's and its mirror
image's descriptors (flip test-time augmentation, as face-verification evaluations do): a face's
descriptor then depends less on which way the head turns. Two faces are the same person when the Euclidean distance of their
descriptors is below 0.6 (dlib's threshold, ~99.4 % on LFW). Descriptors are not unit length (norm ≈ 1.5),
so `similarity` is the cosine of the two vectors, the quantity the papers' ID-sim reports; `distance` is
the L2 distance the 0.6 threshold applies to.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from fxcli.face import Face

SAME_PERSON_DISTANCE = 0.6


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two descriptors: a·b / (|a| |b|), in [-1, 1]."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance of two descriptors (same person below SAME_PERSON_DISTANCE)."""
    return float(np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64)))


class IdentityJudge:
    name = "dlib-face-recognition"
    SAME_PERSON_DISTANCE = SAME_PERSON_DISTANCE

    def __init__(self, path: str | None = None):
        self._path = path

    def embed(self, image: np.ndarray, face: Face) -> np.ndarray:
        """128-d descriptor of the face (float64)."""
        import dlib

        predictor, net = _load(self._path)
        image = np.ascontiguousarray(image)
        (x0, y0), (x1, y1) = face.landmarks[:, :2].min(0), face.landmarks[:, :2].max(0)
        shape = predictor(image, dlib.rectangle(*(int(round(float(v))) for v in (x0, y0, x1, y1))))
        chip = dlib.get_face_chip(image, shape, size=150, padding=0.25)  # dlib's own alignment for this net
        both = net.compute_face_descriptor([chip, np.ascontiguousarray(chip[:, ::-1])])
        return np.mean([np.asarray(d, np.float64) for d in both], axis=0)

    similarity = staticmethod(similarity)
    distance = staticmethod(distance)

    def same_person(self, a: np.ndarray, b: np.ndarray) -> bool:
        return distance(a, b) < SAME_PERSON_DISTANCE


@lru_cache(maxsize=2)
def _load(path: str | None):
    import dlib

    from fxcli import registry

    model = registry.resolve("dlib-face-recognition", path)
    return (dlib.shape_predictor(str(model.file("shape_predictor_5_face_landmarks.dat"))),
            dlib.face_recognition_model_v1(str(model.file("dlib_face_recognition_resnet_model_v1.dat"))))
