"""Rigid things in a portrait that the warp must not bend: glasses (frames, lenses) found from their edges.

A face's own edges near the eyes (brows, lids, the nose's sides) do not cross the nose bridge horizontally
(the glabella between the inner eye corners is smooth skin), a pair of glasses does: its bridge is a
bar, whose two long edges span that box. So glasses are taken as present when, in a box on the bridge
(BRIDGE_W x BRIDGE_H inter-ocular distances, centred on FaceMesh landmark 168), some row band holds
strong vertical-gradient pixels of one sign across at least BRIDGE_SPAN of the box's width and some row band
those of the other sign across at least BAR_SPAN: the bar's other edge, often weaker (against a dark brow or the
shadow under the frame). A single edge across the box is a shadow's: a face turned and looking down casts one
from the brow onto the bridge (interfaces-002, with no glasses, has one edge across 78 % of the box, the other
sign across 11 %; the eight photographed frames here have 31 % or more on their weaker side). A thin metal
bridge can sit out of that box, at the brows (aviators) or low on the nose (a frame worn low, a face looking
down): a box TALL_H tall is searched too, where both of the wire's edges must cross TALL_SPAN of its width.

When glasses are found, the eye band (brow top to below the lower lids, across the face) is kept rigid;
large lenses reach further down the cheeks, so the band goes down to the frame's lower rim when that is
lower (the lowest strong horizontal edge spanning RIM_SPAN of the columns under either eye, reached from the
lower lids' lowest point without a gap over RIM_GAP, at most RIM_REACH IOD below them). Rims that hang
further down (round lenses worn low) are not taken into the band, which would hold the nose and cheeks, but
their pixels are pinned with the frame (below).
Its landmarks do not move, and the strong edges in that band (the frame's outline, subsampled) become
still control points of the warp's spline, so a lens stays round and a frame straight. Below the lids the band
holds only the lenses' columns; it never holds the lower nose (no frame lies on it) or anything within
MOUTH_CLEAR IOD of the lips, which a face tilted in the photo brings into the band's rows.

The spline holds those points only approximately: where the face under the frame moves a lot (a nose
wrinkling up under a lens's inner corner) a rim was dragged up to 20 px into a wave. So after the warp the
frame's pixels (the band's strong edges, off the lower nose) are pinned: the backward map is the identity on
them and the warp's own motion comes back over a feather around them (pin_frame), at the strongest pin that
folds no more pixels than the warp alone. When the band found no rim, the pinned pixels also take the strong
edges up to LOW_RIM IOD below the band that join the band's edges and run across LOW_RIM_WIDTH IOD or more
(a lens's lower rim; the lower nose is left out).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from fxcli.edit.cielab import luma
from fxcli.edit.mouth_interior import OUTER_LIPS
from fxcli.edit.polygons import corner_iod

BRIDGE_LANDMARK = 168
BRIDGE_W, BRIDGE_H = 0.30, 0.30  # IOD
BRIDGE_SPAN = 0.7
BAR_SPAN = 0.25  # the bar's weaker edge: the share of the box's width it crosses at least
# a thin metal bridge can sit above landmark 168 (aviators, at the brows) or below it (a frame worn low on the
# nose): a box twice as tall, where both of the wire's edges must cross TALL_SPAN of it (in that box a turned
# face's brow shadow and the nose's side reached 0.44 on their weaker side; thin frames 0.67 and 0.84)
TALL_H = 0.6
TALL_SPAN = 0.6
LENS_OUT = 0.4  # IOD past an eye's outer corner that a lens reaches
# IOD around the lips that the band never holds: a face tilted in the photo brings its mouth into the band's
# rows (interfaces-004, aviators, rolled 14 deg: landmarks held beside the mouth folded the warp under fear's
# jaw drop, which the editor then limited to 0.51 of the motion; 0.74 with 0.15 IOD clear, none with this)
MOUTH_CLEAR = 0.35
LOW_RIM = 0.5  # IOD under the eye band searched for a frame's lower rims hanging below it
LOW_RIM_WIDTH = 0.3  # IOD: how far across such a rim runs at least
EDGE_FRACTION = 0.25  # of the band's strongest gradient: what counts as a strong edge
STILL_SPACING = 0.06  # IOD between still points taken on the frame's edges
# the eye band, from the brows down to below the lower lids
BROW_TOP = (70, 63, 105, 66, 107, 336, 296, 334, 293, 300)
BELOW_EYES = (111, 117, 118, 119, 120, 121, 340, 346, 347, 348, 349, 350, 116, 345)
RIM_REACH = 0.45  # IOD below the lower lids searched for the frame's lower rim
RIM_SPAN = 0.35  # share of the columns under an eye a rim's edge crosses
RIM_GAP = 0.2  # IOD: the largest gap between edge rows that still belong to the frame
FRAME_GROW = 0.02  # IOD: the frame's edges grown by this into the pixels kept exactly in place
FEATHER = 0.08  # IOD: the narrowest feather over which the warp's motion comes back around them
FEATHER_MAX = 0.3  # IOD: the widest
# the pin's strengths tried in turn: the first that folds no more pixels than the warp did is kept (where the
# nose squeezes under a lens the warp is already compressed, and a full pin can tip it over)
PIN_STRENGTHS = (1.0, 0.75, 0.5, 0.25)
FEATHER_WIDENINGS = (1.0, 2.0, 3.0)  # and at each, the feather widened (up to FEATHER_MAX) before the pin is weakened


# the nose below its bridge (tip, wings, nostrils): no frame lies on it, and when a long band reaches it its
# edges are the nose's, which must go on moving with the face
LOWER_NOSE = (195, 5, 4, 1, 19, 94, 2, 98, 327, 64, 294, 48, 278, 219, 439, 49, 279, 131, 360, 198, 420, 3, 248)


COVER_FEATHER = 0.03  # IOD: the feather of the frame and its lenses, where shading is left out (frame_cover)

class FramePixels(NamedTuple):
    """The pixels of a pair of glasses kept in place: a bool mask over a box whose top-left is (x0, y0)."""

    mask: np.ndarray
    x0: int
    y0: int


def _grey(image: np.ndarray) -> np.ndarray:
    return luma(image)


def bar_spans(image: np.ndarray, landmarks: np.ndarray, height: float) -> tuple[float, float]:
    """(larger, smaller) share of the bridge box's width crossed by strong horizontal edges of each sign (brighter
    below, darker below), in a box BRIDGE_W wide and `height` IOD tall centred on landmark BRIDGE_LANDMARK."""
    import cv2

    xy = np.asarray(landmarks, np.float64)[:, :2]
    iod = corner_iod(xy)
    cx, cy = xy[BRIDGE_LANDMARK]
    x0, x1 = int(round(cx - BRIDGE_W * iod / 2)), int(round(cx + BRIDGE_W * iod / 2))
    y0, y1 = int(round(cy - height * iod / 2)), int(round(cy + height * iod / 2))
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return 0.0, 0.0
    # only the box and the blur's reach around it are smoothed
    pad = int(np.ceil(4 * max(0.6, 0.006 * iod))) + 2
    bx0, by0, bx1, by1 = max(x0 - pad, 0), max(y0 - pad, 0), min(x1 + pad, w), min(y1 + pad, h)
    grey = cv2.GaussianBlur(_grey(image[by0:by1, bx0:bx1]), (0, 0), max(0.6, 0.006 * iod))
    inner = (slice(y0 - by0, y1 - by0), slice(x0 - bx0, x1 - bx0))
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)[inner]
    gx = np.abs(cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3))[inner]
    spans = []
    for sign in (1.0, -1.0):  # brighter below, darker below: a bar's two edges
        # a frame's edge is strong in absolute terms (a dark frame on skin): 12 grey levels per pixel
        strong = (sign * gy > 4 * 12.0) & (sign * gy > gx)
        # rows grouped in bands of 3 (a frame edge is rarely exactly one pixel row)
        spans.append(float(max(strong[max(0, r - 1):r + 2].any(0).mean() for r in range(strong.shape[0]))))
    return max(spans), min(spans)


def has_glasses(image: np.ndarray, landmarks: np.ndarray) -> bool:
    """Whether a bar spans the nose bridge (see the module doc): in the bridge box, or in the taller box with
    both of its edges across most of it (a thin wire bridge above or below landmark 168)."""
    strong, weak = bar_spans(image, landmarks, BRIDGE_H)
    if strong >= BRIDGE_SPAN and weak >= BAR_SPAN:
        return True
    strong, weak = bar_spans(image, landmarks, TALL_H)
    return bool(weak >= TALL_SPAN)


def band_bottom(image: np.ndarray | None, landmarks: np.ndarray) -> float:
    """y (px) where the rigid eye band ends: below the lower lids, or below the frame's lower rim."""
    import cv2

    xy = np.asarray(landmarks, np.float64)[:, :2]
    iod = corner_iod(xy)
    bottom = xy[list(BELOW_EYES)][:, 1].max() + 0.05 * iod
    if image is None:
        return bottom
    h, w = image.shape[:2]
    y0 = int(max(0, xy[list(BELOW_EYES)][:, 1].min()))
    y1 = int(min(h, bottom + RIM_REACH * iod))
    if y1 - y0 < 4:
        return bottom
    grey = cv2.GaussianBlur(_grey(image), (0, 0), max(0.6, 0.006 * iod))
    gy = np.abs(cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3))[y0:y1]
    gx = np.abs(cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3))[y0:y1]
    strong = (gy > 4 * 12.0) & (gy > gx)
    lowest = bottom
    for outer, inner in ((33, 133), (263, 362)):  # the columns under each eye, corner to corner
        xa, xb = sorted((xy[outer, 0], xy[inner, 0]))
        xa, xb = int(max(0, xa)), int(min(w, xb))
        if xb - xa < 4:
            continue
        rows = np.array([strong[max(0, r - 1):r + 2, xa:xb].any(0).mean() for r in range(y1 - y0)])
        # edges go on from the lids down to the rim, with gaps under RIM_GAP: past a larger gap (the cheek)
        # an edge belongs to something else (the nose's wings, a smile's folds)
        end = int(bottom - 0.05 * iod) - y0  # the lids' lowest point: the band holds them
        for r in np.flatnonzero(rows >= RIM_SPAN):
            if r - end > RIM_GAP * iod:
                break
            end = max(end, r)
        lowest = max(lowest, y0 + end + 0.05 * iod)
    return float(lowest)


