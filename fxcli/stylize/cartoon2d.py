"""2D cartoon styles from classical image processing; each keeps the photo's geometry pixel for pixel.

- cartoon: repeated bilateral filtering (edge-preserving smoothing) at half size, colour quantisation by
  k-means (K colours, seeded), and dark lines from an adaptive threshold of the median-blurred luminance
  (the classic OpenCV "cartoonify" recipe).
- comic: OpenCV's recursive edge-preserving filter, median-cut quantisation (PIL) to a small palette,
  and ink lines from an extended difference of Gaussians (XDoG, Winnemöller et al. 2012), thresholded.
- sketch: XDoG soft-thresholded into pencil lines, over a pencil tone (the grey image "colour-dodged"
  by its blurred negative: flat areas go to paper, shading stays as soft graphite), on paper with a
  light wash of the photo's hue so skin and hair still read.

Deterministic: the same image, style and seed give the same bytes (OpenCV's k-means RNG is seeded).
"""

from __future__ import annotations

import numpy as np

STYLES_2D = ("cartoon", "comic", "sketch")
SKETCH_TONE = 0.6  # weight of the pencil tone under the sketch's lines (0: lines only)


def _grey(image: np.ndarray) -> np.ndarray:
    return (image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)) / 255.0


def xdog(image: np.ndarray, sigma: float, k: float = 1.6, p: float = 20.0, eps: float = 0.02,
         phi: float = 12.0) -> np.ndarray:
    """XDoG response in [0, 1] (1 = paper, toward 0 = line) of an RGB image; sigma in pixels."""
    import cv2

    g = _grey(image)
    g1 = cv2.GaussianBlur(g, (0, 0), sigma)
    g2 = cv2.GaussianBlur(g, (0, 0), sigma * k)
    d = (1 + p) * g1 - p * g2
    return np.where(d >= eps, 1.0, 1.0 + np.tanh(phi * (d - eps))).astype(np.float32)


def _kmeans_quantise(image: np.ndarray, k: int, seed: int) -> np.ndarray:
    import cv2

    data = image.reshape(-1, 3).astype(np.float32)
    cv2.setRNGSeed(int(seed) & 0x7FFFFFFF)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, labels, centres = cv2.kmeans(data, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    return np.clip(centres[labels.ravel()], 0, 255).reshape(image.shape).astype(np.uint8)


def cartoon(image: np.ndarray, *, colors: int = 9, seed: int = 0) -> np.ndarray:
    import cv2

    h, w = image.shape[:2]
    small = cv2.resize(image, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    for _ in range(5):
        small = cv2.bilateralFilter(small, 9, 18, 7)
    smooth = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    flat = _kmeans_quantise(smooth, colors, seed)
    grey = cv2.medianBlur(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), 7)
    block = max(3, (min(h, w) // 60) | 1)
    lines = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 4)
    return np.where(lines[..., None] == 0, (flat * 0.25).astype(np.uint8), flat)


def comic(image: np.ndarray, *, colors: int = 8, seed: int = 0) -> np.ndarray:
    import cv2
    from PIL import Image

    smooth = cv2.edgePreservingFilter(np.ascontiguousarray(image[..., ::-1]), flags=cv2.RECURS_FILTER,
                                      sigma_s=40, sigma_r=0.35)[..., ::-1]
    pal = Image.fromarray(np.ascontiguousarray(smooth)).quantize(colors=colors, method=Image.Quantize.MEDIANCUT,
                                                                 dither=Image.Dither.NONE)
    flat = np.asarray(pal.convert("RGB"))
    scale = max(1.0, min(image.shape[:2]) / 400)
    edges = xdog(image, sigma=0.9 * scale, p=25.0, eps=0.03, phi=40.0)
    ink = edges < 0.55
    return np.where(ink[..., None], np.array([25, 20, 28], np.uint8), flat).astype(np.uint8)


def sketch(image: np.ndarray, *, colors: int = 0, seed: int = 0) -> np.ndarray:
    import cv2

    scale = max(1.0, min(image.shape[:2]) / 400)
    lines = xdog(image, sigma=0.8 * scale, p=22.0, eps=0.015, phi=10.0)
    lines = np.clip(lines, 0, 1) ** 1.5
    grey = _grey(image)
    negative = cv2.GaussianBlur(1.0 - grey, (0, 0), 6 * scale)
    dodge = np.clip(grey / np.maximum(1.0 - negative, 1e-3), 0, 1)
    # lines alone lose the shading that carries the eyes, the mouth and the face's shape
    tone = (1.0 - SKETCH_TONE) + SKETCH_TONE * dodge ** 2
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 1] *= 0.35
    hsv[..., 2] = 255
    wash = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB).astype(np.float32)
    paper = np.array([250, 247, 240], np.float32)
    out = (0.7 * paper + 0.3 * wash) * (lines * tone)[..., None]
    return np.clip(out, 0, 255).astype(np.uint8)


def stylize_2d(image: np.ndarray, style: str, *, seed: int = 0, colors: int | None = None) -> np.ndarray:
    fn = {"cartoon": cartoon, "comic": comic, "sketch": sketch}[style]
    kwargs = {"seed": seed}
    if colors:
        kwargs["colors"] = colors
    return fn(np.ascontiguousarray(image, dtype=np.uint8), **kwargs)
