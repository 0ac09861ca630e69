"""Things in front of the face's upper part that the warp must not bend: hair strands, a fringe, a hat's brim,
a camera. Like a pair of glasses (fxcli/edit/rigid_parts.py) they are held still in the warp: the landmarks
on them do not move and still points on them join the warp's still ring, so a fringe keeps its line while the
brows rise under it and the skin between is squeezed or stretched.

They are found without a learned parser, from two facts about them:
- Colour. Their pixels are darker than the face's skin (sampled on the cheeks and nose) and FAR from it in Lab
  (OpenCV's 8-bit scale), and either greyer (HSV saturation under GREY of the skin's), near black (L under
  BLACK of the skin's) or of a hue no skin takes (NO_SKIN_HUE). Skin in shade keeps its saturation and hue, so
  a shadow, however dark, is not taken; hair, felt, metal and plastic are.
- Where they come from. An occluder reaches into the face from outside it: a kept piece is a connected region
  of such pixels with some area (MIN_AREA) inside FaceMesh's face oval and some outside it (hair from the head,
  a brim from the hat, a camera from the hands). The face's own dark parts (a mole, a dimple's shadow) lie
  inside it; the eyes and brows, grown by FEATURE_MARGIN IOD, are never taken. A kept piece is closed over
  CLOSE IOD, so that its lighter parts (a brim's pale stripes, lit strands) go with it.

Only the band above the nose's base (landmark NOSE_BASE, across the face's own down direction) is searched,
the hold fading out over FADE IOD above it: below it a beard or a moustache has the colour of hair but moves
with the skin. A hand in front of the mouth (skin-coloured) and pale objects are not found.
"""

from __future__ import annotations

import numpy as np

from fxcli.edit.au_regions import BROWS as _BROWS
from fxcli.edit.au_regions import EYES as _EYES
from fxcli.edit.mouth_interior import FAR_FROM_SKIN as FAR
from fxcli.edit.polygons import corner_iod

GREY = 0.6  # of the skin's HSV saturation
BLACK = 0.3  # of the skin's L: darker than any shade on it
NO_SKIN_HUE = (30, 160)  # OpenCV hue (2 degree units): green, cyan, blue, violet, which no skin takes in light or shade
NOSE_BASE = 2  # FaceMesh: the base of the nose's columella
FADE = 0.2  # IOD above the nose's base over which an occluder's hold fades out
FEATURE_MARGIN = 0.08  # IOD around the eyes and brows, never taken
CLOSE = 0.05  # IOD: gaps in an occluder closed (its lighter parts)
SPACING = 0.12  # IOD between the still points taken on an occluder
REACH = 0.25  # IOD beyond the face oval where still points are taken (the warp fades out further away)
CLEAR = 0.06  # IOD: no still point this close to a moving landmark
MIN_AREA = 0.02  # IOD^2: smaller pieces are left to the warp (a mole, a speck)
WORK_IOD = 40.0  # px: the IOD of the shrunk copy the occluders are found on (up to twice that)
# each eye's contour and each brow, never taken (their indices live in fxcli/edit/au_regions.py)
EYES = tuple(corners + upper + lower for corners, upper, lower in _EYES.values())
BROWS = (_BROWS[:10], _BROWS[10:])


def _within(mask: np.ndarray, reach: float) -> np.ndarray:
    """Pixels within `reach` px of `mask`'s set pixels (uint8, nonzero = set), as booleans."""
    import cv2

    gap = cv2.distanceTransform(np.where(mask > 0, 0, 255).astype(np.uint8), cv2.DIST_L2, 3)
    return gap <= reach