def band_edges(image: np.ndarray, landmarks: np.ndarray, bottom: float | None) -> tuple[np.ndarray, int, int]:
    """(bool mask of the eye band's strong edges over its pixel box, x0, y0); an empty mask when the band
    leaves the photo."""
    import cv2

    xy = np.asarray(landmarks, np.float64)[:, :2]
    iod = corner_iod(xy)
    h, w = image.shape[:2]
    top = xy[list(BROW_TOP)][:, 1].min() - 0.15 * iod
    bottom = band_bottom(image, landmarks) if bottom is None else bottom
    left, right = xy[:, 0].min() - 0.1 * iod, xy[:, 0].max() + 0.1 * iod
    x0, y0 = int(max(0, left)), int(max(0, top))
    x1, y1 = int(min(w, right)), int(min(h, bottom))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return np.zeros((0, 0), bool), 0, 0
    grey = cv2.GaussianBlur(_grey(image), (0, 0), max(0.6, 0.006 * iod))[y0:y1, x0:x1]
    mag = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3))
    strong = mag > max(EDGE_FRACTION * float(mag.max()), 4 * 12.0)
    # below the lids only the lenses' columns: the nose between them and the mouth go on moving
    below = np.arange(y0, y1)[:, None] > band_bottom(None, landmarks)
    strong &= ~(below & ~_under_lenses(xy, np.arange(x0, x1))[None, :])
    return strong & ~_near_mouth(xy, strong.shape, x0, y0), x0, y0


