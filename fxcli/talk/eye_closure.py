"""A talking portrait's closing eyes: the upper lid slides down over a still eyeball, as lid skin.

The warp cannot close an eye by moving its landmarks alone: bent down over the eye's whole opening, the
photo's upper lid stretches its lashes into vertical streaks and squeezes the iris into a dark line between
the lids, which reads as an open eye. Here the closing is done on the photo itself, column by column around
each eye (before the frame's warp, which then carries the eye with the head), for a closure `b` in [0, 1]:

- the upper lid margin goes down to m = u + b (1 - CLOSE_LOWER) g (u, l: the photo's upper and lower lid
  margins in that column, g = l - u); the lower lid rises to l - b CLOSE_LOWER g, so at b = 1 they meet;
- the upper lid's skin (from LID_ABOVE openings above the margin down to LASH_BAND openings above it) is
  stretched down to the new margin: lid skin continued, no lashes in it;
- the lash band (the LASH_BAND g just above the photo's margin: lashes, the lid's edge) moves down with the
  margin, unstretched, and a dark lash line in the lashes' own colour is drawn at the margin as the eye
  closes (LASH_LINE), so a closed eye shows one line where the lashes meet;
- between the new margins the eyeball is the photo's at the same place (it does not move);
- the lower lid's skin (LID_BELOW openings) is squeezed up by the lower margin's rise.

Every piece is linear in the rows and continuous in b and across columns (the margins are interpolated
between landmarks and g falls to 0 at the corners), so a blink has no seams and no flicker. At b = 0 the
photo is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLOSE_LOWER = 0.12  # share of the opening the lower lid rises at b = 1 (the upper lid comes down the rest)
LID_ABOVE = 0.7  # openings of lid skin above the margin that stretch (its top, below the crease, stays still)
LID_PAD = 0.15  # of the eye's largest opening, added above: FaceMesh's upper lid sits a little below the lashes
SKIN_ABOVE = 1.2  # openings above the margin the lid's skin colour is taken from
LASH_BAND = 0.3  # openings just above the margin that move down unstretched (lashes, the lid's edge)
LID_BELOW = 0.8  # openings of lower-lid skin that the lower margin's rise squeezes
LASH_LINE = (0.45, 0.9)  # the drawn lash line fades in between these closures
LASH_WIDTH = 0.09  # of the opening (at least LASH_MIN px): the drawn line's half height
LASH_MIN = 0.7
SKIN_RANK = 0.5  # the lid skin's colour: pixels near this brightness rank of the lid above the lashes
DELASH = (10.0, 30.0)  # the moving lid: pixels this much darker than its skin (grey levels) become skin
MIN_OPENING = 1.5  # px: an eye opened less than this (already shut, or too small) is left alone


@dataclass
class Lids:
    """One eye's lids in the photo, per column of a crop box around it."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the photo
    upper: np.ndarray  # (w,) upper margin's y per column (absolute)
    lower: np.ndarray  # (w,) lower margin's y per column
    lash: np.ndarray  # (w, 3) float32 colour of the lashes per column
    skin: np.ndarray  # (w, 3) float32 colour of the upper lid's skin per column
    taper: np.ndarray  # (w,) drawn line's strength per column: 1 in the middle, 0 at the corners
    pad: float = 0.0  # px added above the moving lid (LID_PAD)

    def top(self) -> np.ndarray:
        """(w,) y of the moving lid's still top per column."""
        g = self.lower - self.upper
        return self.upper - LID_ABOVE * g - self.pad * (g > 0)


def _curve(points: np.ndarray, xs: np.ndarray) -> np.ndarray:
    order = np.argsort(points[:, 0])
    return np.interp(xs, points[order, 0], points[order, 1])


def eye_lids(image: np.ndarray, outline_upper: np.ndarray, outline_lower: np.ndarray) -> Lids | None:
    """Lids of one eye from its margins (each (n, 2), corner to corner, both including the two corners)."""
    import cv2

    h, w = image.shape[:2]
    corners = np.vstack([outline_upper, outline_lower])
    x0 = int(np.floor(corners[:, 0].min())) - 1
    x1 = int(np.ceil(corners[:, 0].max())) + 2
    xs = np.arange(x0, x1, dtype=np.float64)
    inside = (xs >= min(outline_upper[0, 0], outline_upper[-1, 0])) & (xs <= max(outline_upper[0, 0], outline_upper[-1, 0]))
    upper, lower = _curve(outline_upper, xs), _curve(outline_lower, xs)
    gap = np.where(inside, np.maximum(lower - upper, 0.0), 0.0)
    upper = np.where(inside, upper, (upper + lower) / 2)
    lower = upper + gap
    if gap.max() < MIN_OPENING:
        return None
    pad = LID_PAD * float(gap.max())
    y0 = int(np.floor((upper - max(LID_ABOVE, SKIN_ABOVE) * gap - pad).min())) - 1
    y1 = int(np.ceil((lower + LID_BELOW * gap).max())) + 2
    if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
        return None
    # the lashes' colour: the darkest of the lash band in each column (lightly blurred), smoothed across columns
    soft = cv2.GaussianBlur(image[y0:y1, x0:x1], (0, 0), 0.7).astype(np.float32)
    luma = soft @ np.array([0.299, 0.587, 0.114], np.float32)
    rows = np.arange(y0, y1)[:, None]
    band = (rows >= upper - LASH_BAND * gap - 1) & (rows <= upper + 0.5)
    masked = np.where(band, luma, np.inf)
    darkest = np.argmin(masked, axis=0)
    lash = soft[darkest, np.arange(x1 - x0)]
    valid = gap > 0.5
    if valid.any():
        lash[~valid] = lash[valid].mean(0)
    lash = cv2.GaussianBlur(lash[None], (0, 0), sigmaX=2.0, sigmaY=0.1)[0]
    # the lid's skin: a bright share of the lid above the lashes (lashes and the crease are darker than skin)
    lid = (rows >= upper - SKIN_ABOVE * gap - 1) & (rows <= upper - LASH_BAND * gap)
    rank = np.where(lid, luma, -np.inf)
    order = np.sort(rank, axis=0)
    counts = lid.sum(0)
    pick = np.clip(len(rows) - 1 - (counts * (1 - SKIN_RANK)).astype(int), 0, len(rows) - 1)
    level = order[pick, np.arange(x1 - x0)]
    skin = np.zeros((x1 - x0, 3), np.float32)
    for k in range(x1 - x0):
        near = lid[:, k] & (np.abs(luma[:, k] - level[k]) <= 12)
        skin[k] = soft[near, k].mean(0) if near.any() else soft[:, k].mean(0)
    if valid.any():
        skin[~valid] = skin[valid].mean(0)
    skin = cv2.GaussianBlur(skin[None], (0, 0), sigmaX=3.0, sigmaY=0.1)[0]
    taper = np.sqrt(np.clip(gap / max(gap.max(), 1e-6) / 0.5, 0, 1))
    return Lids((x0, y0, x1, y1), upper, lower, lash.astype(np.float32), skin.astype(np.float32),
                taper.astype(np.float32), pad)