def occluder_mask(image: np.ndarray, landmarks: np.ndarray,
                  box: tuple[int, int, int, int] | None = None) -> np.ndarray | None:
    """(H, W) float32 0..1: the occluders over the face's upper part (module doc), or None when there are none.

    `box` (x0, y0, x1, y1): where to look, the warp's reach (default: the face oval grown by 0.3 IOD); an
    occluder is taken whole within it, also where it leaves the face."""
    import cv2

    from fxcli.edit.cielab import image_to_lab
    from fxcli.edit.lip_seal import face_down
    from fxcli.edit.mouth_interior import lip_and_skin
    from fxcli.face.ict_fit import FACE_OVAL

    xy = np.asarray(landmarks, np.float64)[:, :2]
    iod = corner_iod(xy)
    h, w = image.shape[:2]
    oval = xy[list(FACE_OVAL)]
    if box is None:
        (x0, y0), (x1, y1) = np.floor(oval.min(0) - 0.3 * iod), np.ceil(oval.max(0) + 0.3 * iod)
    else:
        x0, y0, x1, y1 = box
    x0, y0, x1, y1 = max(int(x0), 0), max(int(y0), 0), min(int(x1), w), min(int(y1), h)
    # nothing below the nose's base is searched: the box ends where that line is lowest
    down = face_down(xy)
    if down[1] > 0.1:
        base = xy[NOSE_BASE]
        lowest = max(base[1] - (x - base[0]) * down[0] / down[1] for x in (x0, x1))
        y1 = min(y1, int(np.ceil(lowest)) + 1)
    if x1 - x0 < 8 or y1 - y0 < 8 or iod < 4:
        return None
    crop = np.ascontiguousarray(image[y0:y1, x0:x1])
    _, skin = lip_and_skin(image, xy)
    skin = np.clip(np.round(skin), 0, 255).astype(np.uint8)[None, None]
    # found on a copy shrunk by k, so that the face's IOD there is WORK_IOD to twice that: the cost does not grow
    # with the photo's resolution (pieces smaller than MIN_AREA are not wanted anyway)
    k = max(1, int(iod // WORK_IOD))
    small = crop if k == 1 else cv2.resize(crop, ((x1 - x0) // k or 1, (y1 - y0) // k or 1),
                                            interpolation=cv2.INTER_AREA)
    at = (xy - [x0, y0]) / k  # the landmarks there
    unit = iod / k
    # Lab on OpenCV's 8-bit scale (L* x 2.55; the scale FAR was set on), without OpenCV's 8-bit conversion,
    # whose tables cost ~70 ms on first use (fxcli/edit/cielab.py)
    units = np.array([2.55, 1.0, 1.0], np.float32)
    lab = image_to_lab(small) * units
    ref = image_to_lab(skin)[0, 0] * units
    far = ((lab - ref) ** 2).sum(-1) > FAR * FAR
    darker = lab[..., 0] < ref[0]
    black = lab[..., 0] < BLACK * ref[0]
    # HSV saturation (1 - min/max): a colour's greyness whatever its brightness (skin in shade keeps it)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    grey = hsv[..., 1] < GREY * float(cv2.cvtColor(skin, cv2.COLOR_RGB2HSV)[0, 0, 1])
    hue_off = ((hsv[..., 0] >= NO_SKIN_HUE[0]) & (hsv[..., 0] <= NO_SKIN_HUE[1]) & (hsv[..., 1] >= 40)
               & (hsv[..., 2] >= 40))
    foreign = far & darker & (grey | black | hue_off)
    # the face's upper part: fully above the nose's base less FADE IOD, fading to nothing at it
    cols = (np.arange(small.shape[1], dtype=np.float32) - at[NOSE_BASE, 0]) * down[0]
    rows = (np.arange(small.shape[0], dtype=np.float32) - at[NOSE_BASE, 1]) * down[1]
    upper = np.clip(-(rows[:, None] + cols[None, :]) / (FADE * unit), 0.0, 1.0)
    features = np.zeros(small.shape[:2], np.uint8)
    for part in EYES + BROWS:
        hull = cv2.convexHull(at[list(part)].astype(np.float32))
        cv2.fillPoly(features, [np.round(hull).astype(np.int32)], 255)
    features = _within(features, FEATURE_MARGIN * unit)
    inside = np.zeros(small.shape[:2], np.uint8)
    cv2.fillPoly(inside, [np.round(at[list(FACE_OVAL)]).astype(np.int32)], 255)
    inside = inside > 0
    candidate = (foreign & (upper > 0) & ~features).astype(np.uint8)
    count, labels = cv2.connectedComponents(candidate, connectivity=8)
    if count <= 1:
        return None
    ids = labels.ravel()
    in_count = np.bincount(ids, weights=inside.ravel(), minlength=count)
    out_count = np.bincount(ids, weights=(~inside).ravel(), minlength=count)
    # pieces that reach into the face from outside it, with some area inside
    keep = (in_count >= MIN_AREA * unit * unit) & (out_count > 0)
    keep[0] = False
    if not keep.any():
        return None
    # an object's light parts between its dark ones (a brim's stripes, lit strands) go with it
    close = max(1, int(round(CLOSE * unit)))
    whole = cv2.morphologyEx((keep[labels]).astype(np.uint8), cv2.MORPH_CLOSE,
                             cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * close + 1, 2 * close + 1)))
    if k > 1:  # the shrunk copy's pixels on an edge mix both sides and are mostly not taken: one more each side
        whole = cv2.dilate(whole, np.ones((3, 3), np.uint8))
    mask = (((whole > 0) & ~features) * upper).astype(np.float32)
    if k > 1:
        mask = cv2.resize(mask, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    full = np.zeros((h, w), np.float32)
    full[y0:y1, x0:x1] = cv2.GaussianBlur(mask, (0, 0), 0.7 * k)
    return full


def _spread(mask: np.ndarray, step: float) -> np.ndarray:
    """(N, 2) pixels of `mask` (x, y), one in each square of `step` px where it has any."""
    ys, xs = np.nonzero(mask)
    cells = np.c_[np.floor(xs / step), np.floor(ys / step)].astype(np.int64)
    _, first = np.unique(cells, axis=0, return_index=True)
    return np.c_[xs[first], ys[first]].astype(np.float64)


def occluder_points(mask: np.ndarray, landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(indices of the landmarks on the occluders, still points (N, 2) on them): what the warp holds still.

    Points are taken where `mask` is over 0.5, within REACH IOD of the face oval: about SPACING IOD apart on
    its outline (what shows when it moves), twice that inside it; none within CLEAR IOD of a landmark off the
    occluders (that one moves: a still point next to it would fold the skin between them)."""
    import cv2

    from fxcli.face.ict_fit import FACE_OVAL

    xy = np.asarray(landmarks, np.float64)[:, :2]
    iod = corner_iod(xy)
    h, w = mask.shape
    at = np.clip(np.round(xy).astype(int), 0, [w - 1, h - 1])
    on = mask[at[:, 1], at[:, 0]] > 0.5
    # on every k-th pixel (k as in occluder_mask): the points are SPACING IOD apart, many pixels on a large photo
    k = max(1, int(iod // WORK_IOD))
    sampled = mask[::k, ::k] > 0.5
    rows, cols = np.nonzero(sampled)
    if not len(rows):
        return np.flatnonzero(on), np.zeros((0, 2))
    y0, x0 = rows.min(), cols.min()
    held = sampled[y0:rows.max() + 1, x0:cols.max() + 1]
    near = np.zeros(held.shape, np.uint8)
    cv2.fillPoly(near, [np.round(xy[list(FACE_OVAL)] / k - [x0, y0]).astype(np.int32)], 255)
    held &= _within(near, REACH * iod / k)
    # its outline, which shows, every SPACING; its inside more sparsely
    inner = cv2.erode(held.astype(np.uint8), np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT,
                      borderValue=0)
    outline = held & ~(inner > 0)
    step = max(2.0, SPACING * iod / k)
    points = (np.vstack([_spread(outline, step), _spread(held & ~outline, 2 * step)]) + [x0, y0]) * k
    if not len(points):
        return np.flatnonzero(on), np.zeros((0, 2))
    moving = xy[~on]
    if len(moving):
        gap = ((points[:, None, :] - moving[None, :, :]) ** 2).sum(-1).min(1)
        points = points[gap > (CLEAR * iod) ** 2]
    return np.flatnonzero(on), points
