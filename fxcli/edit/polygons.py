"""Plane polygons of landmark outlines: area and raster mask (the mouth's and the eyes' openings)."""

from __future__ import annotations

import numpy as np


def polygon_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2)


def poly_mask(shape: tuple[int, ...], polygon: np.ndarray, smooth: bool = False) -> np.ndarray:
    """uint8 mask of a polygon; `smooth`: anti-aliased edge (sub-pixel vertices, 1/16 px)."""
    import cv2

    mask = np.zeros(shape[:2], np.uint8)
    if smooth:
        cv2.fillPoly(mask, [np.round(polygon * 16).astype(np.int32)], 255, lineType=cv2.LINE_AA, shift=4)
    else:
        cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 255)
    return mask