def _smoothstep(v: float, lo: float, hi: float) -> float:
    t = min(max((v - lo) / (hi - lo), 0.0), 1.0)
    return t * t * (3 - 2 * t)


def row_map(lids: Lids, b: float) -> np.ndarray:
    """(h, w) float32 photo row each pixel of the crop shows at closure `b` (same column)."""
    x0, y0, x1, y1 = lids.box
    y = np.arange(y0, y1, dtype=np.float32)[:, None]
    u, g = lids.upper[None].astype(np.float32), (lids.lower - lids.upper)[None].astype(np.float32)
    ll = u + g
    a = lids.top()[None].astype(np.float32)  # top of the moving lid (still)
    m = u + b * (1 - CLOSE_LOWER) * g  # the new upper margin
    lb = ll - b * CLOSE_LOWER * g  # the new lower margin
    c = ll + LID_BELOW * g  # bottom of the moving lower lid (still)
    lash_top = m - LASH_BAND * g
    eps = 1e-6
    skin = a + (y - a) * (u - LASH_BAND * g - a) / np.maximum(lash_top - a, eps)  # stretched lid skin
    lash = y - (m - u)  # the lash band, moved down
    ball = y  # the eyeball stands still
    below = ll + (y - lb) * (c - ll) / np.maximum(c - lb, eps)  # lower lid, squeezed up
    out = np.where(y < a, y, np.where(y < lash_top, skin, np.where(y < m, lash, np.where(y < lb, ball,
                                                                                         np.where(y < c, below, y)))))
    return np.where(g > 0, out, y).astype(np.float32)


def close_eye(image: np.ndarray, lids: Lids, b: float) -> np.ndarray:
    """(h, w, 3) uint8 crop of `image` at lids.box with the eye closed by `b` (0 open as in the photo, 1 shut)."""
    import cv2

    x0, y0, x1, y1 = lids.box
    if b <= 0.0:
        return image[y0:y1, x0:x1].copy()
    b = min(b, 1.0)
    rows = row_map(lids, b)
    cols = np.broadcast_to(np.arange(x0, x1, dtype=np.float32)[None], rows.shape)
    crop = cv2.remap(image, np.ascontiguousarray(cols), rows, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    # on the lid that came down (rows between its still top and the moved lash band) lashes and the crease,
    # stretched, would streak: pixels darker than the lid's skin become skin, more so as the eye closes
    g = (lids.lower - lids.upper).astype(np.float32)
    y = np.arange(y0, y1, dtype=np.float32)[:, None]
    top = lids.top()
    lash_top = lids.upper + b * (1 - CLOSE_LOWER) * g - LASH_BAND * g
    ramp = np.clip((y - top) / np.maximum(0.5 * (lash_top - top), 1.0), 0, 1)
    ramp = ramp * ramp * (3 - 2 * ramp) * np.clip((lash_top - y) + 1, 0, 1)  # smooth from the still top
    luma = crop.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    skin_luma = lids.skin @ np.array([0.299, 0.587, 0.114], np.float32)
    dark = np.clip((skin_luma[None] - luma - DELASH[0]) / (DELASH[1] - DELASH[0]), 0, 1)
    w = (dark * ramp * min(1.0, 2.0 * b) * lids.taper[None])[..., None]
    if w.any():
        crop = (crop.astype(np.float32) * (1 - w) + lids.skin[None] * w + 0.5).astype(np.uint8)
    strength = _smoothstep(b, *LASH_LINE)
    if strength > 0:
        m = lids.upper + b * (1 - CLOSE_LOWER) * g
        half = np.maximum(LASH_WIDTH * g, LASH_MIN)
        # a line centred a little above the margin: the lashes hang over the lower lid's edge
        alpha = np.exp(-0.5 * ((y - (m - 0.3 * half)) / half) ** 2) * (0.9 * strength * lids.taper)[None]
        alpha = alpha[..., None]
        crop = (crop.astype(np.float32) * (1 - alpha) + lids.lash[None] * alpha + 0.5).astype(np.uint8)
    return crop
