"""The inside of the mouth at the edited lips: the photo's own teeth carried by the lips, the rest from the ICT
head's own mouth interior (or painted).

The mouth's own frame: s along the line from one inner mouth corner to the other (0 .. 1), t across it in
pixels (down the face positive). Each lip's inner contour is a curve t(s).

- What the photo already shows between its lips (teeth, tongue, cavity) is carried by the lips rather
  than repainted or stretched: the upper teeth move as one piece with the middle of the upper lip, the lower
  teeth with the middle of the lower lip (the jaw), so a row stays straight and whole, and a lip that moves
  over it covers it. Which row a part of the photo's opening belongs to is decided by the photo's split
  (`teeth_split`: the dark gap between its rows of teeth). Where the edited opening shows a part of the
  photo's opening that belongs to neither row (the middle of a taller opening), the interior below shows;
  the edited lips' outline clips both rows, so nothing shows outside the mouth's corners. Carried teeth show
  only where they are plausible: the lower row fades out where the new opening is much narrower at its level
  than the photo's opening was (a narrow "oh" would show it as a peg hanging in the cavity), and both rows
  fade out in a frown (the opening's middle raised over its corners more than in the photo: teeth bared in a
  frown read as a grimace), where the interior shows instead.
- A smile made broader keeps the warp's own picture: of a photo whose open mouth shows teeth, where the edited
  opening is about as tall and at least as wide as the photo's (and not in a frown), the warp carries the
  teeth sideways with the lips. Rigid rows there would leave the painted socket as a dark band along the lips:
  FaceMesh's inner-lip landmarks sit inside the teeth's visible edge, so by its landmarks the photo's opening is
  smaller than its picture shows.
- The edited lower lip is filled out to its convex outline first (a lip has no notches; a landmark left
  behind between its neighbours would leave the photo's opening, stretched by the warp, under the lip).
- The interior (INTERIOR = "geometry", the default): the ICT head's mouth socket, gums, tongue and teeth,
  rendered in the photo's pose (fxcli/edit/mouth_geometry.py: the skull posed on the photo's landmarks, the
  lower teeth and tongue moved by the jawOpen weight that explains the edited opening), shaded with light from
  the front that falls off with depth into the mouth; the teeth in the photo's own colour when it shows teeth,
  otherwise enamel at the photo's exposure (the skin around the mouth sets how bright it may be), the gums and
  tongue a red at the lips' brightness, the socket the lips' colour in shadow. Where no interior geometry
  projects inside the opening (past ICT's socket), and for landmarks that do not place a whole face (a drawn
  mouth alone), the cavity is painted.
- The painting (INTERIOR = "painted", `paint_interior`): a rounded cavity, the lip's colour in shadow, darker
  with the distance from the lip edge, a tongue's dull red rising from below in a tall opening; the upper teeth
  as a rigid row under the upper lip (its edge is the lip's middle plus the row's height, arched, not the local
  lip line: where the lip dips below it, as at corners pulled down, the lip covers it), tallest at the front
  and receding (shorter, darker) toward the corners, with faint gaps between the front teeth; the lower teeth,
  smaller and darker, above the lower lip when the mouth is open wide enough.
- A photo whose mouth is open wide (TOOTHLESS_FROM) and shows no teeth (a baby's, a toothless mouth) gets no
  painted teeth: gum ridges in the gums' red stand where they would be.
- Nothing is filled where the photo shows no lips at the mouth (hair or a hand over it): there the warp's
  picture stays.
- In a black-and-white photo the painted or rendered inside is grey (its luma kept): the tongue's red and the
  enamel's warm white keep only as much colour as the photo's skin has (fxcli/edit/cielab.py COLOURLESS).
"""

from __future__ import annotations

import numpy as np

from fxcli.edit.cielab import colour_share, rgb_to_lab
from fxcli.edit.cielab import luma as _luma
from fxcli.edit.mouth_geometry import posable
from fxcli.edit.polygons import box_mask, grown_box, poly_mask, polygon_area

