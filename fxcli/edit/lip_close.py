"""Lips brought together when the target keeps them closed (sad, neutral, contempt: fxcli/edit/lip_seal.py).

Taking a smile away and adding a frown leaves a smiling photo's open mouth open: the warp cannot close a gap
between landmarks a few pixels apart (it may squeeze skin, never fold it), and the mouth's fill painted what
was left as a dark open frown. Here, after the warp, the lips are stretched toward each other column by column
in the mouth's frame (s from one inner corner to the other, t across, down the face positive):

- The upper lip with a band of skin above it (REACH of the lip's height, at least BAND_MIN mouth widths) is
  carried down, the lower lip with a band below it up, both bands stretched by the same factor so that they
  meet, at most MAX_STRETCH (a scream's opening closes only partly). `share` of the way: alpha 0.5 closes half
  of what is left of the opening.
- FaceMesh puts the inner-lip landmarks a little inside the lips' visible edge (the teeth show past them), so
  the lips' picture is taken from EDGE mouth widths beyond the landmarks: no rim of teeth stays between the
  meeting lips.
- What is left of the opening shows the warped photo's inside at the opening's middle, as it is: the lips slide
  over the teeth, which stay.
- The lips' new edges are smoothed along the mouth (a landmark the warp left behind would step the line where
  they meet); they meet along a line a little darker than the lips (LINE_DARK), as closed lips do, only where
  they were brought together. Lips that already meet everywhere (within MIN_GAP) are left as they are; a closed
  mouth that the frown's warp drew apart (Grace Hopper's, into a W-shaped parting) is closed again.
"""

from __future__ import annotations

import numpy as np

from fxcli.edit.mouth_interior import LOWER_INNER_LIP, UPPER_INNER_LIP, MouthFrame

UPPER_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)  # FaceMesh's outer lip contours, corner to corner
LOWER_OUTER = (291, 375, 321, 405, 314, 17, 84, 181, 91, 146, 61)
EDGE = 0.03  # mouth widths: the lips' visible edge beyond their inner landmarks
REACH = 1.0  # the skin past the outer lip that stretches with it, as a share of the lip's height
BAND_MIN = 0.06  # mouth widths: the least lip height counted (a smile stretches the upper lip thin)
MAX_STRETCH = 2.0  # the most a lip's band may be stretched to close the mouth
GRID = 129  # samples along the mouth at which the new edges are planned
SMOOTH = 5.0  # the new edges' smoothing along the mouth (Gaussian sigma, in samples)
LINE_DARK = 0.3  # the line where the lips meet is this much darker at its middle,
LINE_PX = 1.0  # over about this many pixels either side
MIN_GAP = 0.5  # px: an opening no wider than this anywhere is already closed


def _outline(frame: MouthFrame, points: np.ndarray, idx: tuple[int, ...], s: np.ndarray) -> np.ndarray:
    """t (px) of a lip contour at positions s along the mouth."""
    st = frame.coords(points[list(idx)])
    order = np.argsort(st[:, 0], kind="stable")
    return np.interp(s, st[order, 0], st[order, 1])


def _smoothed(values: np.ndarray) -> np.ndarray:
    half = int(3 * SMOOTH)
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / SMOOTH) ** 2)
    padded = np.r_[np.full(half, values[0]), values, np.full(half, values[-1])]
    return np.convolve(padded, kernel / kernel.sum(), mode="valid")


def plan(points: np.ndarray, share: float) -> dict[str, np.ndarray]:
    """Along the mouth (s: GRID samples 0..1): the inner lips' t now (`upper`, `lower`), where they go
    (`upper_new`, `lower_new`), the bands' far ends (`top`, `bottom`) and the lips' edge allowance (`edge`)."""
    frame = MouthFrame(points)
    s = np.linspace(0.0, 1.0, GRID)
    up, lo = frame.upper(s), frame.lower(s)
    outer_up, outer_lo = _outline(frame, points, UPPER_OUTER, s), _outline(frame, points, LOWER_OUTER, s)
    gap = np.maximum(lo - up, 0.0)
    edge = share * np.minimum(EDGE * frame.width, gap / 2)
    least = BAND_MIN * frame.width
    top = outer_up - REACH * np.maximum(up - outer_up, least)
    bottom = outer_lo + REACH * np.maximum(outer_lo - lo, least)
    above, below = up - edge - top, bottom - lo - edge
    # both bands stretched by one factor so that they meet (at most MAX_STRETCH), `share` of the way
    k = np.clip((bottom - top) / np.maximum(above + below, 1e-6), 1.0, MAX_STRETCH)
    k = 1.0 + share * (k - 1.0)
    up_new, lo_new = _smoothed(top + k * above), _smoothed(bottom - k * below)
    up_new, lo_new = np.maximum(up_new, up), np.minimum(lo_new, lo)  # a lip never draws back from the opening
    meet = up_new > lo_new
    up_new[meet] = lo_new[meet] = ((up_new + lo_new) / 2)[meet]
    return {"s": s, "upper": up, "lower": lo, "upper_new": up_new, "lower_new": lo_new, "top": top,
            "bottom": bottom, "edge": edge}


