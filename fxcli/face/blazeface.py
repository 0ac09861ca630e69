"""BlazeFace short-range face detector (MediaPipe's tflite model) run with ai-edge-litert.

The model sees a 128×128 letterboxed RGB image in [-1, 1] and predicts, for each of 896 SSD anchors, a
score logit and 16 regressors: box centre offset, box size, and six keypoints (right eye, left eye, nose
tip, mouth centre, right ear tragion, left ear tragion; "right" is the person's right, on the image's
left). Anchors follow MediaPipe's SSD options for this model: strides 8, 16, 16, 16 (layers of equal
stride share one grid: 16×16 cells × 2 anchors + 8×8 cells × 6 anchors), centres at (x + 0.5) / grid,
fixed anchor size 1. Overlapping detections are merged by weighted non-maximum suppression (MediaPipe's
WEIGHTED mode): the boxes overlapping the best one by IoU > 0.3 are averaged, weighted by score.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

INPUT_SIZE = 128
STRIDES = (8, 16, 16, 16)
SCORE_THRESHOLD = 0.5
NMS_IOU = 0.3
KEYPOINT_NAMES = ("right_eye", "left_eye", "nose_tip", "mouth_center", "right_ear", "left_ear")


@dataclass
class Detection:
    box: np.ndarray  # (4,) x0, y0, x1, y1 in image pixels
    score: float
    keypoints: np.ndarray  # (6, 2) image pixels


def ssd_anchors(input_size: int = INPUT_SIZE, strides: tuple[int, ...] = STRIDES) -> np.ndarray:
    """Anchor centres (N, 2) in [0, 1], in the order the model emits them."""
    centres = []
    i = 0
    while i < len(strides):
        stride, per_cell = strides[i], 0
        while i < len(strides) and strides[i] == stride:  # consecutive equal strides share one grid
            per_cell += 2
            i += 1
        grid = int(np.ceil(input_size / stride))
        ys, xs = np.mgrid[0:grid, 0:grid]
        cell = np.stack([(xs + 0.5) / grid, (ys + 0.5) / grid], axis=-1).reshape(-1, 2)  # (grid², 2)
        centres.append(np.repeat(cell, per_cell, axis=0))
    return np.concatenate(centres).astype(np.float32)


def decode(regressors: np.ndarray, logits: np.ndarray, anchors: np.ndarray,
           input_size: int = INPUT_SIZE) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw outputs (N,16), (N,) -> boxes (N,4) x0,y0,x1,y1, keypoints (N,6,2) in [0,1] input units, scores (N,)."""
    reg = regressors.astype(np.float64) / input_size
    cx, cy = reg[:, 0] + anchors[:, 0], reg[:, 1] + anchors[:, 1]
    w, h = reg[:, 2], reg[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    kps = reg[:, 4:16].reshape(-1, 6, 2) + anchors[:, None, :]
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits.astype(np.float64), -100.0, 100.0)))
    return boxes, kps, scores


def iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Intersection over union of one box (4,) with many (N,4), boxes as x0,y0,x1,y1."""
    ix0, iy0 = np.maximum(box[0], boxes[:, 0]), np.maximum(box[1], boxes[:, 1])
    ix1, iy1 = np.minimum(box[2], boxes[:, 2]), np.minimum(box[3], boxes[:, 3])
    inter = np.clip(ix1 - ix0, 0, None) * np.clip(iy1 - iy0, 0, None)
    area = lambda b: np.clip(b[..., 2] - b[..., 0], 0, None) * np.clip(b[..., 3] - b[..., 1], 0, None)  # noqa: E731
    union = area(box) + area(boxes) - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def weighted_nms(boxes: np.ndarray, keypoints: np.ndarray, scores: np.ndarray,
                 iou_threshold: float = NMS_IOU) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Merge overlapping candidates: each cluster (IoU > threshold with its best member) becomes the
    score-weighted mean of its boxes and keypoints, keeping the best member's score."""
    order = np.argsort(-scores, kind="stable")
    boxes, keypoints, scores = boxes[order], keypoints[order], scores[order]
    remaining = np.arange(len(scores))
    out = []
    while remaining.size:
        best = remaining[0]
        overlap = iou(boxes[best], boxes[remaining]) > iou_threshold
        overlap[0] = True
        members = remaining[overlap]
        wts = scores[members][:, None]
        box = (boxes[members] * wts).sum(0) / wts.sum()
        kps = (keypoints[members] * wts[:, :, None]).sum(0) / wts.sum()
        out.append((box, kps, float(scores[best])))
        remaining = remaining[~overlap]
    return out


@lru_cache(maxsize=1)
def _interpreter():
    from fxcli import registry
    from fxcli.face.litert import load_interpreter

    model = registry.resolve("mediapipe-face").file("face_detection_short_range.tflite")
    return load_interpreter(model)


def letterbox(image: np.ndarray, size: int = INPUT_SIZE) -> tuple[np.ndarray, float, float, float]:
    """Pad to a centred square and resize: (size×size×3 uint8, scale, pad_x, pad_y) with
    image_px = input_px * scale - pad."""
    import cv2

    h, w = image.shape[:2]
    side = max(h, w)
    pad_x, pad_y = (side - w) / 2, (side - h) / 2
    square = cv2.copyMakeBorder(image, int(pad_y), side - h - int(pad_y), int(pad_x), side - w - int(pad_x),
                                cv2.BORDER_CONSTANT, value=(0, 0, 0))
    interp = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
    return cv2.resize(square, (size, size), interpolation=interp), side / size, int(pad_x), int(pad_y)


def run_detector(image: np.ndarray) -> tuple[list[Detection], float]:
    """Faces in an RGB uint8 image, best first, and the best raw score (for "no face" messages)."""
    it = _interpreter()
    inp, scale, pad_x, pad_y = letterbox(image)
    x = (inp.astype(np.float32) / 127.5 - 1.0)[None]
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    outs = {d["name"]: it.get_tensor(d["index"]) for d in it.get_output_details()}
    boxes, kps, scores = decode(outs["regressors"][0], outs["classificators"][0, :, 0], _anchors())
    best = float(scores.max())
    keep = scores >= SCORE_THRESHOLD
    found = []
    for box, kp, score in weighted_nms(boxes[keep], kps[keep], scores[keep]):
        px = INPUT_SIZE * scale
        box_img = box * px - np.array([pad_x, pad_y, pad_x, pad_y])
        kp_img = kp * px - np.array([pad_x, pad_y])
        found.append(Detection(box_img.astype(np.float32), score, kp_img.astype(np.float32)))
    return found, best


@lru_cache(maxsize=1)
def _anchors() -> np.ndarray:
    return ssd_anchors()
