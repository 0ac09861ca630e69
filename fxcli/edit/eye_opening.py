"""The eyes behind the moved lids: the eyeball stays still, the lids slide over it.

The warp moves the lid margins (fxcli/edit/au_regions.py: AU5 raises the upper lid, AU7 and a blink lower
it) and, left alone, stretches or squeezes whatever lies between them: a widened eye gets a tall iris and
long lashes instead of more white. Here, inside each eye's opening at the edited lids, the output shows the
eyeball as it was: the photo's pixel at the same place (moved only with the eye's corners, which are fixed
to the skull). Where the new opening reaches past the photo's (the upper lid raised above where it was),
the part of the eyeball the lid hid is painted as an eyeball is: the iris as a disc (IRIS_RADIUS_MIN..MAX of
the eye's width, centred on the run of dark columns in the photo's opening, its bottom at the lowest dark
pixel there - the lower lid when that covers it), so a raised lid first uncovers the top of the iris and
then the white above it, never a tall iris; the white in the colour of the photo's own white of the eye.
Both sit in the lid's shadow (darker right under it); the iris keeps its column's colour, taken from just
below the photo's lashes (LASH_BAND of the opening's height). No lash or lid pixel is stretched into the eye.
When no iris can be told from the lashes and corner shadows (no run of dark columns in the opening's middle),
each column continues its own colour upward (an iris column as iris, a white column as white).

An eye without visible sclera (sunglasses, an eye nearly shut, too small to see) is left as the warp has it.
"""

from __future__ import annotations

import numpy as np

from fxcli.edit.au_regions import EYES
from fxcli.edit.cielab import luma as luma_of
from fxcli.edit.polygons import grown_box, poly_mask

EYE_MARGIN = 12  # px around an eye's outlines: more than its blurs (3 sigma of 2 px) and samples reach
MIN_SCLERA = 6  # bright, grey pixels the photo's eye must show (else: sunglasses, a shut or tiny eye)
MIN_WIDTH = 8.0  # px: smaller eyes are left alone
LASH_BAND = 0.35  # of the opening's height below the upper lid: lashes and the lid's edge
LID_SHADOW = 0.6  # brightness right under the raised lid, rising to 1 LID_FADE below it
LID_FADE = 0.35  # of the photo's opening height (its column's): the lid's shadow on the eyeball
# The iris (module doc): a human iris is about 11.7 mm across, the eye's opening 28-30 mm wide
IRIS_RADIUS_MIN, IRIS_RADIUS_MAX = 0.15, 0.25  # of the eye's width (corner to corner)
IRIS_DARK = 0.5  # share of a column's opening pixels darker than midway from the darkest to the white
CORNER_SKIP = 0.12  # of the eye's width at each corner: corner shadows, not iris


def aperture(points: np.ndarray, side: str) -> np.ndarray:
    """The eye opening's outline (16, 2) at landmarks (468, 2): outer corner, upper lid, inner corner, lower lid."""
    (outer, inner), upper, lower = EYES[side]
    return np.vstack([points[[outer]], points[list(upper)], points[[inner]], points[list(lower)[::-1]]])


def _lid(polygon: np.ndarray, xs: np.ndarray, upper: bool) -> np.ndarray:
    """y of the upper (or lower) lid of an aperture outline at columns xs."""
    part = polygon[:9] if upper else np.vstack([polygon[8:], polygon[:1]])
    order = np.argsort(part[:, 0])
    return np.interp(xs, part[order, 0], part[order, 1])


def _opening_pixels(source: np.ndarray, polygon: np.ndarray) -> np.ndarray | None:
    """Boolean mask of the photo's eye opening less its margin pixels, or None for an eye under MIN_WIDTH."""
    import cv2

    if float(np.linalg.norm(polygon[0] - polygon[8])) < MIN_WIDTH:
        return None
    return cv2.erode(poly_mask(source.shape, polygon), np.ones((3, 3), np.uint8)) > 0


