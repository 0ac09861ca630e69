"""Plane polygons of landmark outlines: area and raster mask (the mouth's and the eyes' openings)."""

from __future__ import annotations

import numpy as np


def polygon_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2)


def grown_box(x0: int, y0: int, x1: int, y1: int, margin: int, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The pixel box x0..x1-1, y0..y1-1 grown by `margin` on every side and clipped to an image of `shape`:
    (x0, y0, x1, y1), ends exclusive. Work done in such a box, with a margin wider than its blurs reach, gives
    the same pixels as over the whole image."""
    h, w = shape[:2]
    return max(int(x0) - margin, 0), max(int(y0) - margin, 0), min(int(x1) + margin, w), min(int(y1) + margin, h)


def upward(axis: np.ndarray) -> np.ndarray:
    """The unit normal of a left-to-right `axis` (image px: an eye's corners, the eyes' centres) that points up
    the face (image y decreasing for an upright face)."""
    unit = np.asarray(axis, np.float64) / (np.linalg.norm(axis) + 1e-9)
    up = np.array([unit[1], -unit[0]])
    return -up if up[1] > 0 else up


def poly_mask(shape: tuple[int, ...], polygon: np.ndarray, smooth: bool = False) -> np.ndarray:
    """uint8 mask of a polygon; `smooth`: anti-aliased edge (sub-pixel vertices, 1/16 px)."""
    import cv2

    mask = np.zeros(shape[:2], np.uint8)
    if smooth:
        cv2.fillPoly(mask, [np.round(polygon * 16).astype(np.int32)], 255, lineType=cv2.LINE_AA, shift=4)
    else:
        cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 255)
    return mask


def box_mask(shape: tuple[int, ...], polygon: np.ndarray, margin: int = 2) -> tuple[np.ndarray, int, int]:
    """(uint8 mask of the polygon over its pixel box grown by `margin` and clipped to `shape`, x0, y0): the same
    pixels poly_mask draws over the whole image, without a full-size mask (a large photo's mouth or eye)."""
    h, w = shape[:2]
    lo = np.floor(np.asarray(polygon, np.float64).min(0)).astype(int)
    hi = np.ceil(np.asarray(polygon, np.float64).max(0)).astype(int) + 1
    x0, y0, x1, y1 = grown_box(lo[0], lo[1], hi[0], hi[1], margin, shape)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((0, 0), np.uint8), 0, 0
    return poly_mask((y1 - y0, x1 - x0), np.asarray(polygon, np.float64) - [x0, y0]), x0, y0


def corner_iod(xy: np.ndarray) -> float:
    """Inter-ocular distance (px) of FaceMesh landmarks (468, 2): between the midpoints of each eye's corners."""
    return float(np.linalg.norm(xy[[33, 133]].mean(0) - xy[[263, 362]].mean(0)))
