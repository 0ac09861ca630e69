"""Brow and eyelid motion in the face's own units, where ICT's shapes carried onto FaceMesh fall short.

All amounts are fractions of the inter-ocular distance (IOD: eye centre to eye centre in the photo).

- Brows: ICT's browDown lowers the inner brow by 3.4 % IOD and draws it 3.5 % IOD toward the midline;
  browInnerUp raises it 8.9 %. A clear AU4 or AU1+2 in a photo moves the brow about 8-15 % IOD (the
  brow-to-lid distance is about 35 % IOD at rest). The brow landmarks' motion (direction as ICT gives it,
  including browDown's medial pull) is multiplied by BROW_GAIN, then its length is softly capped at
  BROW_CAP (cap * tanh(d / cap): monotone in alpha, so a sweep keeps rising, but bounded). The forehead's
  two rows of landmarks above the brows take FOREHEAD_SHARE of that extra motion.
- Eyelids: FaceMesh's lid-margin landmarks sit on ICT vertices that eyeWide / eyeSquint leave still, so
  the aperture change is applied here, along each eye's own up direction (perpendicular to the line
  through its corners), with a sine profile along the lid (most at the middle, none at the corners):
  eyeWide (AU5) raises the upper lid by WIDE_UPPER; eyeSquint (AU7) raises the lower lid by SQUINT_LOWER
  and lowers the upper lid by SQUINT_UPPER; eyeBlink lowers the upper lid by BLINK_UPPER (an eye whose photo
  shows no white is widened by WIDE_UNSEEN of WIDE_UPPER only). A raised upper lid is softly capped
  (room * tanh(raise / room)) so that the opening stays below WIDEST of the eye's width, as a real eye's does:
  a narrow eye no longer opens into a dome taller than it is wide. The opening
  never shrinks below MIN_APERTURE of the photo's own. The lid skin around each margin (two rings of
  landmarks) follows with a share of the margin's motion, so the margin never crosses it.
"""

from __future__ import annotations

import numpy as np

from fxcli.edit.polygons import upward
from fxcli.tracks.channels import ARKIT52

BROWS = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46, 336, 296, 334, 293, 300, 276, 283, 282, 295, 285)
# the forehead above the brows, a row just above them and one further up (both sides)
FOREHEAD_ROWS = ((71, 68, 104, 69, 108, 301, 298, 333, 299, 337), (21, 54, 103, 67, 109, 251, 284, 332, 297, 338))
FOREHEAD_SHARE = (0.6, 0.3)
BROW_GAIN = 2.5
BROW_CAP = 0.16  # IOD
WIDE_UPPER = 0.10  # IOD at weight 1
# an eye whose photo shows no white (cast down, nearly shut, small and dark, behind tinted glass) is widened by
# this share only: the lid would rise over an eyeball the photo does not show, and the warp can only stretch
# lashes and iris into it (dark blobs, peaked lids); fxcli/edit/eye_opening.py reveals the others
WIDE_UNSEEN = 0.3
SQUINT_LOWER = 0.045
SQUINT_UPPER = 0.015
BLINK_UPPER = 0.12
MIN_APERTURE = 0.25
# the widest an eye opens (lid to lid at the middle), as a share of its width corner to corner: a human eye opening
# is about 10 mm at rest and 12-13 mm wide open, over a width of 28-30 mm
WIDEST = 0.45
# the skin rings around each lid margin (outer -> inner, aligned with the margin's points): the upper lid's
# skin up to the crease, the lower lid's down to the cheek. A lid margin moved alone would cross them (the
# warp folds there); they follow with RING_SHARE of the margin's motion.
LID_RINGS = {
    "Right": (((247, 30, 29, 27, 28, 56, 190), (113, 225, 224, 223, 222, 221, 189)),
              ((25, 110, 24, 23, 22, 26, 112), (31, 228, 229, 230, 231, 232, 233))),
    "Left": (((467, 260, 259, 257, 258, 286, 414), (342, 445, 444, 443, 442, 441, 413)),
             ((255, 339, 254, 253, 252, 256, 341), (261, 448, 449, 450, 451, 452, 453))),
}
RING_SHARE = (0.8, 0.4)
# per eye (ARKit side = the subject's side): corners (outer, inner), upper lid, lower lid (outer -> inner)
EYES = {
    "Right": ((33, 133), (246, 161, 160, 159, 158, 157, 173), (7, 163, 144, 145, 153, 154, 155)),
    "Left": ((263, 362), (466, 388, 387, 386, 385, 384, 398), (249, 390, 373, 374, 380, 381, 382)),
}


