"""Animate a portrait photo with an ARKit-52 track + head pose, fast enough for real time on a CPU.

The embedded editor's warp (fxcli/backends/edit_embedded.py) moves FaceMesh landmarks by the ICT head's
expression shapes and bends the photo with a thin-plate spline through them. Both steps are linear:
landmark motion is linear in the ARKit weights, and the spline's values are linear in the landmark
motion (its centres stay at the photo's landmarks; for motions of a few pixels the backward map's
centres at the moved landmarks differ from that only to second order). So the spline is solved once
for all 52 channels at once, giving one dense displacement field per channel on a coarse grid;
a frame is then one small matrix product, one resize and one cv2.remap.

- Mouth interior: each frame's lip opening is filled by the editor's mouth fill (fxcli/edit/mouth_interior.py):
  the photo's own teeth carried by the lips, the rest a cavity shaded to this opening with rows of teeth,
  on crops around the mouth (a few ms a frame). It is a function of the lips' shape, so it does not flicker.
- Eyes: blinks and closed eyes are no warp (a lid bent over the eye's whole opening stretches its lashes and
  squeezes the iris into a line): each eye is closed on the photo itself by its eyeBlink weight
  (fxcli/talk/eye_closure.py: lid skin slides down over the still eyeball, a lash line where the lids meet),
  on a crop around the eye, before the frame's warp carries it with the head.
- Head pose: pitch, yaw and roll become a 2D similarity about the neck (roll a rotation, yaw and pitch
  shifts with a slight foreshortening), applied through a smooth falloff around the face and added to
  the same backward map: the background stays still and nothing tears at the face border.
- Temporal smoothing: the weights and pose are smoothed with a Gaussian of `smooth_frames` frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fxcli.edit.polygons import upward
from fxcli.talk.eye_closure import CLOSE_LOWER

GRID = 4  # px between evaluations of the dense fields
FALLOFF_INNER, FALLOFF_OUTER = 1.0, 1.9  # head motion: full inside this multiple of the face radius, none outside
LID_CHANNELS = ("eyeBlinkLeft", "eyeBlinkRight")


@dataclass
class PortraitRig:
    image: np.ndarray  # (H, W, 3) uint8 at output size
    src: np.ndarray  # (468, 2) landmarks
    lm_delta: np.ndarray  # (52, 468 * 2) landmark motion per unit weight, px
    fields: np.ndarray  # (52, gh * gw * 2) backward displacement per unit weight, coarse grid (blinks: none)
    grid_shape: tuple[int, int]
    falloff: np.ndarray  # (gh, gw) head-motion weight on the coarse grid
    gx: np.ndarray
    gy: np.ndarray
    pivot: np.ndarray  # (2,) neck point
    face_size: float  # px, inter-ocular-ish scale of the face (half width of the landmarks' box)
    grid_points: np.ndarray | None = None  # (gh, gw, 2) coarse grid positions
    source_smile: np.ndarray | None = None  # (2,) the photo's own mouthSmileLeft/Right
    source_weights: np.ndarray | None = None  # (52,) the photo's own laugh / smile / open mouth, taken away
    lids: list | None = None  # per eye (LID_CHANNELS' order): eye_closure.Lids, or None (left open)
    mouth_box: tuple[int, int, int, int] | None = None  # the photo's crop for the mouth fill: x0, y0, x1, y1
    mouth_photo: np.ndarray | None = None  # that crop
    closed_crops: dict | None = None  # per eye: (closure, crop) of the last frame (held closed eyes: reused)

    def __post_init__(self) -> None:
        gx, gy = np.meshgrid(self.gx, self.gy)
        self.grid_points = np.stack([gx, gy], -1)


def fit_image(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale to cover `size` (w, h) and centre-crop."""
    import cv2

    w, h = size
    ih, iw = image.shape[:2]
    s = max(w / iw, h / ih)
    resized = cv2.resize(image, (max(w, round(iw * s)), max(h, round(ih * s))),
                         interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
    y0 = (resized.shape[0] - h) // 2
    x0 = (resized.shape[1] - w) // 2
    return np.ascontiguousarray(resized[y0:y0 + h, x0:x0 + w])


# FaceMesh landmarks of each eye (ARKit side = the subject's side): brows (upper row then lower row, outer ->
# inner), upper lid margin and lower lid margin (outer corner -> inner corner, paired point by point)
EYE_REGIONS = {
    "Right": ((70, 63, 105, 66, 107, 46, 53, 52, 65, 55), (246, 161, 160, 159, 158, 157, 173),
              (7, 163, 144, 145, 153, 154, 155), (33, 133)),
    "Left": ((300, 293, 334, 296, 336, 276, 283, 282, 295, 285), (466, 388, 387, 386, 385, 384, 398),
             (249, 390, 373, 374, 380, 381, 382), (263, 362)),
}
# ICT's shapes, carried onto a photo's landmarks, are milder than a person's expression: the channels that
# carry emotion (not the speech channels of the mouth and jaw) move EXPRESSION_GAIN times as far
EXPRESSION_GAIN = 1.6
EXPRESSIVE = ("brow", "eyeSquint", "cheek", "noseSneer", "mouthSmile", "mouthFrown", "mouthDimple",
              "mouthPress", "mouthShrug")
# brows: ICT moves the brow landmarks 3-9 % IOD; a clear AU1+2 or AU4 moves them 8-15 %. Gain with a cap per
# channel at weight 1, and the skin between brow and lid follows in proportion (no shear, so no swirl)
BROW_GAIN, BROW_CAP = 2.5, 0.13  # cap in IOD
# lids (along each eye's up direction, most at the lid's middle): eyeWide raises the upper lid, eyeSquint
# raises the lower lid and lowers the upper lid a little; FaceMesh's lid-margin points sit on ICT vertices
# these shapes leave still
WIDE_UPPER, SQUINT_LOWER, SQUINT_UPPER = 0.07, 0.045, 0.015  # IOD at weight 1
# blink: at weight 1 the upper lid comes down CLOSE_UPPER of the way to the lower lid, which rises CLOSE_LOWER
# (they meet). The landmarks move so (the mouth fill reads them); the picture is closed by eye_closure.
CLOSE_UPPER = 1.0 - CLOSE_LOWER
SOLVE_AT = 0.7
# the photo's own expression taken away before the track's is applied (the track's weights are targets): the
# editor's fit of the photo (fxcli/edit/expression_fit.py), restricted to what a laugh, a smile or an open
# mouth moves. Its nose-sneer, frown and cheek estimates are left: every photo here gets 0.2-1.0 of them
# (the nasolabial fold, a three-quarter view), so they are mostly the person's face, not an expression.
SOURCE_REMOVED = ("mouthSmileLeft", "mouthSmileRight", "mouthStretchLeft", "mouthStretchRight",
                  "mouthLowerDownLeft", "mouthLowerDownRight", "jawOpen", "mouthUpperUpLeft", "mouthUpperUpRight",
                  "mouthDimpleLeft", "mouthDimpleRight")
# at most this much of each is taken away: a warp moves the lips, not the cheeks' bulge and the smile folds,
# so pulling a broad smile's corners in further only heaps the cheek skin beside the nose
SOURCE_REMOVED_MAX = 0.5
# the lower lip's outer edge (corner to corner) and the inner lower lip's points beside the middle whose ICT
# motion is the upper lip's (see _lower_lip_follows_the_lip)
LOWER_OUTER_LIP = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
LOWER_LIP_SIDES = (95, 88, 402, 318, 324)


def _eye_frame(xy: np.ndarray, side: str) -> tuple[np.ndarray, float]:
    """(up unit vector in image coords, IOD px) of one eye."""
    _, upper, lower, (outer, inner) = EYE_REGIONS[side]
    up = upward(xy[inner] - xy[outer])
    centres = [xy[list(r[1]) + list(r[2])].mean(0) for r in EYE_REGIONS.values()]
    return up, float(np.linalg.norm(centres[0] - centres[1]))


def _between_brow_and_lid(xy: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks in the band between the brow and the upper lid: indices and their height in the band
    (0 at the lid margin, 1 at the brow's lower edge)."""
    brows, upper, lower, _ = EYE_REGIONS[side]
    up, _ = _eye_frame(xy, side)
    lid_h = xy[list(upper)] @ up
    brow_h = xy[list(brows[5:])] @ up
    x_axis = np.array([-up[1], up[0]])
    bx = xy[list(brows)] @ x_axis
    lo_x, hi_x = bx.min(), bx.max()
    own = set(brows) | set(upper) | set(lower)
    idx, frac = [], []
    for i in range(468):
        if i in own:
            continue
        x, h = xy[i] @ x_axis, xy[i] @ up
        if not lo_x <= x <= hi_x:
            continue
        lid = np.interp(x, np.sort(xy[list(upper)] @ x_axis), lid_h[np.argsort(xy[list(upper)] @ x_axis)])
        brow = np.interp(x, np.sort(xy[list(brows[5:])] @ x_axis), brow_h[np.argsort(xy[list(brows[5:])] @ x_axis)])
        if lid < h < brow:
            idx.append(i)
            frac.append((h - lid) / max(brow - lid, 1e-6))
    return np.asarray(idx, int), np.asarray(frac)


def landmark_deltas(editor, face) -> np.ndarray:
    """(52, 468, 2) pixel motion of the face's landmarks per unit of each ARKit-52 channel.

    ICT's shapes carried onto the photo (Umeyama similarity), then: emotion channels amplified, brow motion
    amplified (capped) with the skin under the brows following, lid apertures for eyeWide / eyeSquint, and
    eyeBlink closing the upper lid onto the lower one.
    """
    from fxcli.backends.edit_embedded import FLIP, umeyama
    from fxcli.tracks.channels import ARKIT52

    scale, rot, _ = umeyama(editor.neutral @ FLIP, face.landmarks.astype(np.float64))
    out = np.zeros((len(ARKIT52), 468, 2))
    for c in range(len(ARKIT52)):
        w = np.zeros(len(ARKIT52), np.float32)
        w[c] = 1.0
        ict = editor.rig.arkit52_to_ict(w).astype(np.float64)
        delta = np.tensordot(ict, editor.deltas, axes=1)  # (468, 3) ICT cm
        out[c] = (scale * (delta @ FLIP) @ rot.T)[:, :2]
    xy = face.landmarks[:, :2].astype(np.float64)
    out = _lower_lip_follows_the_lip(out, xy)
    for c, name in enumerate(ARKIT52):
        if name.startswith(EXPRESSIVE):
            out[c] *= EXPRESSION_GAIN
    profile = np.sin(np.linspace(0, np.pi, 9)[1:-1])[:, None]  # along a lid: 0 at the corners, 1 at the middle
    for side in EYE_REGIONS:
        brows, upper, lower, _ = EYE_REGIONS[side]
        up, iod = _eye_frame(xy, side)
        band, frac = _between_brow_and_lid(xy, side)
        for c, name in enumerate(ARKIT52):
            if name.startswith("brow"):
                d = out[c, list(brows)]
                longest = float(np.linalg.norm(d, axis=1).max())
                if longest > 1e-9:
                    gained = d * min(BROW_GAIN, BROW_CAP * iod / longest)
                    extra = gained - d
                    out[c, list(brows)] = gained
                    if len(band):  # the skin below follows: the nearest brow point's extra, by height in the band
                        near = np.argmin(np.linalg.norm(xy[band, None] - xy[None, list(brows)], axis=-1), axis=1)
                        s = frac ** 1.5
                        out[c, band] += extra[near] * s[:, None]
        w = lambda stem, s=side: ARKIT52.index(stem + s)  # noqa: E731
        out[w("eyeWide"), list(upper)] += profile * WIDE_UPPER * iod * up
        out[w("eyeSquint"), list(upper)] -= profile * SQUINT_UPPER * iod * up
        out[w("eyeSquint"), list(lower)] += profile * SQUINT_LOWER * iod * up
        gap = xy[list(lower)] - xy[list(upper)]  # upper lid to lower lid, per pair
        blink = out[w("eyeBlink")]
        blink[list(upper)] = CLOSE_UPPER * gap
        blink[list(lower)] = -CLOSE_LOWER * gap
    return out


def _lower_lip_follows_the_lip(out: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """(52, 468, 2) landmark motion with the inner lower lip's side points (LOWER_LIP_SIDES) moved as the lower
    lip moves there: the outer lower lip's motion at the same place across the face, plus the inner-minus-outer
    difference of the inner lower lip's reliable points (its corners and middle), interpolated between them.

    The FaceMesh -> ICT correspondence seats these points on ICT's upper lip: under jawOpen they go down 6-11 px
    where the lower lip around them goes down 22-37 px (and mouthUpperUp raises them). The warp's spline,
    held by the outer lower lip, opens the lips along the whole mouth anyway, so the inner-lip outline pinched
    at the sides while the warp's opening did not: the mouth fill left the stretched lip line visible beside
    it (light "fangs" at the corners of an opened mouth)."""
    from fxcli.edit.mouth_interior import LOWER_INNER_LIP

    across = xy[263] - xy[33]  # the face's left-right axis (eye corner to eye corner)
    across = across / (np.linalg.norm(across) + 1e-9)
    pos = xy @ across
    outer = np.asarray(LOWER_OUTER_LIP)
    outer = outer[np.argsort(pos[outer])]
    anchors = np.asarray([i for i in LOWER_INNER_LIP if i not in LOWER_LIP_SIDES])
    anchors = anchors[np.argsort(pos[anchors])]
    sides = np.asarray(LOWER_LIP_SIDES)
    fixed = out.copy()
    for c in range(out.shape[0]):
        for k in range(2):
            lip = out[c, outer, k]
            residual = out[c, anchors, k] - np.interp(pos[anchors], pos[outer], lip)
            fixed[c, sides, k] = np.interp(pos[sides], pos[outer], lip) + np.interp(pos[sides], pos[anchors], residual)
    return fixed


def _lid_points(src: np.ndarray, motion: np.ndarray, side: str, per_gap: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where an eye's lids move by `motion` (468, 2), the backward map spelled out column by column (a spline
    left to itself overshoots between lids that move apart or meet: a fold, a swirl). Returns the landmarks
    to keep (those in the lid's skin give way), output points and the photo points they show: the skin
    from one opening above the upper margin (still) to the moved margin, the eye between the margins, and
    the skin from the lower margin to one opening below it (still), each spread evenly."""
    _, upper, lower, _ = EYE_REGIONS[side]
    band, frac = _between_brow_and_lid(src, side)
    keep = np.ones(len(src), bool)
    keep[band[frac < 0.7]] = False

    def dense(points: np.ndarray) -> np.ndarray:  # per_gap points per landmark gap along the lid, corners left out
        t = np.linspace(0, len(points) - 1, per_gap * (len(points) - 1) + 1)[1:-1]
        return np.stack([np.interp(t, np.arange(len(points)), points[:, k]) for k in range(2)], 1)

    src_u, src_l = dense(src[list(upper)]), dense(src[list(lower)])
    out_u, out_l = dense(src[list(upper)] + motion[list(upper)]), dense(src[list(lower)] + motion[list(lower)])
    opening = src_l - src_u
    above, below = src_u - opening, src_l + opening
    pts_out, pts_src = [above, below], [above, below]
    for t in (0.25, 0.5, 0.75):
        pts_out += [above + t * (out_u - above), out_u + t * (out_l - out_u), out_l + t * (below - out_l)]
        pts_src += [above + t * (src_u - above), src_u + t * opening, src_l + t * (below - src_l)]
    return keep, np.vstack(pts_out), np.vstack(pts_src)


def build_rig(image: np.ndarray, face, editor) -> PortraitRig:
    import cv2
    from scipy.interpolate import RBFInterpolator

    from fxcli.backends.edit_embedded import (
        FACE_OVAL,
        OVAL_SMOOTHING,
        SMOOTHING,
        ring,
    )

    h, w = image.shape[:2]
    src = face.landmarks[:, :2].astype(np.float64)
    deltas = landmark_deltas(editor, face)  # (52, 468, 2)
    still = ring(src)
    centres = np.vstack([src, still])
    values = np.concatenate([-deltas.transpose(1, 0, 2).reshape(468, -1), np.zeros((len(still), deltas.shape[0] * 2))])
    smoothing = np.full(len(centres), SMOOTHING)
    smoothing[list(FACE_OVAL)] = OVAL_SMOOTHING
    spline = RBFInterpolator(centres, values, kernel="thin_plate_spline", smoothing=smoothing)
    gx = np.arange(0, w + GRID, GRID, dtype=np.float64)
    gy = np.arange(0, h + GRID, GRID, dtype=np.float64)
    grid = np.stack(np.meshgrid(gx, gy), -1).reshape(-1, 2)
    cx, cy = (still.min(0) + still.max(0)) / 2
    rx, ry = (still.max(0) - still.min(0)) / 2
    inside = ((grid[:, 0] - cx) / rx) ** 2 + ((grid[:, 1] - cy) / ry) ** 2 <= 1.0
    flat = np.zeros((len(grid), values.shape[1]))
    flat[inside] = spline(grid[inside])
    # (52, gh * gw * 2), contiguous: a frame's field is one vector-matrix product
    fields = flat.reshape(len(gy), len(gx), -1, 2).transpose(2, 0, 1, 3).reshape(values.shape[1] // 2, -1)
    # Fields solved at the photo's landmarks are first order: right for small motions, but a lid moved by
    # the eye's whole opening would squash the eye instead of covering it. Brows and lids are solved below at
    # moved landmarks, with the eye spelled out column by column (_lid_points).
    from fxcli.tracks.channels import ARKIT52

    def solve(level: float, back_scale: float, c: int) -> np.ndarray:
        """Channel c's backward field solved at the landmarks moved by `level` of its motion; values are
        `back_scale` of the motion (1 for a per-unit field solved at a typical weight, `level` for a level)."""
        side = next((sd for sd in EYE_REGIONS if ARKIT52[c].endswith(sd)), None)
        keep = np.ones(len(src), bool)
        extra_out, extra_src = np.zeros((0, 2)), np.zeros((0, 2))
        if ARKIT52[c].startswith("eye") and side is not None:
            keep, extra_out, extra_src = _lid_points(src, deltas[c] * level, side)
            extra_src = extra_out + (extra_src - extra_out) * (back_scale / level)
        moved = np.vstack([(src + level * deltas[c])[keep], still, extra_out])
        back = np.concatenate([-back_scale * deltas[c][keep], np.zeros((len(still), 2)), extra_src - extra_out])
        sm = np.concatenate([smoothing[:len(src)][keep], smoothing[len(src):], np.full(len(extra_out), SMOOTHING)])
        exact = RBFInterpolator(moved, back, kernel="thin_plate_spline", smoothing=sm)
        f = np.zeros((len(grid), 2))
        f[inside] = exact(grid[inside])
        return f.reshape(-1)

    # brows and lids move several pixels with steep gradients near the eye: their fields are solved at the
    # landmarks moved by a typical weight (SOLVE_AT) rather than at rest, which keeps the eye from doubling
    for c, name in enumerate(ARKIT52):
        if name.startswith(("brow", "eyeWide", "eyeSquint")):
            fields[c] = solve(SOLVE_AT, 1.0, c)
    # a blink is not a warp: the lid is closed on the photo itself (eye_closure), the warp carries it
    for c in [ARKIT52.index(n) for n in LID_CHANNELS]:
        fields[c] = 0.0
    fields = np.ascontiguousarray(fields.astype(np.float32))

    # head-motion falloff: 1 over the face, smoothly to 0 at FALLOFF_OUTER face radii
    lo, hi = src.min(0), src.max(0)
    centre = (lo + hi) / 2
    radius = float(np.linalg.norm(hi - lo) / 2)
    d = np.linalg.norm(grid - centre, axis=1) / radius
    fall = np.clip((FALLOFF_OUTER - d) / (FALLOFF_OUTER - FALLOFF_INNER), 0, 1)
    fall = (0.5 - 0.5 * np.cos(np.pi * fall)).reshape(len(gy), len(gx)).astype(np.float32)
    pivot = np.array([centre[0], hi[1] + 0.15 * (hi[1] - lo[1])])

    rig = PortraitRig(image, src, np.ascontiguousarray(deltas.reshape(len(deltas), -1), np.float32), fields, (len(gy), len(gx)), fall, gx, gy, pivot,
                      float((hi[0] - lo[0]) / 2))
    # the photo's own smile (ICT's two smile shapes fitted to its lips): the track's smile weights are targets,
    # so a smiling photo told to speak sadly loses its smile, and one told to be happy does not smile twice
    from fxcli.backends.edit_embedded import FLIP, umeyama

    scale, rot, shift = umeyama(editor.neutral @ FLIP, face.landmarks.astype(np.float64))
    rig.source_smile = np.asarray(editor.source_smile(face, scale, rot, shift), np.float32)
    rig.source_weights = source_weights(editor, face, rig.source_smile)
    rig.lids = [_lids(image, src, side) for side in ("Left", "Right")]
    # the mouth fill's view of the photo: its lips, the cheeks and the nose (where it samples the skin)
    from fxcli.edit.mouth_interior import OUTER_LIPS, SKIN_SPOTS

    rig.mouth_box = _crop_box(src[list(OUTER_LIPS) + list(SKIN_SPOTS)], image.shape, margin=0.15)
    x0, y0, x1, y1 = rig.mouth_box
    rig.mouth_photo = np.ascontiguousarray(image[y0:y1, x0:x1])
    del cv2
    return rig


def source_weights(editor, face, smile: np.ndarray | None = None) -> np.ndarray:
    """(52,) ARKit weights of the photo's own expression that the animation takes away (SOURCE_REMOVED): the
    editor's estimate in ICT shapes brought to ARKit channels (each ICT shape comes from one channel); the
    smile is the larger of that and the two-shape smile fit (`smile`, mouthSmileLeft/Right)."""
    from fxcli.tracks.channels import ARKIT52

    ict = np.asarray(editor.source_expression(face), np.float64)
    mapping = np.asarray(editor.mapping, np.float64)  # (52, 53): ICT = ARKit @ mapping
    out = np.zeros(len(ARKIT52), np.float32)
    for name in SOURCE_REMOVED:
        c = ARKIT52.index(name)
        cols = np.flatnonzero(np.abs(mapping[c]) > 1e-9)
        if len(cols):
            out[c] = float(np.clip(np.mean(ict[cols] / mapping[c, cols]), 0.0, 1.0))
    if smile is not None:
        for k, name in enumerate(("mouthSmileLeft", "mouthSmileRight")):
            out[ARKIT52.index(name)] = max(out[ARKIT52.index(name)], float(smile[k]))
    return np.minimum(out, SOURCE_REMOVED_MAX)


def pose_field(rig: PortraitRig, pose: np.ndarray) -> np.ndarray:
    """(gh, gw, 2) backward displacement of the head pose (pitch, yaw, roll in radians) on the coarse grid."""
    pitch, yaw, roll = (float(v) for v in pose)
    if abs(pitch) + abs(yaw) + abs(roll) < 1e-5:
        return np.zeros(rig.grid_shape + (2,), np.float32)
    size = rig.face_size
    # forward similarity about the neck: roll rotates (image y is down, so the sign flips), yaw and pitch
    # move the face sideways / down and foreshorten it a little
    c, s = np.cos(-roll), np.sin(-roll)
    sx, sy = 1.0 - 0.12 * abs(np.sin(yaw)), 1.0 - 0.08 * abs(np.sin(pitch))
    a = np.array([[c * sx, -s * sy], [s * sx, c * sy]])
    shift = np.array([0.55 * size * np.sin(yaw), 0.45 * size * np.sin(pitch)])
    p = rig.grid_points - rig.pivot
    inv = np.linalg.inv(a)
    back = (p - shift) @ inv.T - p  # where each output point comes from, minus itself
    return (back * rig.falloff[..., None]).astype(np.float32)


def backward_map(rig: PortraitRig, weights: np.ndarray, pose_back: np.ndarray | None = None) -> np.ndarray:
    """(H, W, 2) float32: for each output pixel, the photo position (x, y) it shows."""
    import cv2

    h, w = rig.image.shape[:2]
    coarse = (np.asarray(weights, np.float32) @ rig.fields).reshape(rig.grid_shape + (2,))
    if pose_back is not None:
        coarse = coarse + pose_back
    fine = cv2.resize(coarse, (rig.grid_shape[1] * GRID, rig.grid_shape[0] * GRID), interpolation=cv2.INTER_LINEAR)
    return _base(h, w) + fine[:h, :w]  # one CV_32FC2 array


def warp_frame(rig: PortraitRig, weights: np.ndarray, pose: np.ndarray, *, with_mouth: bool = True) -> np.ndarray:
    import cv2

    h, w = rig.image.shape[:2]
    pf = pose_field(rig, pose)
    xy = backward_map(rig, weights, pf)
    out = cv2.remap(closed_eyes(rig, weights), xy, None, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if not with_mouth:
        return out
    return fill_frame_mouth(rig, out, weights, pf, xy)


def _lids(image: np.ndarray, src: np.ndarray, side: str):
    from fxcli.talk.eye_closure import eye_lids

    _, upper, lower, (outer, inner) = EYE_REGIONS[side]
    return eye_lids(image, src[[outer, *upper, inner]], src[[outer, *lower, inner]])


def closed_eyes(rig: PortraitRig, weights: np.ndarray) -> np.ndarray:
    """The photo with each eye closed by its eyeBlink weight (fxcli/talk/eye_closure.py); the photo itself
    when both are open."""
    from fxcli.talk.eye_closure import close_eye
    from fxcli.tracks.channels import ARKIT52

    image = rig.image
    if rig.closed_crops is None:
        rig.closed_crops = {}
    for k, (name, lids) in enumerate(zip(LID_CHANNELS, rig.lids or (), strict=False)):
        b = round(min(float(weights[ARKIT52.index(name)]), 1.0), 3)
        if lids is None or b < 0.01:
            continue
        if image is rig.image:
            image = rig.image.copy()
        last = rig.closed_crops.get(k)
        if last is None or last[0] != b:
            last = rig.closed_crops[k] = (b, close_eye(rig.image, lids, b))
        x0, y0, x1, y1 = lids.box
        image[y0:y1, x0:x1] = last[1]
    return image


def fill_frame_mouth(rig: PortraitRig, out: np.ndarray, weights: np.ndarray, pf: np.ndarray,
                     xy: np.ndarray | None = None) -> np.ndarray:
    """The frame's mouth inside by the editor's mouth fill (fxcli/edit/mouth_interior.py: the photo's own
    teeth carried by the lips, a cavity shaded to this opening, teeth rows), on crops of the frame and the
    photo around the mouth (a full-frame call costs tens of ms, a crop a few). `xy`: the frame's backward map
    (computed when not given): the lower lip is filled down to where the warp shows it (warped_lower_lip)."""
    from fxcli.edit.mouth_interior import (
        LOWER_INNER_LIP,
        OUTER_LIPS,
        UPPER_INNER_LIP,
        fill_mouth,
        inner_polygon,
        polygon_area,
    )

    dst = rig.src + (weights.astype(np.float32) @ rig.lm_delta).reshape(468, 2)  # before the head pose
    if polygon_area(inner_polygon(dst)) <= max(1.0, 1.05 * polygon_area(inner_polygon(rig.src))):
        return out  # not open beyond the photo's own mouth: the warp already shows what is between the lips
    lips = list(OUTER_LIPS)
    moving = lips + list(UPPER_INNER_LIP) + list(LOWER_INNER_LIP)
    posed = dst.copy()
    posed[moving] = _forward_pose(rig, dst[moving], pf)
    posed = warped_lower_lip(rig, posed, backward_map(rig, weights, pf) if xy is None else xy)
    x0, y0, x1, y1 = _crop_box(posed[lips], out.shape)
    sx0, sy0, sx1, sy1 = rig.mouth_box
    region = fill_mouth(np.ascontiguousarray(out[y0:y1, x0:x1]), rig.mouth_photo, rig.src - [sx0, sy0],
                        posed - [x0, y0])
    out[y0:y1, x0:x1] = region
    return out


def warped_lower_lip(rig: PortraitRig, posed: np.ndarray, xy: np.ndarray, below: float = 1.0,
                     reach: float = 0.25) -> np.ndarray:
    """`posed` (468, 2) with each inner lower-lip point (corners aside) moved down its image column to where the
    frame's backward map `xy` first shows the photo `below` px under the photo's inner lower lip, if that is
    lower (at most `reach` of the mouth's width lower).

    The warp's spline cannot part the photo's closed lips by the landmarks alone (the inner lips' points
    coincide there): it opens them about as far at the sides as in the middle, further than the lower lip's
    landmarks go down at the sides, and the photo's lip line shows stretched in between. Filled down to
    where the warp's lower lip begins, the mouth fill covers it."""
    from fxcli.edit.mouth_interior import LOWER_INNER_LIP, UPPER_INNER_LIP

    h, w = xy.shape[:2]
    line = rig.src[list(LOWER_INNER_LIP)]
    line = line[np.argsort(line[:, 0])]
    reach_px = reach * float(np.linalg.norm(posed[UPPER_INNER_LIP[-1]] - posed[UPPER_INNER_LIP[0]]))
    out = posed.copy()
    for i, j in zip(LOWER_INNER_LIP[1:-1], UPPER_INNER_LIP[1:-1], strict=True):
        x = int(round(posed[i, 0]))
        top, bottom = max(int(np.floor(posed[j, 1])), 0), min(int(np.ceil(posed[i, 1] + reach_px)), h)
        if not (0 <= x < w and top < bottom):
            continue
        col = xy[top:bottom, x]
        past = np.flatnonzero(col[:, 1] >= np.interp(col[:, 0], line[:, 0], line[:, 1]) + below)
        if len(past):
            out[i, 1] = max(posed[i, 1], top + past[0])
    return out


def _crop_box(points: np.ndarray, shape: tuple[int, ...], margin: float = 0.35) -> tuple[int, int, int, int]:
    """Integer box around `points` grown by `margin` of their width (and 6 px), inside the image."""
    lo, hi = points.min(0), points.max(0)
    pad = margin * float(hi[0] - lo[0]) + 6
    x0, y0 = np.floor(lo - pad).astype(int)
    x1, y1 = np.ceil(hi + pad).astype(int)
    return max(x0, 0), max(y0, 0), min(x1, shape[1]), min(y1, shape[0])


def _forward_pose(rig: PortraitRig, pts: np.ndarray, field: np.ndarray) -> np.ndarray:
    """Where points of the un-posed face land under the head pose's backward `field` (fixed-point steps)."""
    if not field.any():
        return pts
    q = pts.astype(np.float64).copy()
    for _ in range(3):  # output q with q + back(q) = pts
        gx = np.clip(q[:, 0] / GRID, 0, rig.grid_shape[1] - 1.001)
        gy = np.clip(q[:, 1] / GRID, 0, rig.grid_shape[0] - 1.001)
        ix, iy = gx.astype(int), gy.astype(int)
        fx, fy = (gx - ix)[:, None], (gy - iy)[:, None]
        back = (field[iy, ix] * (1 - fx) * (1 - fy) + field[iy, ix + 1] * fx * (1 - fy)
                + field[iy + 1, ix] * (1 - fx) * fy + field[iy + 1, ix + 1] * fx * fy)
        q = pts - back
    return q


_BASES: dict[tuple[int, int], np.ndarray] = {}


def _base(h: int, w: int) -> np.ndarray:
    """(H, W, 2) float32 pixel positions (x, y): the identity map."""
    if (h, w) not in _BASES:
        _BASES[(h, w)] = np.stack(np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)), -1)
    return _BASES[(h, w)]


def animate(rig: PortraitRig, frames: np.ndarray, pose: np.ndarray | None, smooth_frames: float = 0.7):
    """Yield RGB uint8 frames for a (T, 52) weight sequence in ARKit-52 order and (T, 3) pose."""
    from scipy.ndimage import gaussian_filter1d

    from fxcli.tracks.channels import ARKIT52

    w = gaussian_filter1d(frames.astype(np.float32), smooth_frames, axis=0, mode="nearest") if smooth_frames > 0 else frames
    if rig.source_weights is not None:
        w = w - rig.source_weights
    elif rig.source_smile is not None:
        w = w.copy()
        w[:, [ARKIT52.index("mouthSmileLeft"), ARKIT52.index("mouthSmileRight")]] -= rig.source_smile
    p = np.zeros((len(frames), 3), np.float32) if pose is None else pose
    if smooth_frames > 0:
        p = gaussian_filter1d(p.astype(np.float32), smooth_frames, axis=0, mode="nearest")
    for t in range(len(w)):
        yield warp_frame(rig, w[t], p[t])