def _sclera(source: np.ndarray, opening: np.ndarray) -> np.ndarray:
    """(N, 3) the opening's white-of-the-eye pixels: its brightest grey ones, clearly brighter than most."""
    rgb = source[opening].astype(np.float32)
    luma = luma_of(rgb)
    chroma = rgb.max(1) - rgb.min(1)
    lo, hi = np.percentile(luma, [30, 80]) if len(luma) else (0.0, 0.0)
    return rgb[(luma >= hi) & (chroma < 0.3 * np.maximum(luma, 1.0)) & (luma > lo + 25)]


def shows_sclera(source: np.ndarray, polygon: np.ndarray) -> bool:
    """Whether the photo's eye opening shows some white of the eye (bright grey pixels) and is large enough."""
    opening = _opening_pixels(source, polygon)
    if opening is None or opening.sum() < 2 * MIN_SCLERA:
        return False
    return len(_sclera(source, opening)) >= MIN_SCLERA


def iris_disc(source: np.ndarray, polygon: np.ndarray) -> tuple[float, float, float] | None:
    """(cx, cy, r) px of the iris in the photo's eye opening `polygon` (module doc), or None when no run of dark
    columns stands out in the opening's middle."""
    opening = _opening_pixels(source, polygon)
    if opening is None:
        return None
    white = _sclera(source, opening)
    if len(white) < MIN_SCLERA:
        return None
    luma = luma_of(source)
    darkest = float(np.percentile(luma[opening], 10))
    dark = opening & (luma < 0.5 * (darkest + float(np.median(white @ np.array([0.299, 0.587, 0.114])))))
    cols = np.nonzero(opening.any(0))[0]
    width = float(np.linalg.norm(polygon[0] - polygon[8]))
    share = dark[:, cols].sum(0) / np.maximum(opening[:, cols].sum(0), 1)
    middle = (cols >= polygon[:, 0].min() + CORNER_SKIP * width) & (cols <= polygon[:, 0].max() - CORNER_SKIP * width)
    iris = middle & (share >= IRIS_DARK)
    if not iris.any():
        return None
    # the longest run of dark columns
    edges = np.diff(np.r_[0, iris.astype(np.int8), 0])
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    k = int(np.argmax(ends - starts))
    first, last = cols[starts[k]], cols[ends[k] - 1]
    radius = float(np.clip((last - first + 1) / 2, IRIS_RADIUS_MIN * width, IRIS_RADIUS_MAX * width))
    cx = 0.5 * (first + last)
    lowest = np.nonzero(dark[:, int(round(cx))])[0]
    if not len(lowest):
        return None
    return cx, float(lowest.max()) + 0.5 - radius, radius


def unseen_eyes(source: np.ndarray, src: np.ndarray) -> tuple[str, ...]:
    """The eyes ("Left", "Right") whose opening in the photo shows no white (see shows_sclera)."""
    return tuple(side for side in EYES if not shows_sclera(source, aperture(src, side)))