def inter_ocular(xy: np.ndarray) -> float:
    """Eye centre to eye centre (px) of FaceMesh landmarks (468, 2)."""
    centres = [xy[list(c) + list(u) + list(lo)].mean(0) for c, u, lo in EYES.values()]
    return float(np.linalg.norm(centres[0] - centres[1]))


def brow_gain(xy: np.ndarray, moves: np.ndarray) -> np.ndarray:
    """`moves` (468, 2) px with the brow landmarks' motion amplified and softly capped (see module doc)."""
    out = moves.copy()
    cap = BROW_CAP * inter_ocular(xy)
    d = moves[list(BROWS)] * BROW_GAIN
    length = np.linalg.norm(d, axis=1, keepdims=True)
    soft = cap * np.tanh(length / cap)
    out[list(BROWS)] = np.where(length > 1e-9, d * soft / np.maximum(length, 1e-9), 0.0)
    # the skin above the brows goes with them: each forehead landmark takes a share of the extra motion of
    # the brow landmark nearest to it (otherwise the brow slides under still neighbours and the warp folds)
    extra = out[list(BROWS)] - moves[list(BROWS)]
    brow_xy = xy[list(BROWS)]
    for row, share in zip(FOREHEAD_ROWS, FOREHEAD_SHARE, strict=True):
        nearest = np.argmin(((xy[list(row)][:, None, :] - brow_xy[None]) ** 2).sum(-1), axis=1)
        out[list(row)] += share * extra[nearest]
    return out


def eyelid_motion(xy: np.ndarray, weights: np.ndarray, unseen: tuple[str, ...] = ()) -> np.ndarray:
    """(468, 2) px motion of the lid-margin landmarks for ARKit-52 `weights` (may exceed 1 when alpha > 1);
    the eyes named in `unseen` ("Left", "Right": the photo shows no white of them) are widened by WIDE_UNSEEN
    of WIDE_UPPER only."""
    out = np.zeros_like(xy)
    iod = inter_ocular(xy)
    w = {name: float(weights[i]) for i, name in enumerate(ARKIT52)}
    for side, ((outer, inner), upper, lower) in EYES.items():
        up = upward(xy[inner] - xy[outer])
        profile = np.sin(np.linspace(0, np.pi, len(upper) + 2)[1:-1])[:, None]  # 0 at the corners
        wide = WIDE_UPPER * (WIDE_UNSEEN if side in unseen else 1.0)
        raise_upper = (wide * w[f"eyeWide{side}"] - SQUINT_UPPER * w[f"eyeSquint{side}"]
                       - BLINK_UPPER * w[f"eyeBlink{side}"]) * iod
        raise_lower = SQUINT_LOWER * w[f"eyeSquint{side}"] * iod
        aperture = float(np.median(((xy[list(upper)] - xy[list(lower)]) @ up)[2:-2]))
        if raise_upper > 0:  # an eye opens only so far: softly capped at WIDEST of its width
            room = max(WIDEST * float(np.linalg.norm(xy[inner] - xy[outer])) - max(aperture, 0.0), 1e-6)
            raise_upper = room * float(np.tanh(raise_upper / room))
        closing = raise_lower - raise_upper
        limit = (1 - MIN_APERTURE) * max(aperture, 0.0)
        if closing > limit > 0 or (limit == 0 and closing > 0):
            shrink = limit / closing
            raise_upper, raise_lower = raise_upper * shrink, raise_lower * shrink
        out[list(upper)] += profile * raise_upper * up
        out[list(lower)] += profile * raise_lower * up
        (up1, up2), (low1, low2) = LID_RINGS[side]
        for ring_u, ring_l, share in ((up1, low1, RING_SHARE[0]), (up2, low2, RING_SHARE[1])):
            out[list(ring_u)] += share * profile * raise_upper * up
            out[list(ring_l)] += share * profile * raise_lower * up
    return out