def _on_lower_nose(xy: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Bool per point: inside (or on) the lower nose's outline (LOWER_NOSE's convex hull)."""
    import cv2

    hull = cv2.convexHull(xy[list(LOWER_NOSE)].astype(np.float32))
    return np.array([cv2.pointPolygonTest(hull, (float(x), float(y)), False) >= 0 for x, y in points], bool)


def _under_lenses(xy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Bool per x (px): in the columns a lens covers under an eye, from its inner corner out to LENS_OUT IOD past
    its outer corner (the band's part below the lids holds only these)."""
    iod = corner_iod(xy)
    out = np.zeros(len(x), bool)
    for outer, inner in ((33, 133), (263, 362)):
        a, b = xy[outer, 0], xy[inner, 0]
        lo, hi = (a - LENS_OUT * iod, b) if a < b else (b, a + LENS_OUT * iod)
        out |= (x >= lo) & (x <= hi)
    return out


def _near_mouth(xy: np.ndarray, shape: tuple[int, int], x0: int, y0: int) -> np.ndarray:
    """(h, w) bool over a box at (x0, y0): within MOUTH_CLEAR IOD of the lips (their outer contour, filled)."""
    import cv2

    lips = np.zeros(shape, np.uint8)
    cv2.fillPoly(lips, [np.round(xy[list(OUTER_LIPS)] - [x0, y0]).astype(np.int32)], 1)
    if not lips.any():  # the lips lie outside the box: how far each pixel is from them, in the photo's frame
        return _mouth_distance(xy, shape, x0, y0) <= MOUTH_CLEAR * corner_iod(xy)
    gap = cv2.distanceTransform((lips == 0).astype(np.uint8), cv2.DIST_L2, 3)
    return gap <= MOUTH_CLEAR * corner_iod(xy)


