"""Expression judge: mini-Xception trained on FER2013 (7 classes), vendored tflite, run with ai-edge-litert.

The classifier sees a 64×64 grey face scaled to [-1, 1]. FER2013's faces are upright crops from brows to
chin, so the face is cut out with the eye line horizontal (fxcli.face.align) at the landmark extent. About
66 % accurate on FER2013: a weak but real judge; full judges are plugged in through `fxe score --judge`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from fxcli.face import Face, align_crop

INPUT_SIZE = 64
CROP_MARGIN = 1.0  # landmark extent, the framing FER2013's faces have


class ExpressionJudge:
    LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
    name = "fer-mini-xception"

    def __init__(self, path: str | None = None):
        self._path = path

    @property
    def _interpreter(self):
        return _load(self._path)

    def face_input(self, image: np.ndarray, face: Face) -> np.ndarray:
        """The 64×64 float32 grey crop in [-1, 1] the classifier sees."""
        crop = align_crop(image, face, size=INPUT_SIZE, margin=CROP_MARGIN).pixels.astype(np.float32)
        grey = crop @ np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601 luma, as OpenCV's RGB2GRAY
        return grey / 127.5 - 1.0

    def probs(self, image: np.ndarray, face: Face) -> np.ndarray:
        """Probabilities (7,) over LABELS for the face."""
        it = self._interpreter
        it.set_tensor(it.get_input_details()[0]["index"], self.face_input(image, face)[None, :, :, None])
        it.invoke()
        p = it.get_tensor(it.get_output_details()[0]["index"])[0].astype(np.float64)
        return p / p.sum()

    def label(self, probs: np.ndarray) -> str:
        return self.LABELS[int(np.argmax(probs))]


@lru_cache(maxsize=2)
def _load(path: str | None):
    from fxcli import registry
    from fxcli.face.litert import load_interpreter

    model = registry.resolve("fer-mini-xception", path).file("emotion_model_quantized.tflite")
    return load_interpreter(model)