# FaceMesh inner-lip contours, mouth corner to mouth corner
UPPER_INNER_LIP = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LOWER_INNER_LIP = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
OUTER_LIPS = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146)
COMPOSE_MARGIN = 8  # px around the opening where its fill is blended (more than its blurs reach)
SPLIT_DEFAULT = 0.75  # share of a photo's mouth opening carried by the upper lip, without a clear gap
# painted teeth, in units of the mouth's width (inner corner to inner corner): in an opened mouth the upper lip
# covers most of the upper incisors (a few mm show, about 0.08 of the width, at most UPPER_TEETH_MAX of the
# opening's height) and the lower lip the lower ones until the jaw drops far. Broader rows read as a grin:
# with 0.12 / 0.42 / 0.14 a surprised or sad edit's painted teeth made the FER judge say "happy" (e.g. 004
# sad at alpha 1.25: happy 0.68), and an alpha sweep turned from the target to "happy" as the mouth opened
UPPER_TEETH = 0.08
UPPER_TEETH_MAX = 0.25
LOWER_TEETH = 0.06
LOWER_TEETH_MAX = 0.22
LOWER_TEETH_FROM = 0.30  # the opening's height (in mouth widths) from which the lower teeth show
# the arch: teeth show fully within TEETH_FRONT of the middle (s = 0.5) and not beyond TEETH_SIDE
TEETH_FRONT, TEETH_SIDE = 0.12, 0.36
TOOTH_GAPS = (0.0, 0.085, 0.165, 0.235)  # s offsets of the gaps between the front teeth (foreshortened)
ENAMEL = np.array([236.0, 228.0, 212.0])
TONGUE = np.array([150.0, 60.0, 66.0])
SQUEEZE = (0.45, 0.7)  # a carried row fades out as its level's width falls from 0.7 to 0.45 of the photo's
FROWN = (0.03, 0.08)  # carried teeth fade out as the lip's middle rises over its corners by 0.03 .. 0.08 widths
# the warp's own picture of the photo's opening is kept where the opening is at most STRETCH[0] times as tall as
# the photo's there, and given up by STRETCH[1] (a jaw dropped further would stretch the teeth into smears)
STRETCH = (1.2, 1.5)  # (fill_mouth's keep_warped)
NARROWER = (0.85, 0.95)  # ... and where the mouth is at least NARROWER[1] as wide as the photo's, none below [0]
OPEN_FROM = (0.04, 0.08)  # ... of a photo whose opening's area is at least OPEN_FROM[1] mouth widths squared
FILL_FROM = 0.15  # the change of the opening's shape (mouth widths) from which the mouth is filled fully
COVERED = 0.5  # share of the lips hidden from which nothing is painted
# A photo whose opening is at least this large (mouth widths squared) would show teeth if it had any: with
# none to be seen there (a baby's or a toothless mouth), the edit shows gum ridges where teeth would be
TOOTHLESS_FROM = 0.12
TEETH_LUMA = 0.7  # a tooth is at least this bright against the skin around the mouth, and nearly grey
# "geometry": the ICT head's own mouth interior, posed and shaded (rendered_interior); "painted": paint_interior
INTERIOR = "geometry"
SOCKET_SHADE, GUM_SHADE, TEETH_SHADE = 0.7, 1.0, 1.0  # albedos of the rendered parts (socket, gums/tongue: of the lips)


def inner_polygon(points: np.ndarray) -> np.ndarray:
    """The inner-lip outline (closed: upper lip left -> right, lower lip back)."""
    upper, lower = list(UPPER_INNER_LIP), list(LOWER_INNER_LIP)
    return np.vstack([points[upper], points[lower[-2:0:-1]]])


def mouth_opening(shape: tuple[int, ...], dst: np.ndarray, margin: int = 9) -> np.ndarray:
    """Boolean H x W mask of the inner-lip polygon at `dst`, grown by `margin` px (it is painted, not warped)."""
    import cv2

    mask = poly_mask(shape, inner_polygon(dst))
    return cv2.dilate(mask, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)) > 0


class MouthFrame:
    """The mouth's frame of landmarks (468, 2): s in 0..1 corner to corner, t px across (down positive)."""

    def __init__(self, points: np.ndarray):
        self.left = points[UPPER_INNER_LIP[0]].astype(np.float64)
        axis = points[UPPER_INNER_LIP[-1]] - self.left
        self.width = max(float(np.linalg.norm(axis)), 1e-6)
        self.axis = axis / self.width
        self.normal = np.array([-self.axis[1], self.axis[0]])  # down the face for an upright face
        up = self.coords(points[list(UPPER_INNER_LIP)])
        lo = self.coords(points[list(LOWER_INNER_LIP)])
        self._up = up[np.argsort(up[:, 0])]
        self._lo = lo[np.argsort(lo[:, 0])]

    def coords(self, xy: np.ndarray) -> np.ndarray:
        """(N, 2) (s, t) of image points (N, 2)."""
        d = np.asarray(xy, np.float64) - self.left
        return np.c_[d @ self.axis / self.width, d @ self.normal]

    def image(self, s: np.ndarray, t: np.ndarray) -> np.ndarray:
        """(N, 2) image points of frame coordinates."""
        return self.left + np.outer(s * self.width, self.axis) + np.outer(t, self.normal)

    def upper(self, s: np.ndarray) -> np.ndarray:
        return np.interp(s, self._up[:, 0], self._up[:, 1])

    def lower(self, s: np.ndarray) -> np.ndarray:
        return np.interp(s, self._lo[:, 0], self._lo[:, 1])