def _mouth_distance(xy: np.ndarray, shape: tuple[int, int], x0: int, y0: int) -> np.ndarray:
    """(h, w) float: each pixel's distance (px) to the nearest point of the lips' outer contour."""
    lips = xy[list(OUTER_LIPS)]
    ys, xs = np.mgrid[y0:y0 + shape[0], x0:x0 + shape[1]]
    d = np.full(shape, np.inf)
    for a, b in zip(lips, np.roll(lips, -1, axis=0), strict=True):
        ab = b - a
        t = np.clip(((xs - a[0]) * ab[0] + (ys - a[1]) * ab[1]) / max(float(ab @ ab), 1e-9), 0.0, 1.0)
        d = np.minimum(d, np.hypot(xs - a[0] - t * ab[0], ys - a[1] - t * ab[1]))
    return d


def eye_band_points(image: np.ndarray, landmarks: np.ndarray, bottom: float | None = None,
                    edges: tuple[np.ndarray, int, int] | None = None) -> np.ndarray:
    """(N, 2) still points on the strong edges of the eye band (the frames), about STILL_SPACING IOD apart;
    `edges`: band_edges(image, landmarks, bottom) when already known."""
    strong, x0, y0 = band_edges(image, landmarks, bottom) if edges is None else edges
    ys, xs = np.nonzero(strong)
    if not len(xs):
        return np.zeros((0, 2))
    step = max(2.0, STILL_SPACING * corner_iod(np.asarray(landmarks, np.float64)[:, :2]))
    cells = np.c_[np.floor(xs / step), np.floor(ys / step)].astype(np.int64)
    _, first = np.unique(cells, axis=0, return_index=True)
    return np.c_[xs[first] + x0, ys[first] + y0].astype(np.float64)


def frame_pixels(image: np.ndarray, landmarks: np.ndarray, bottom: float | None = None,
                 edges: tuple[np.ndarray, int, int] | None = None) -> FramePixels | None:
    """The eye band's strong edges (the frames, and the brows and lids held still with them) off the lower nose
    (LOWER_NOSE), grown by FRAME_GROW IOD: the pixels pin_frame keeps exactly in place after the warp. None
    when there are none; `edges`: band_edges(image, landmarks, bottom) when already known."""
    import cv2

    strong, x0, y0 = band_edges(image, landmarks, bottom) if edges is None else edges
    xy = np.asarray(landmarks, np.float64)[:, :2]
    if bottom is not None and bottom <= band_bottom(None, landmarks) + 1.0:  # no rim found within the band's reach
        strong = _with_low_rims(image, xy, strong, x0, y0)
    nose = cv2.convexHull(np.round(xy[list(LOWER_NOSE)] - [x0, y0]).astype(np.int32))
    strong = strong & ~(cv2.fillConvexPoly(np.zeros(strong.shape, np.uint8), nose, 1) > 0)
    if not strong.any():
        return None
    grow = max(1, int(round(FRAME_GROW * corner_iod(xy))))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
    return FramePixels(cv2.dilate(strong.astype(np.uint8), kernel) > 0, x0, y0)


