"""ArcFace identity judge (full): InsightFace recognition networks from the user's local onnx files.

The face is aligned to ArcFace's 112×112 five-point template (eye centres, nose tip, mouth corners, here
taken from FaceMesh) by a similarity transform, scaled to [-1, 1] and embedded to 512-d; similarity is the
cosine. Packs: antelopev2 (glintr100.onnx) or buffalo_l (w600k_r50.onnx); both are licensed for
non-commercial research only. Needs onnxruntime (`pip install fxcli[insightface]`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fxcli.errors import ModelMissingError
from fxcli.face import Face

# ArcFace's reference positions of the five points in a 112×112 crop (insightface's arcface_dst)
TEMPLATE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655],
                     [70.7299, 92.2041]], np.float32)
PACKS = {"antelopev2": ("insightface-antelopev2", "glintr100.onnx"),
         "buffalo_l": ("insightface-buffalo_l", "w600k_r50.onnx")}


def five_points(face: Face) -> np.ndarray:
    """Image-left eye centre, image-right eye centre, nose tip, image-left and image-right mouth corners."""
    lm = face.landmarks[:, :2].astype(np.float32)
    return np.stack([(lm[33] + lm[133]) / 2, (lm[362] + lm[263]) / 2, lm[1], lm[61], lm[291]])


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares rotation + uniform scale + translation mapping src points onto dst (Umeyama), 2×3."""
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    ms, md = src.mean(0), dst.mean(0)
    s0, d0 = src - ms, dst - md
    cov = d0.T @ s0 / len(src)
    u, sig, vt = np.linalg.svd(cov)
    d = np.diag([1.0, np.sign(np.linalg.det(u @ vt))])
    rot = u @ d @ vt
    scale = np.trace(np.diag(sig) @ d) / s0.var(0).sum()
    return np.hstack([scale * rot, (md - scale * rot @ ms)[:, None]])


class ArcFaceJudge:
    name = "arcface"

    def __init__(self, arg: str | None = None, *, device: str = "cpu"):
        pack, path = "antelopev2", None
        if arg:
            if arg in PACKS:
                pack = arg
            else:
                path = arg
        try:
            import onnxruntime
        except ImportError:
            raise ModelMissingError("the ArcFace judge needs onnxruntime, which is not installed",
                                    hint="pip install fxcli[insightface]") from None
        from fxcli import registry

        model_name, filename = PACKS[pack]
        if path is not None and (Path(path).expanduser() / PACKS["buffalo_l"][1]).is_file():
            model_name, filename = PACKS["buffalo_l"]  # a folder holding the buffalo_l pack
        resolved = registry.resolve(model_name, path)
        onnx_file = resolved.file(filename)
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if device.startswith("cuda") \
            else ["CPUExecutionProvider"]
        self.session = onnxruntime.InferenceSession(str(onnx_file), providers=providers)
        self.input_name = self.session.get_inputs()[0].name

    def aligned(self, image: np.ndarray, face: Face) -> np.ndarray:
        import cv2

        m = similarity_transform(five_points(face), TEMPLATE)
        return cv2.warpAffine(image, m, (112, 112), flags=cv2.INTER_LINEAR, borderValue=0)

    def embed(self, image: np.ndarray, face: Face) -> np.ndarray:
        crop = self.aligned(image, face).astype(np.float32)
        blob = ((crop - 127.5) / 127.5).transpose(2, 0, 1)[None]  # (1, 3, 112, 112) RGB
        out = self.session.run(None, {self.input_name: blob})[0][0]
        return np.asarray(out, np.float64)

    @staticmethod
    def similarity(a: np.ndarray, b: np.ndarray) -> float:
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))