def opening_pixels(source: np.ndarray, src: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ys, xs) of the photo's mouth opening at its landmarks `src`, less a pixel at its rim (worked out in the
    opening's box only)."""
    import cv2

    mask, x0, y0 = box_mask(source.shape, inner_polygon(src))
    if not mask.size:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ys, xs = np.nonzero(cv2.erode(mask, np.ones((3, 3), np.uint8)))
    return ys + y0, xs + x0


def teeth_colour(source: np.ndarray, src: np.ndarray) -> np.ndarray | None:
    """The photo's own teeth colour (RGB) when its mouth is open and shows teeth, else None."""
    ys, xs = opening_pixels(source, src)
    if len(ys) < 12:
        return None
    pixels = source[ys, xs].astype(np.float32)
    luma = _luma(pixels)
    chroma = pixels.max(1) - pixels.min(1)
    bright = (luma > np.percentile(luma, 60)) & (luma > 110) & (chroma < 0.35 * luma)
    if bright.sum() < 6:
        return None
    return np.median(pixels[bright], axis=0)


def toothless(source: np.ndarray, src: np.ndarray, skin: np.ndarray) -> bool:
    """Whether the photo's mouth is open wide enough to show teeth (TOOTHLESS_FROM) and shows none: no part of
    its opening as bright as TEETH_LUMA of the skin and nearly grey (the measure is relative, so that teeth in a
    dim photo count)."""
    if polygon_area(inner_polygon(src)) < TOOTHLESS_FROM * MouthFrame(src).width ** 2:
        return False
    ys, xs = opening_pixels(source, src)
    pixels = source[ys, xs].astype(np.float32)
    if len(pixels) < 12:
        return False
    luma = _luma(pixels)
    tooth = (luma >= TEETH_LUMA * float(_luma(skin))) & (pixels.max(1) - pixels.min(1) < 0.35 * luma)
    return int(tooth.sum()) < max(6, int(0.02 * len(pixels)))


def gum_colour(lip: np.ndarray) -> np.ndarray:
    """The gums' and tongue's red at the lips' brightness."""
    return TONGUE * (GUM_SHADE * _luma(lip) / _luma(TONGUE))


def teeth_split(source: np.ndarray, src: np.ndarray) -> float:
    """Where the photo's mouth opening divides into what hangs from the upper lip and what stands on the
    lower one, as a share of its height: the darkest row band between the rows of teeth (35-90 % down),
    or SPLIT_DEFAULT when there is no clear dark gap (upper teeth usually show more than lower ones)."""
    ys, xs = opening_pixels(source, src)
    if len(ys) < 30:
        return SPLIT_DEFAULT
    frame = MouthFrame(src)
    st = frame.coords(np.c_[xs, ys])
    top, bottom = frame.upper(st[:, 0]), frame.lower(st[:, 0])
    frac = np.clip((st[:, 1] - top) / np.maximum(bottom - top, 1.0), 0.0, 0.999)
    luma = _luma(source[ys, xs])
    bins = (frac * 20).astype(int)
    counts = np.bincount(bins, minlength=20)
    profile = np.bincount(bins, weights=luma, minlength=20) / np.maximum(counts, 1)
    band = np.arange(7, 18)  # 35 % .. 90 %
    band = band[counts[band] > 0]
    if not len(band):
        return SPLIT_DEFAULT
    darkest = band[np.argmin(profile[band])]
    if profile[darkest] > 0.8 * np.median(profile[counts > 0]):
        return SPLIT_DEFAULT
    return (darkest + 0.5) / 20