def reveal_eyes(out: np.ndarray, source: np.ndarray, src: np.ndarray, dst: np.ndarray,
                unseen: tuple[str, ...] | None = None) -> np.ndarray:
    """The warped photo `out` with each eye's opening at the edited lids `dst` showing the still eyeball;
    `unseen`: unseen_eyes(source, src) when already known."""
    import cv2

    unseen = unseen_eyes(source, src) if unseen is None else unseen
    result = out
    for side, ((outer, inner), _, _) in EYES.items():
        poly_s, poly_d = aperture(src, side), aperture(dst, side)
        if np.abs(poly_d - poly_s).max() < 0.5 or side in unseen:
            continue
        shift = (dst[[outer, inner]] - src[[outer, inner]]).mean(0)  # the eyeball moves with the corners
        # everything below happens in the eye's box, with a margin wider than any blur or sample reaches, so
        # the result is the same as over the whole photo
        corners = np.vstack([poly_s, poly_d, poly_d - shift])
        (lx, ly), (hx, hy) = np.floor(corners.min(0)).astype(int), np.ceil(corners.max(0)).astype(int)
        x0, y0, x1, y1 = grown_box(lx, ly, hx + 1, hy + 1, EYE_MARGIN, out.shape)
        if x1 <= x0 or y1 <= y0:
            continue
        origin = np.array([x0, y0], np.float64)
        box = (y1 - y0, x1 - x0)
        src_box = source[y0:y1, x0:x1]
        ps, pd = poly_s - origin, poly_d - origin
        m_d = poly_mask(box, pd, smooth=True)
        ys, xs = np.nonzero(m_d)
        if not len(xs):
            continue
        ys, xs = ys + y0, xs + x0  # the photo's pixels; sample positions are made there, then moved into the box
        bx, by = np.float32(x0), np.float32(y0)  # (exactly: float32 positions less whole pixels)
        qx, qy = (xs - shift[0]).astype(np.float32), (ys - shift[1]).astype(np.float32)
        # inside the photo's own opening (less its lid-margin pixels) the photo's eyeball
        seen = cv2.erode(poly_mask(box, ps, smooth=True), np.ones((3, 3), np.uint8))
        seen = cv2.GaussianBlur(seen.astype(np.float32) / 255.0, (0, 0), 0.8)
        wgt = cv2.remap(seen, qx[None] - bx, qy[None] - by, cv2.INTER_LINEAR).reshape(-1)[:, None]
        photo = cv2.remap(src_box, qx[None] - bx, qy[None] - by, cv2.INTER_LINEAR).reshape(-1, 3).astype(np.float32)
        # above it (a raised lid), the column's eyeball from just below the photo's lashes, in the lid's shadow
        top_s, bottom_s = _lid(poly_s, qx, True), _lid(poly_s, qx, False)
        below_lashes = (top_s + LASH_BAND * np.maximum(bottom_s - top_s, 0.0)).astype(np.float32)
        # the column's colour: the mean of its eyeball between the lashes and the lower lid, smoothed across
        # columns (one column's noise or a lash would streak the revealed band)
        soft = cv2.GaussianBlur(src_box, (0, 0), sigmaX=2.0, sigmaY=0.7)
        column = np.zeros((len(xs), 3), np.float32)
        for rel in np.linspace(LASH_BAND, 0.75, 5):
            row = (top_s + rel * np.maximum(bottom_s - top_s, 0.0)).astype(np.float32)
            column += cv2.remap(soft, qx[None] - bx, row[None] - by,
                                cv2.INTER_LINEAR).reshape(-1, 3).astype(np.float32) / 5
        disc = iris_disc(src_box, ps)
        if disc is not None:  # the white around the iris's disc, in the colour of the photo's own white
            cx, cy, radius = disc
            inside_iris = np.clip(radius + 0.5 - np.hypot(qx - bx - cx, qy - by - cy), 0.0, 1.0)[:, None]
            white = np.median(_sclera(src_box, _opening_pixels(src_box, ps)), axis=0)
            column = inside_iris * column + (1 - inside_iris) * white
        top_d = _lid(poly_d, xs.astype(np.float64), True)
        band = np.maximum(LID_FADE * (bottom_s - top_s), 1.0)
        shade = LID_SHADOW + (1 - LID_SHADOW) * np.clip((ys - top_d) / band, 0.0, 1.0)
        painted = column * shade[:, None]
        above = (qy < below_lashes)[:, None]  # the raised part; below the photo's opening: its lowest row
        fill = np.where(above, painted, photo)
        inside = wgt * photo + (1 - wgt) * fill
        # keep the lid margin itself (lashes, the lid's edge) from the warp: the opening's edge is feathered
        alpha = cv2.GaussianBlur(cv2.erode(m_d, np.ones((2, 2), np.uint8)).astype(np.float32) / 255.0, (0, 0), 0.7)
        a = alpha[ys - y0, xs - x0][:, None]
        blended = result[ys, xs].astype(np.float32) * (1 - a) + inside * a
        if result is out:
            result = out.copy()
        result[ys, xs] = np.clip(blended.astype(np.float32) + np.float32(0.5), 0, 255).astype(np.uint8)
    return result