def frame_cover(frame: FramePixels, box: tuple[int, int, int, int], iod: float) -> np.ndarray:
    """float32 0..1 over `box` (x0, y0, x1, y1): the frame's pixels and the lenses they enclose (the mask's holes
    filled), feathered by COVER_FEATHER IOD; what an expression's shading leaves alone (the brows' creases
    rendered for a face that moved showed through a mirrored lens as a brown patch). The skin between the
    lenses and above them keeps its creases: the frame's convex hull took the brows' furrow away too."""
    import cv2
    from scipy.ndimage import binary_fill_holes

    x0, y0, x1, y1 = box
    out = np.zeros((max(y1 - y0, 0), max(x1 - x0, 0)), np.float32)
    mask = binary_fill_holes(frame.mask)
    # the frame's box within `box`
    fy0, fx0 = max(frame.y0, y0), max(frame.x0, x0)
    fy1, fx1 = min(frame.y0 + mask.shape[0], y1), min(frame.x0 + mask.shape[1], x1)
    if fy1 <= fy0 or fx1 <= fx0:
        return out
    out[fy0 - y0:fy1 - y0, fx0 - x0:fx1 - x0] = mask[fy0 - frame.y0:fy1 - frame.y0, fx0 - frame.x0:fx1 - frame.x0]
    sigma = COVER_FEATHER * iod
    return cv2.GaussianBlur(out, (0, 0), sigma) if sigma >= 0.5 else out


def _with_low_rims(image: np.ndarray, xy: np.ndarray, strong: np.ndarray, x0: int, y0: int) -> np.ndarray:
    """The band's edge mask grown down over the lenses' lower rims that hang below it (a frame worn low on the
    nose, a face looking down): strong edges within LOW_RIM IOD under the band that join the band's own edges
    (through its last rows) and run across at least LOW_RIM_WIDTH IOD, as a rim does (a nose's side runs down)."""
    import cv2

    if not strong.size or not strong[-2:].any():
        return strong
    iod = corner_iod(xy)
    h, w = image.shape[:2]
    y1 = y0 + strong.shape[0]
    y2 = int(min(h, y1 + LOW_RIM * iod))
    if y2 - y1 < 2:
        return strong
    x1 = x0 + strong.shape[1]
    grey = cv2.GaussianBlur(_grey(image[max(0, y0 - 4):min(h, y2 + 4), x0:x1]), (0, 0), max(0.6, 0.006 * iod))
    grey = grey[y0 - max(0, y0 - 4):y0 - max(0, y0 - 4) + (y2 - y0)]
    mag = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3))
    below = mag[strong.shape[0]:] > 4 * 12.0
    nose = cv2.convexHull(np.round(xy[list(LOWER_NOSE)] - [x0, y1]).astype(np.int32))
    below &= cv2.fillConvexPoly(np.zeros(below.shape, np.uint8), nose, 1) == 0
    joined = np.vstack([strong[-2:], below]).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    keep = np.zeros(count, bool)
    for k in range(1, count):
        on_band = labels[:2] == k
        if on_band.any() and stats[k, cv2.CC_STAT_WIDTH] >= LOW_RIM_WIDTH * iod \
                and stats[k, cv2.CC_STAT_HEIGHT] > 2:
            keep[k] = True
    if not keep.any():
        return strong
    return np.vstack([strong, keep[labels[2:]]])