# Lab distance (L* on OpenCV's 8-bit scale, x 2.55) past which a colour is not the face's skin (hair, an object)
FAR_FROM_SKIN = 35.0
SKIN_SPOTS = (205, 425, 5)  # cheeks below the eyes and the nose: skin that a beard or hair rarely covers


def lip_and_skin(source: np.ndarray, src: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lip colour, skin colour) RGB of the photo: the lips' ring between the outer and inner contours, and
    small disks of skin on the cheeks and the nose."""
    import cv2

    outer, x0, y0 = box_mask(source.shape, src[list(OUTER_LIPS)])
    inner = poly_mask(outer.shape, inner_polygon(src) - [x0, y0])
    ys, xs = np.nonzero((outer > 0) & (inner == 0))
    lips = source[ys + y0, xs + x0]
    radius = max(2, int(round(0.08 * np.linalg.norm(src[61] - src[291]))))
    spots = []
    for i in SKIN_SPOTS:  # a disk around each spot, drawn in its own box
        cx, cy = (int(v) for v in np.round(src[i]))
        bx0, by0, bx1, by1 = grown_box(cx, cy, cx + 1, cy + 1, radius + 1, source.shape)
        if bx1 <= bx0 or by1 <= by0:
            continue
        disk = np.zeros((by1 - by0, bx1 - bx0), np.uint8)
        cv2.circle(disk, (cx - bx0, cy - by0), radius, 255, -1)
        dy, dx = np.nonzero(disk)
        spots.append(source[dy + by0, dx + bx0])
    spots = np.concatenate(spots) if spots else np.zeros((0, 3), source.dtype)
    lip = np.median(lips, axis=0) if len(lips) >= 6 else np.array([150.0, 80.0, 80.0])
    skin = np.median(spots, axis=0) if len(spots) >= 6 else lip * 1.15
    return lip.astype(np.float64), skin.astype(np.float64)


def lips_covered(source: np.ndarray, src: np.ndarray, skin: np.ndarray | None = None) -> float:
    """The share of the photo's lips (between the outer and inner contours) hidden by something that is
    neither lip nor skin: far from the skin's colour and greyer than it (hair, a beard, an object). Only the
    lips' outer part counts: teeth may show next to the inner contour where the landmarks put lip. `skin`:
    lip_and_skin(source, src)[1] when already known."""
    import cv2

    grow = max(1, int(round(0.05 * np.linalg.norm(src[61] - src[291]))))
    outer, x0, y0 = box_mask(source.shape, src[list(OUTER_LIPS)], margin=grow + 2)
    inner = cv2.dilate(poly_mask(outer.shape, inner_polygon(src) - [x0, y0]),
                       np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    ys, xs = np.nonzero((outer > 0) & (inner == 0))
    if len(ys) < 6:
        return 0.0
    if skin is None:
        _, skin = lip_and_skin(source, src)
    # L* on OpenCV's 8-bit scale (0..255), a* and b* as they are: the distance below was set on that scale
    units = np.array([2.55, 1.0, 1.0])
    lab = rgb_to_lab(source[ys + y0, xs + x0]) * units
    ref = rgb_to_lab(np.clip(skin, 0, 255)) * units
    far = np.linalg.norm(lab - ref, axis=1) > FAR_FROM_SKIN
    grey = np.hypot(lab[:, 1], lab[:, 2]) < 0.6 * np.hypot(ref[1], ref[2])
    return float((far & grey).mean())


def _arch(s: np.ndarray, front: float = TEETH_FRONT, side: float = TEETH_SIDE) -> np.ndarray:
    """1 within `front` of the mouth's middle, falling smoothly to 0 at `side` (the teeth recede)."""
    x = np.clip((np.abs(s - 0.5) - front) / (side - front), 0.0, 1.0)
    return 0.5 + 0.5 * np.cos(np.pi * x)


