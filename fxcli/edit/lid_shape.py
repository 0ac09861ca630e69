"""The upper lid's shape after the warp, set to the one asked for.

The warp's velocity field lives on a coarse grid (about 48 cells across the face, fxcli/backends/edit_embedded.py),
four or five cells across an eye. A raised upper lid (AU5: surprise, fear) asks its margin's landmarks to rise
most in the middle and still a good part a few pixels from the corners, which stay put: the grid cannot hold
that much change over so few pixels, so the landmarks near the corners fall short (on 12 portraits, fear's
upper lid missed its asked-for place by 0.04 IOD on average and up to 0.15) and the raised lid comes out as a
peaked tent instead of an arch.

Here each eye's upper lid is moved the rest of the way, along the eye's own up direction (perpendicular to
the line through its corners), by a remap of the eye's neighbourhood that is piecewise linear along that
direction in every column: the opening between the lower lid and the lid as the warp left it is stretched to
the lid asked for, and the skin above it, up to BAND above the lid (eye widths), is squeezed or stretched to
fit. Every column's map is increasing, so nothing folds; outside the corners, below the lower lid and above
the band nothing moves. The eyeball's content of the new opening is painted afterwards
(fxcli/edit/eye_opening.py).
"""

from __future__ import annotations

import numpy as np

from fxcli.edit.au_regions import EYES
from fxcli.edit.polygons import grown_box, upward

BAND = 0.6  # eye widths above the lid (as the warp left it) that take up the change
MIN_SHORTFALL = 0.5  # px: a lid closer than this to its asked-for place is left as it is


def _heights(points: np.ndarray, outer: np.ndarray, axis: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(t along the corner line 0..1, height above it px) of `points`, sorted by t."""
    rel = points - outer
    t = rel @ axis / float(axis @ axis)
    order = np.argsort(t)
    return t[order], (rel @ up)[order]


def _curve(t: np.ndarray, knots_t: np.ndarray, knots_h: np.ndarray) -> np.ndarray:
    """A lid's height at `t` (clipped to the knots' span): the shape-preserving piecewise cubic Hermite curve
    through its landmarks (Fritsch and Carlson's slopes, as PCHIP: no overshoot between knots), so that the
    remap's stretch changes smoothly from column to column (straight segments between landmarks leave kinks
    in every feature the remap moves). Written out here: loading scipy.interpolate costs a cold `fxe edit`
    more than the whole edit."""
    keep = np.r_[True, np.diff(knots_t) > 1e-6]
    x, y = knots_t[keep], knots_h[keep]
    if len(x) < 3:
        return np.interp(t, x, y)
    h = np.diff(x)
    delta = np.diff(y) / h
    slope = np.zeros_like(y)
    w1, w2 = 2 * h[1:] + h[:-1], h[1:] + 2 * h[:-1]
    same = delta[:-1] * delta[1:] > 0
    slope[1:-1][same] = (w1 + w2)[same] / (w1 / delta[:-1] + w2 / delta[1:])[same]  # weighted harmonic mean
    for end, d0, d1, h0, h1 in ((0, delta[0], delta[1], h[0], h[1]), (-1, delta[-1], delta[-2], h[-1], h[-2])):
        m = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1)  # three-point end slope, kept shape-preserving
        if np.sign(m) != np.sign(d0):
            m = 0.0
        elif np.sign(d0) != np.sign(d1) and abs(m) > abs(3 * d0):
            m = 3 * d0
        slope[end] = m
    tc = np.clip(t, x[0], x[-1])
    k = np.clip(np.searchsorted(x, tc, side="right") - 1, 0, len(x) - 2)
    u = (tc - x[k]) / h[k]
    h00, h10, h01, h11 = 2 * u**3 - 3 * u**2 + 1, u**3 - 2 * u**2 + u, -2 * u**3 + 3 * u**2, u**3 - u**2
    return h00 * y[k] + h10 * h[k] * slope[k] + h01 * y[k + 1] + h11 * h[k] * slope[k + 1]


def shape_lids(out: np.ndarray, dst: np.ndarray, asked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(image, landmarks): `out` with each eye's upper lid moved from where the warp put it (`dst`, (468, 2)) to
    `asked` (468, 2), and `dst` with the upper lids' landmarks at their new places."""
    import cv2

    result, landed = out, np.array(dst, np.float64, copy=True)
    for (outer, inner), upper, lower in EYES.values():
        upper, lower = list(upper), list(lower)
        corner_a, corner_b = landed[outer], landed[inner]
        axis = corner_b - corner_a
        width = float(np.linalg.norm(axis))
        if width < 4.0:
            continue
        up = upward(axis)
        ends = np.array([corner_a, corner_b])
        t_r, h_r = _heights(np.vstack([ends, landed[upper]]), corner_a, axis, up)
        t_q, h_q = _heights(np.vstack([ends, asked[upper]]), corner_a, axis, up)
        t_l, h_l = _heights(np.vstack([ends, landed[lower]]), corner_a, axis, up)
        if np.abs(np.interp(t_r, t_q, h_q) - h_r).max() < MIN_SHORTFALL:
            continue
        band = BAND * width
        lowest = min(float(h_l.min()), float(h_r.min()))
        # the box the remap touches: the corners' span, from the lower lid to the band's top
        corners = [corner_a + up * lowest, corner_b + up * lowest,
                   corner_a + up * (max(h_r.max(), h_q.max()) + band), corner_b + up * (max(h_r.max(), h_q.max()) + band)]
        lo, hi = np.floor(np.min(corners, 0)).astype(int), np.ceil(np.max(corners, 0)).astype(int)
        x0, y0, x1, y1 = grown_box(lo[0], lo[1], hi[0] + 1, hi[1] + 1, 2, out.shape)
        if x1 <= x0 or y1 <= y0:
            continue
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float64)
        rel = np.stack([xs - corner_a[0], ys - corner_a[1]], -1)
        t = rel @ axis / (width * width)
        s = rel @ up
        inside = (t > 0.0) & (t < 1.0)
        tc = np.clip(t, 0.0, 1.0)
        lid_was, lid_new, floor = _curve(tc, t_r, h_r), _curve(tc, t_q, h_q), _curve(tc, t_l, h_l)
        floor = np.minimum(floor, np.minimum(lid_was, lid_new) - 1.0)
        top = np.maximum(lid_was, lid_new) + band
        # output height s -> the warped image's height: [floor, lid_new] -> [floor, lid_was], [lid_new, top] ->
        # [lid_was, top]
        below = (s >= floor) & (s <= lid_new)
        above = (s > lid_new) & (s <= top)
        source_s = s.copy()
        source_s[below] = (floor + (s - floor) * (lid_was - floor) / np.maximum(lid_new - floor, 1e-6))[below]
        source_s[above] = (lid_was + (s - lid_new) * (top - lid_was) / np.maximum(top - lid_new, 1e-6))[above]
        shift = np.where(inside, source_s - s, 0.0)
        map_x = (xs + shift * up[0]).astype(np.float32)
        map_y = (ys + shift * up[1]).astype(np.float32)
        if result is out:
            result = out.copy()
        result[y0:y1, x0:x1] = cv2.remap(result, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        for k in upper:
            tk = float((landed[k] - corner_a) @ axis / (width * width))
            if 0.0 < tk < 1.0:
                landed[k] = landed[k] + up * (float(_curve(np.array([tk]), t_q, h_q)[0]) - float((landed[k] - corner_a) @ up))
    return result, landed