def pin_frame(map_x: np.ndarray, map_y: np.ndarray, frame: FramePixels, iod: float) -> tuple[np.ndarray, np.ndarray]:
    """The backward maps with the frame's pixels taken from where they are (map = identity there), the warp's
    own displacement coming back over a feather below and around them.

    The warp's spline only approximately holds its still points: a nose wrinkling up under a lens's inner
    corner dragged the rim there 20 px (interfaces-016, disgust). The feather (distance to the frame over
    its width) is at least FEATHER IOD and 1.5x the largest displacement within FEATHER_MAX of the frame: a
    displacement d blended out over a width w changes the map's slope by about d / w. Where the warp is
    already squeezed next to the frame that can still fold it, so the feather is widened (FEATHER_WIDENINGS),
    then the pin weakened (PIN_STRENGTHS), until the map folds no more pixels than the warp's did."""
    import cv2

    mask, x0, y0 = frame.mask, frame.x0, frame.y0
    h, w = map_x.shape
    pad = int(np.ceil(FEATHER_MAX * iod)) + 1
    bx0, by0, bx1, by1 = max(x0 - pad, 0), max(y0 - pad, 0), min(x0 + mask.shape[1] + pad, w), \
        min(y0 + mask.shape[0] + pad, h)
    if bx1 <= bx0 or by1 <= by0:
        return map_x, map_y
    on = np.zeros((by1 - by0, bx1 - bx0), np.uint8)
    sy0, sx0 = y0 - by0, x0 - bx0
    on[sy0:sy0 + mask.shape[0], sx0:sx0 + mask.shape[1]] = mask[:on.shape[0] - sy0, :on.shape[1] - sx0]
    gx, gy = np.meshgrid(np.arange(bx0, bx1, dtype=np.float32), np.arange(by0, by1, dtype=np.float32))
    ux, uy = map_x[by0:by1, bx0:bx1] - gx, map_y[by0:by1, bx0:bx1] - gy
    distance = cv2.distanceTransform((on == 0).astype(np.uint8), cv2.DIST_L2, 5)
    speed = np.hypot(ux, uy)
    if not on.any() or speed[on > 0].max() < 0.25:
        return map_x, map_y
    moved = float(speed[distance <= FEATHER_MAX * iod].max())  # on the frame and around it, as far as a feather reaches
    folded = _folds(gx + ux, gy + uy)
    for strength in PIN_STRENGTHS:
        for widen in FEATHER_WIDENINGS:
            width = float(np.clip(1.5 * moved * widen, FEATHER * iod * widen, FEATHER_MAX * iod))
            keep = np.clip(1.0 - distance / width, 0.0, 1.0).astype(np.float32)
            keep = strength * keep * keep * (3 - 2 * keep)  # smoothstep: the slope eases in and out
            px, py = gx + ux * (1 - keep), gy + uy * (1 - keep)
            if _folds(px, py) <= folded:
                map_x, map_y = map_x.copy(), map_y.copy()
                map_x[by0:by1, bx0:bx1], map_y[by0:by1, bx0:bx1] = px, py
                return map_x, map_y
    return map_x, map_y


def _folds(map_x: np.ndarray, map_y: np.ndarray) -> int:
    """How many pixels a backward map folds over (its Jacobian's determinant <= 0)."""
    det = (np.gradient(map_x, axis=1) * np.gradient(map_y, axis=0)
           - np.gradient(map_x, axis=0) * np.gradient(map_y, axis=1))
    return int((det <= 0).sum())


def eye_band_landmarks(landmarks: np.ndarray, bottom: float | None = None) -> np.ndarray:
    """Indices of the landmarks inside the eye band (they stay still when glasses are protected);
    `bottom`: the band's lower end (band_bottom), by default just below the lower lids."""
    xy = np.asarray(landmarks, np.float64)[:, :2]
    iod = corner_iod(xy)
    top = xy[list(BROW_TOP)][:, 1].min() - 0.15 * iod
    bottom = band_bottom(None, landmarks) if bottom is None else bottom
    inside = np.flatnonzero((xy[:, 1] >= top) & (xy[:, 1] <= bottom))
    # below the lids only under the lenses; never the lower nose (no frame lies on it: it goes on moving)
    low = xy[inside, 1] > band_bottom(None, landmarks)
    inside = inside[(~low | _under_lenses(xy, xy[inside, 0])) & ~_on_lower_nose(xy, xy[inside])]
    # never the lips or what lies next to them (a tilted face's mouth corner can sit above the band's bottom)
    x0, y0 = int(np.floor(xy[:, 0].min())), int(np.floor(xy[:, 1].min()))
    w, h = int(np.ceil(xy[:, 0].max())) - x0 + 2, int(np.ceil(xy[:, 1].max())) - y0 + 2
    near = _near_mouth(xy, (h, w), x0, y0)
    px = np.clip(np.round(xy[inside] - [x0, y0]).astype(int), 0, [w - 1, h - 1])
    return inside[~near[px[:, 1], px[:, 0]]]