def paint_interior(s: np.ndarray, t: np.ndarray, up: np.ndarray, lo: np.ndarray, depth: np.ndarray,
                   width: float, lip: np.ndarray, skin: np.ndarray, teeth: np.ndarray | None,
                   mid: float | None = None, height_mid: float | None = None,
                   lower_show: float = 1.0) -> np.ndarray:
    """RGB (N, 3) float of painted mouth pixels at frame coordinates (s, t) with the lips at up, lo (px) in
    their columns, `depth` 0..1 (distance from the lip edge over the opening's half height); `mid`, `height_mid`:
    the upper lip's t and the opening's height at the mouth's middle (default: from the pixels given);
    `lower_show` 0..1: how much of the painted lower row shows (none in a narrow V above the lower lip)."""
    height = np.maximum(lo - up, 1e-6)
    v = np.clip((t - up) / height, 0.0, 1.0)
    # the cavity: the lips' colour in shadow, darker toward the back (away from the lip edge)
    cavity = lip[None, :] * (0.34 - 0.27 * np.sqrt(np.clip(depth, 0, 1)))[:, None]
    tall = np.clip((height / width - 0.12) / 0.2, 0.0, 1.0)  # only a tall opening shows the tongue
    tongue = (np.clip((v - 0.55) / 0.45, 0.0, 1.0) * tall * _arch(s, 0.15, 0.45))[:, None]
    cavity = cavity * (1 - 0.7 * tongue) + 0.7 * tongue * TONGUE[None, :] * (0.22 + 0.2 * v[:, None] ** 2)
    # teeth: the photo's own colour, else enamel at the skin's exposure (never brighter than the skin allows)
    if teeth is None:
        teeth = enamel(skin)
    px = 1.0 / width  # one pixel in s
    # the upper row is rigid: its edge is a level arch below the upper lip's middle (`mid`), not the local lip
    # line, so a peaked lip or corners pulled down cover the row there instead of bending it down
    mid = np.interp(0.5, np.sort(s), up[np.argsort(s)]) if mid is None else mid
    height_mid = max(float(np.max(height)), 1e-6) if height_mid is None else height_mid
    row = min(UPPER_TEETH * width, UPPER_TEETH_MAX * height_mid)
    edge = mid + row * _arch(s)
    top = edge - 2.5 * row * _arch(s)  # the gum line: nothing of the row shows above it (the corners recede)
    upper_h = np.maximum(edge - up, 0.0)
    lower_h = np.minimum(LOWER_TEETH * width * _arch(s, 0.08, 0.28), LOWER_TEETH_MAX * height)
    lower_h = lower_h * np.clip((height / width - LOWER_TEETH_FROM) / 0.08, 0.0, 1.0) * lower_show
    in_upper = np.clip(edge - t + 0.5, 0.0, 1.0) * np.clip(t - top + 0.5, 0.0, 1.0)  # anti-aliased edges
    in_lower = np.clip(lower_h - (lo - t) + 0.5, 0.0, 1.0)
    gaps = np.ones_like(s)
    for g in TOOTH_GAPS:
        for c in {0.5 - g, 0.5 + g}:
            gaps = np.minimum(gaps, 0.75 + 0.25 * np.clip(np.abs(s - c) / (1.2 * px), 0.0, 1.0))
    recede = 0.55 + 0.45 * _arch(s)  # the side teeth are further back: less light
    # the upper lip shades the teeth's top; their edge catches a little light
    under_lip = 0.8 + 0.2 * np.clip((t - up) / np.maximum(upper_h, 1.0), 0.0, 1.0)
    upper_rgb = teeth[None, :] * (recede * gaps * under_lip)[:, None]
    lower_rgb = teeth[None, :] * (0.72 * recede * gaps)[:, None]
    out = cavity * (1 - in_upper[:, None]) + upper_rgb * in_upper[:, None]
    return out * (1 - in_lower[:, None]) + lower_rgb * in_lower[:, None]