def close_lips(out: np.ndarray, dst: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """(the image `out` (H, W, C) with the lips at landmarks `dst` (468, 2) brought `share` (0..1) of the way
    together, the landmarks with the inner lips where they went)."""
    import cv2

    dst = np.asarray(dst, np.float64)[:, :2]
    share = float(np.clip(share, 0.0, 1.0))
    frame = MouthFrame(dst)
    if share <= 0.0 or frame.width < 4.0:
        return out, dst
    p = plan(dst, share)
    if float((p["lower"] - p["upper"]).max()) <= MIN_GAP:
        return out, dst
    # the box holding the stretched bands
    ends = np.r_[frame.image(p["s"], p["top"]), frame.image(p["s"], p["bottom"])]
    h, w = out.shape[:2]
    x0, y0 = np.maximum(np.floor(ends.min(0)).astype(int) - 2, 0)
    x1, y1 = np.minimum(np.ceil(ends.max(0)).astype(int) + 3, [w, h])
    if x1 - x0 < 2 or y1 - y0 < 2:
        return out, dst
    ys, xs = np.mgrid[y0:y1, x0:x1]
    st = frame.coords(np.c_[xs.ravel(), ys.ravel()].astype(np.float64))
    s, t = st[:, 0], st[:, 1]
    along = np.clip(s, 0.0, 1.0)
    up, lo, up_new, lo_new, top, bottom, edge = (np.interp(along, p["s"], p[k]) for k in (
        "upper", "lower", "upper_new", "lower_new", "top", "bottom", "edge"))
    # each pixel's place in the warped image as the upper band, the lower band and the opening's middle see it
    from_upper = np.where(t < top, t, top + (t - top) * (up - edge - top) / np.maximum(up_new - top, 1e-6))
    from_lower = np.where(t > bottom, t, bottom - (bottom - t) * (bottom - lo - edge) / np.maximum(bottom - lo_new, 1e-6))
    from_middle = (up + lo) / 2 + t - (up_new + lo_new) / 2
    # anti-aliased over a pixel at each lip's new edge
    w_up, w_lo = np.clip(up_new - t + 0.5, 0.0, 1.0), np.clip(t - lo_new + 0.5, 0.0, 1.0)
    w_mid = np.clip(1.0 - w_up - w_lo, 0.0, 1.0)
    total = np.maximum(w_up + w_lo + w_mid, 1e-6)
    inside = (s > 0.0) & (s < 1.0)  # past the inner corners nothing moves
    picture = np.zeros((len(t), out.shape[2]))
    for where_t, weight in ((from_upper, w_up), (from_lower, w_lo), (from_middle, w_mid)):
        where = frame.image(s, np.where(inside, where_t, t)).astype(np.float32)
        sampled = cv2.remap(out, where[:, 0].reshape(ys.shape), where[:, 1].reshape(ys.shape), cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_REFLECT)
        picture += (weight / total)[:, None] * sampled.reshape(len(t), -1)
    # the line where the lips were brought together, darker in proportion to how far they closed (up to 2 px)
    closed = np.clip(((lo - up) - (lo_new - up_new)) / 2.0, 0.0, 1.0) * (lo_new - up_new < 0.5) * inside
    shade = 1.0 - LINE_DARK * closed * np.exp(-(((t - up_new) / LINE_PX) ** 2))
    result = out.copy()
    result[y0:y1, x0:x1] = np.clip(picture * shade[:, None] + 0.5, 0, 255).astype(out.dtype).reshape(ys.shape + (-1,))
    moved = dst.copy()
    for idx, key in ((UPPER_INNER_LIP, "upper_new"), (LOWER_INNER_LIP, "lower_new")):
        inner = list(idx[1:-1])  # the corners are shared and stay
        sl = frame.coords(dst[inner])[:, 0]
        moved[inner] = frame.image(sl, np.interp(np.clip(sl, 0.0, 1.0), p["s"], p[key]))
    return result, moved
