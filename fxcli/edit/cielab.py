"""sRGB -> CIELAB (D65) for a handful of pixels, in numpy; and BT.601 luma.

OpenCV's 8-bit RGB2LAB builds its lookup tables on first use (~70 ms, most of a cold `fxe edit`'s mouth
step) to convert the whole photo, where the editor needs a few hundred lip pixels. The formulas are the
standard ones (IEC 61966-2-1 sRGB transfer, the sRGB -> XYZ matrix, CIE 1976 L*a*b* with the D65 white).
"""

from __future__ import annotations

import numpy as np

SRGB_TO_XYZ = np.array([[0.412453, 0.357580, 0.180423],
                        [0.212671, 0.715160, 0.072169],
                        [0.019334, 0.119193, 0.950227]])
WHITE_D65 = np.array([0.950456, 1.0, 1.088754])  # XYZ of sRGB white with the matrix above
EPSILON = (6.0 / 29.0) ** 3
LUMA_601 = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R BT.601 luma weights of R, G, B (OpenCV's RGB2GRAY)


# the skin's HSV saturation under which a photo counts as less than fully coloured (black-and-white, toned):
# colour the editor adds (a painted tongue, a warm crease) keeps that share of itself, none in a grey photo;
# colour photos' skin is at 0.2 .. 0.9, a pale, washed-out one near 0.1
COLOURLESS = 0.08


def colour_share(skin: np.ndarray) -> float:
    """0..1: how much added colour suits a photo whose skin is `skin` (RGB): its HSV saturation over COLOURLESS,
    at most 1 (0 in a black-and-white photo)."""
    skin = np.asarray(skin, np.float64)
    return float(np.clip((skin.max() - skin.min()) / max(float(skin.max()), 1.0) / COLOURLESS, 0.0, 1.0))


def luma(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) RGB -> (...) float32 BT.601 luma (the grey a FER judge or OpenCV's RGB2GRAY sees)."""
    return np.asarray(rgb, np.float32) @ LUMA_601


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) sRGB in 0..255 -> (..., 3) float64 (L* 0..100, a*, b*)."""
    c = np.asarray(rgb, np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ SRGB_TO_XYZ.T / WHITE_D65
    f = np.where(xyz > EPSILON, np.cbrt(xyz), xyz / (3 * (6.0 / 29.0) ** 2) + 4.0 / 29.0)
    return np.stack([116.0 * f[..., 1] - 16.0, 500.0 * (f[..., 0] - f[..., 1]), 200.0 * (f[..., 1] - f[..., 2])], -1)


def image_to_lab(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 sRGB -> (H, W, 3) float32 (L* 0..100, a*, b*): rgb_to_lab for a whole image, the
    transfer curve looked up per 8-bit level, the rest in float32 (a few ms for a face's box)."""
    linear = _LINEAR[np.asarray(image, np.uint8)]
    xyz = linear @ (SRGB_TO_XYZ.T / WHITE_D65[None, :]).astype(np.float32)
    f = np.where(xyz > EPSILON, np.cbrt(xyz), xyz / np.float32(3 * (6.0 / 29.0) ** 2) + np.float32(4.0 / 29.0))
    return np.stack([116.0 * f[..., 1] - 16.0, 500.0 * (f[..., 0] - f[..., 1]), 200.0 * (f[..., 1] - f[..., 2])],
                    -1).astype(np.float32)


_LEVELS = np.arange(256) / 255.0
_LINEAR = np.where(_LEVELS <= 0.04045, _LEVELS / 12.92, ((_LEVELS + 0.055) / 1.055) ** 2.4).astype(np.float32)