def in_photo_colour(rgb: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Painted RGB (N, 3) with its colour kept in proportion to the photo's (fxcli/edit/cielab.py colour_share):
    grey at the same luma in a black-and-white photo, unchanged in a colour one."""
    keep = colour_share(skin)
    if keep >= 1.0:
        return rgb
    grey = _luma(rgb)[:, None]
    return grey + (np.asarray(rgb, np.float32) - grey) * keep


def enamel(skin: np.ndarray) -> np.ndarray:
    """Teeth white at the photo's exposure: never brighter than the skin around the mouth allows."""
    return ENAMEL * float(np.clip(1.25 * _luma(skin) / _luma(ENAMEL), 0.45, 1.0))


def rendered_interior(dst: np.ndarray, xs: np.ndarray, ys: np.ndarray, depth: np.ndarray, lip: np.ndarray,
                      skin: np.ndarray, teeth: np.ndarray | None, src: np.ndarray | None = None) -> np.ndarray:
    """RGB (N, 3) float at pixels (xs, ys): the ICT mouth interior posed at the edited landmarks `dst`
    (fxcli/edit/mouth_geometry.py), with the photo's teeth colour (else enamel at its exposure), a gum and
    tongue red at the lips' brightness and the socket in the lips' colour; where no interior geometry
    projects, the painted cavity (`depth` 0..1: distance from the lip edge over the opening's half height)."""
    from fxcli.edit.mouth_geometry import GUMS_TONGUE, SOCKET, TEETH, render_interior

    albedo = np.zeros((3, 3))
    albedo[SOCKET] = lip * SOCKET_SHADE
    albedo[GUMS_TONGUE] = gum_colour(lip)
    albedo[TEETH] = enamel(skin) if teeth is None else teeth
    albedo[TEETH] *= TEETH_SHADE
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    rgb, covered, _ = render_interior(dst, box, albedo, src)
    cavity = lip[None, :] * (0.34 - 0.27 * np.sqrt(np.clip(depth, 0, 1)))[:, None]
    cy, cx = ys - box[1], xs - box[0]
    hit = covered[cy, cx]
    return np.where(hit[:, None], rgb[cy, cx], cavity)


def convex_lower_lip(points: np.ndarray) -> np.ndarray:
    """`points` (468, 2) with the inner lower lip's landmarks moved down so that the opening has no notch: a
    landmark left behind between its neighbours would leave the photo's opening, stretched, under the lip.

    In the mouth's frame the lower lip is raised onto its convex outline (the smallest curve bulging away from
    the upper lip that holds all its landmarks). A frowning lip, whose middle lies above the line between the
    corners, arches as a whole: there the outline is taken of the gap from the upper inner lip to the lower one
    along the mouth instead, as both lips arch together (pushing such a lip down onto the corners' line opened
    a dark slit under closed sad lips)."""
    frame = MouthFrame(points)
    idx = list(LOWER_INNER_LIP)
    st = frame.coords(points[idx])
    base = np.zeros(len(idx))
    if st[len(idx) // 2, 1] < 0:  # a frown: the gap's outline
        upper = frame.coords(points[list(UPPER_INNER_LIP)])
        by_s = np.argsort(upper[:, 0], kind="stable")
        base = np.interp(st[:, 0], upper[by_s, 0], upper[by_s, 1])
    t = st[:, 1] - base
    order = np.argsort(st[:, 0], kind="stable")
    hull: list[int] = []
    for i in order:  # the upper hull of (s, t): t down the face, away from the upper lip
        while len(hull) >= 2:
            (s0, t0), (s1, t1) = (st[hull[-2], 0], t[hull[-2]]), (st[hull[-1], 0], t[hull[-1]])
            if (s1 - s0) * (t[i] - t0) - (t1 - t0) * (st[i, 0] - s0) >= 0:
                hull.pop()
            else:
                break
        hull.append(int(i))
    t_hull = np.interp(st[:, 0], st[hull, 0], t[hull])
    out = points.astype(np.float64).copy()
    out[idx] = frame.image(st[:, 0], base + np.maximum(t, t_hull))
    return out


def level_width(frame: MouthFrame, t: np.ndarray, samples: int = 64) -> np.ndarray:
    """The opening's width (px) along the mouth's axis at each level `t` (px across): how much of the line
    at that level lies between the inner lips."""
    grid = (np.arange(samples) + 0.5) / samples
    up, lo = frame.upper(grid), frame.lower(grid)
    order = np.argsort(t)
    inside = np.zeros(len(t))
    ts = np.asarray(t, np.float64)[order]
    for u, v in zip(up, lo, strict=True):  # the levels between this column's lips, counted with a sorted search
        a, b = np.searchsorted(ts, [u, v])
        inside[a:b] += 1
    out = np.empty(len(t))
    out[order] = inside * frame.width / samples
    return out


def fill_mouth(out: np.ndarray, source: np.ndarray, src: np.ndarray, dst: np.ndarray, *,
               gradual: bool = False, keep_warped: bool = False) -> np.ndarray:
    """The warped photo `out` with the mouth's inside at the edited lips `dst` (see the module doc); `gradual`:
    the fill shows in proportion to how far the opening's shape changed (full from FILL_FROM).

    `keep_warped`: of a photo whose mouth is open (OPEN_FROM), where the edited opening is no taller
    (STRETCH) and no narrower (NARROWER) than the photo's and not in a frown, the warp's own picture stays:
    a smile made broader shows the photo's teeth carried sideways with the lips, where rigid rows would
    leave the painted socket as a dark band along the lips (FaceMesh's inner-lip landmarks sit inside the
    teeth's visible edge, so the photo's opening by its landmarks is smaller than what its picture shows).
    The editor does not fill under a target that keeps the lips together: it brings them together instead
    (fxcli/edit/lip_close.py)."""
    import cv2

    # how far the opening's shape changed (the inner lips' motion less their common shift, px): the photo's own
    # opening, moved as a whole, is already right in the warped picture; the fill takes over as the shape
    # changes (fully from FILL_FROM mouth widths), so a small alpha changes the mouth a little, not all at once
    lips = list(UPPER_INNER_LIP + LOWER_INNER_LIP)
    motion = np.asarray(dst, np.float64)[lips] - np.asarray(src, np.float64)[lips]
    change = float(np.linalg.norm(motion - motion.mean(0), axis=1).max())
    strength = float(np.clip(change / (FILL_FROM * MouthFrame(src).width), 0.0, 1.0)) if gradual else 1.0
    if strength <= 0.0:
        return out
    dst = convex_lower_lip(dst)
    inner_dst, inner_src = inner_polygon(dst), inner_polygon(src)
    area_dst, area_src = polygon_area(inner_dst), polygon_area(inner_src)
    if area_dst <= 1.0 or (area_dst <= area_src * 1.05 and area_src <= 1.0):
        return out
    lip_colour, skin = lip_and_skin(source, src)
    if lips_covered(source, src, skin) > COVERED:  # hair or an object over the mouth: the warp's picture stays
        return out
    opening_out = poly_mask(out.shape, inner_dst, smooth=True)
    if not opening_out.any():
        return out
    ys, xs = np.nonzero(opening_out)
    fd, fs = MouthFrame(dst), MouthFrame(src)
    st = fd.coords(np.c_[xs, ys])
    s, t = st[:, 0], st[:, 1]
    up_d, lo_d = fd.upper(s), fd.lower(s)
    # the photo's teeth: the upper row moves as one piece with the upper lip's middle, the lower row with the
    # lower lip's middle (the jaw); a piece shows where it falls in its own share of the photo's opening
    split = teeth_split(source, src)
    # a frown (the opening's middle raised over its corners more than in the photo's mouth) hides the photo's teeth
    # under the lips: carried teeth in a frown read as a grimace, so they fade out there and the painted
    # inside (a rigid row that the lowered corners cover) shows instead
    def centre(frame: MouthFrame) -> float:  # the opening's middle below its corners' line, in mouth widths
        half = np.array([0.5])
        return float(frame.upper(half)[0] + frame.lower(half)[0]) / 2 / frame.width

    rise = centre(fs) - centre(fd)
    frown = float(np.clip((rise - FROWN[0]) / (FROWN[1] - FROWN[0]), 0.0, 1.0))
    p = np.c_[xs, ys].astype(np.float64)
    middle = slice(3, 8)
    rows = []
    for lip, share in ((UPPER_INNER_LIP, (0.0, split)), (LOWER_INNER_LIP, (split, 1.0))):
        move = (dst[list(lip[middle])] - src[list(lip[middle])]).mean(0)
        q_row = p - move
        st_q = fs.coords(q_row)
        top, bottom = fs.upper(st_q[:, 0]), fs.lower(st_q[:, 0])
        gap = np.maximum(bottom - top, 1e-6)
        rel = (st_q[:, 1] - top) / gap
        # inside its share (anti-aliased over half a pixel of the photo's opening)
        w = np.clip(np.minimum(rel - share[0], share[1] - rel) * gap + 0.5, 0.0, 1.0) * (bottom - top > 1.0)
        # a carried piece squeezed by the new opening (an "oh" narrower at this level than the photo's
        # opening was where the piece comes from) would show as a peg in the cavity: it fades out, painted
        squeeze = level_width(fd, st[:, 1]) / np.maximum(level_width(fs, st_q[:, 1]), 1.0)
        if lip is LOWER_INNER_LIP:
            w = w * np.clip((squeeze - SQUEEZE[0]) / (SQUEEZE[1] - SQUEEZE[0]), 0.0, 1.0)
        w = w * (1.0 - frown)
        own_lip = share[0] if lip is UPPER_INNER_LIP else share[1]
        rows.append((q_row, w, np.abs(rel - own_lip) / max(share[1] - share[0], 1e-6)))  # (where, weight, distance)
    (q_u, w_u, d_u), (q_l, w_l, d_l) = rows
    use_up = (w_u > 0) & ((w_l == 0) | (d_u <= d_l))
    weight = np.where(use_up, w_u, w_l)
    q = np.where(use_up[:, None], q_u, q_l).astype(np.float32)
    opening_src = cv2.erode(poly_mask(source.shape, inner_src, smooth=True), np.ones((3, 3), np.uint8))
    opening_src = cv2.GaussianBlur(opening_src.astype(np.float32) / 255.0, (0, 0), 1.0)
    inside_src = cv2.remap(opening_src, q[None, :, 0], q[None, :, 1], cv2.INTER_LINEAR).reshape(-1)
    from_photo = weight * inside_src
    photo = cv2.remap(source, q[None, :, 0], q[None, :, 1], cv2.INTER_LINEAR).reshape(-1, 3).astype(np.float32)
    # the painted part
    dist = cv2.distanceTransform((opening_out > 127).astype(np.uint8), cv2.DIST_L2, 3)[ys, xs]
    half = max(float(np.max(lo_d - up_d)) / 2, 1.0)
    lip = lip_colour
    mid = float(fd.upper(np.array([0.5]))[0])
    height_mid = float(fd.lower(np.array([0.5]))[0]) - mid
    # the painted lower row shows only where the opening is wide at its level, not as a peg in a narrow V
    level = float(fd.lower(np.array([0.5]))[0]) - 0.5 * LOWER_TEETH * fd.width
    lower_show = float(np.clip((level_width(fd, np.array([level]))[0] / fd.width - 0.2) / 0.2, 0.0, 1.0))
    teeth = teeth_colour(source, src)
    if toothless(source, src, skin):  # gum ridges where teeth would be, none painted
        teeth = gum_colour(lip) / TEETH_SHADE
    if INTERIOR == "geometry" and posable(dst) and posable(src):
        painted = rendered_interior(dst, xs, ys, dist / half, lip, skin, teeth, src)
    else:
        painted = paint_interior(s, t, up_d, lo_d, dist / half, fd.width, lip, skin, teeth,
                                 mid, max(height_mid, 1e-6), lower_show)
    painted = in_photo_colour(painted, skin)
    inside = from_photo[:, None] * photo + (1 - from_photo[:, None]) * painted.astype(np.float32)
    if keep_warped:
        # the opening's height here against the photo's at the same place along the mouth
        stretch = (lo_d - up_d) / np.maximum(fs.lower(s) - fs.upper(s), 1.0)
        keep = np.clip((STRETCH[1] - stretch) / (STRETCH[1] - STRETCH[0]), 0.0, 1.0)
        # nor where the mouth got narrower than the photo's (an "oh"): the warp squeezes its teeth into pegs
        narrow = np.clip((fd.width / max(fs.width, 1.0) - NARROWER[0]) / (NARROWER[1] - NARROWER[0]), 0.0, 1.0)
        # and only when the photo's mouth is open and shows teeth: the warp of closed or barely parted lips
        # shows lips, not an inside (a smirk's parted lips turned happy read as a grin only with the painted teeth)
        opened = np.clip((area_src / fs.width ** 2 - OPEN_FROM[0]) / (OPEN_FROM[1] - OPEN_FROM[0]), 0.0, 1.0)
        opened *= teeth is not None
        keep = (keep * narrow * opened * (1.0 - frown))[:, None]
        inside = keep * out[ys, xs].astype(np.float32) + (1 - keep) * inside
    # composed in the opening's box with a margin wider than the blurs reach (sigma 0.6: 3 px), so the result
    # is the same as over the whole photo: nothing outside the box changes
    x0, y0, x1, y1 = grown_box(xs.min(), ys.min(), xs.max() + 1, ys.max() + 1, COMPOSE_MARGIN, out.shape)
    part = out[y0:y1, x0:x1].astype(np.float32)
    fill = part.copy()
    fill[ys - y0, xs - x0] = inside
    mask = opening_out[y0:y1, x0:x1]
    fill = np.where(mask[..., None] > 0, cv2.GaussianBlur(fill, (0, 0), 0.6), fill)
    # the anti-aliased polygon, softened a little: the lip edge stays crisp, without stair steps
    alpha = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), 0.6)
    alpha = strength * alpha[..., None]
    result = out.copy()
    result[y0:y1, x0:x1] = np.clip(part * (1 - alpha) + fill * alpha + 0.5, 0, 255).astype(np.uint8)
    return result
