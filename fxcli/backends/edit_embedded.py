"""`edit/blend --model embedded`: a landmark-driven smooth warp of the photo (CPU, no download).

1. The expression (library name, synonym or free text, via fxcli.expressions) becomes ARKit-52 weights,
   scaled by alpha (blends add their weighted terms).
2. The ICT head's expression shapes give each of FaceMesh's 468 landmarks a 3D displacement (through the
   shipped landmark -> ICT vertex correspondence, fxcli/assets/ict_facemesh).
3. A similarity transform fitted between the ICT landmarks and the detected face's 468 landmarks
   (Umeyama: scale and 3D rotation) carries the displacements into the photo's pixels.
   The photo's own smile is measured (ICT's two smile shapes fitted, bounded 0..1, to the lip landmarks);
   when the target does not smile, alpha also takes that smile away, so alpha = 1 reaches the target
   expression rather than the target added to a smile. alpha = 0 still leaves the photo as it is.
4. A thin-plate spline through the displaced landmarks plus a still ring around the face (and the image
   border) defines a smooth backward map, evaluated on a coarse grid, upsampled, applied with cv2.remap.
   The background outside the ring does not move and a spline does not tear.
5. Where the inner lips part further than in the photo, the new opening is filled with a dark mouth
   cavity and a hint of upper teeth instead of stretched lip pixels.
"""

from __future__ import annotations

import hashlib

import numpy as np

from fxcli.errors import UsageError

# FaceMesh inner-lip contours, mouth corner to mouth corner
UPPER_INNER_LIP = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LOWER_INNER_LIP = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
OUTER_LIPS = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146)
# The face outline: where the head turns away, ICT's frontal correspondence is least sure of the motion,
# and outline points can sit a pixel from a brow or cheek point that moves a lot. The spline follows
# them only loosely (large smoothing), so they bend with their neighbours instead of shearing the image.
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148,
             176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
OVAL_SMOOTHING = 300.0
MIN_JACOBIAN = 0.05  # the warp may compress an area 20-fold, not fold it
MAX_BACKOFF = 8
BACKOFF = 0.8
SMILE_FIT_LANDMARKS = tuple(sorted(set(UPPER_INNER_LIP + LOWER_INNER_LIP + OUTER_LIPS)))
FLIP = np.diag([1.0, -1.0, -1.0])  # ICT: y up, face toward +z; image: y down, nearer = -z
RING_SCALE = 1.6  # the still ring sits at this multiple of the face's landmark extent about its centre
RING_POINTS = 40
GRID_STEP = 4  # px between spline evaluations; bilinear upsampling in between
# Spline regularisation (px^2). FaceMesh puts some landmarks within a pixel of each other (the face outline,
# a closed mouth); an exact spline through them overshoots into swirls, a lightly smoothed one does not.
SMOOTHING = 1.0


def umeyama(src: np.ndarray, dst: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Scale s, rotation R (3x3, det +1) and translation t minimising |dst - (s R src + t)|^2."""
    mu_s, mu_d = src.mean(0), dst.mean(0)
    a, b = src - mu_s, dst - mu_d
    cov = b.T @ a / len(src)
    u, sig, vt = np.linalg.svd(cov)
    d = np.eye(3)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[2, 2] = -1.0
    rot = u @ d @ vt
    scale = float(np.trace(np.diag(sig) @ d) / (a ** 2).sum(1).mean())
    return scale, rot, mu_d - scale * rot @ mu_s


def ring(landmarks_xy: np.ndarray, scale: float = RING_SCALE, n: int = RING_POINTS) -> np.ndarray:
    """n points on an ellipse around the face, `scale` times its half-extent: the warp's still boundary."""
    centre = (landmarks_xy.min(0) + landmarks_xy.max(0)) / 2
    half = (landmarks_xy.max(0) - landmarks_xy.min(0)) / 2 * scale
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return centre + np.c_[np.cos(t), np.sin(t)] * half


def polygon_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2)


class EmbeddedEditor:
    """The default editor: ICT expression shapes carried onto FaceMesh landmarks, then a smooth warp."""

    name = "embedded"
    model_id = "embedded"

    def __init__(self, arg: str | None = None, *, device: str = "auto", dtype: str = "auto", offload: str = "none"):
        if arg:
            raise UsageError(f"--model embedded takes no argument (got {arg!r})")
        if offload != "none":
            raise UsageError("--offload applies to --model pixelsmile only")
        from fxcli.edit.facemesh_correspondence import CORRESPONDENCE_FILE, load_correspondence
        from fxcli.rigs.ict_rig import IctRig

        rig = IctRig.load()
        self.rig = rig
        self.index = load_correspondence()  # (468,)
        self.neutral = rig.neutral[self.index].astype(np.float64)  # (468, 3) cm
        # expression shapes at the landmark vertices only: (53, 468, 3)
        self.deltas = rig.expression_deltas.reshape(len(rig.shape_names), rig.n_vertices, 3)[:, self.index]
        digest = hashlib.sha256(CORRESPONDENCE_FILE.read_bytes() + (rig.model_hash or "").encode()).hexdigest()
        self.model_hash = digest[:16]
        self._weights: dict[str, np.ndarray] = {}
        self.last_note: str | None = None  # set by edit() when the motion had to be limited
        self.smile_shapes = (rig.shape_names.index("mouthSmile_L"), rig.shape_names.index("mouthSmile_R"))

    # -- expression -> landmark displacements ---------------------------------------------------------

    def expression_weights(self, expression: str) -> np.ndarray:
        """ARKit-52 weights of a library name, synonym or description (mixture of the nearest entries)."""
        if expression not in self._weights:
            from fxcli.expressions.library import load_library
            from fxcli.expressions.resolve import resolve_expression

            lib = load_library()
            mixture = resolve_expression(expression).mixture()
            self._weights[expression] = sum(w * lib.by_name[n].weights for n, w in mixture).astype(np.float64)
        return self._weights[expression]

    def landmark_displacements(self, terms: list[tuple[str, float]]) -> np.ndarray:
        """(468, 3) displacement of each landmark on the ICT head (cm) for sum_k alpha_k * expression_k."""
        weights = sum(a * self.expression_weights(n) for n, a in terms)  # (52,)
        ict = self.rig.arkit52_to_ict(np.asarray(weights, np.float32)).astype(np.float64)  # (53,)
        return np.tensordot(ict, self.deltas, axes=1)  # (468, 3)

    def source_smile(self, face, scale: float, rot: np.ndarray, shift: np.ndarray) -> np.ndarray:
        """ICT smile weights (2,) for (mouthSmile_L, mouthSmile_R) that best explain the photo's lips."""
        from scipy.optimize import lsq_linear

        lips = list(SMILE_FIT_LANDMARKS)
        in_ict = ((face.landmarks.astype(np.float64) - shift) @ rot / scale) @ FLIP  # (468, 3) ICT cm
        residual = (in_ict - self.neutral)[lips, :2]  # x, y only: FaceMesh depth is the least reliable
        basis = self.deltas[list(self.smile_shapes)][:, lips, :2].reshape(2, -1).T.astype(np.float64)
        return lsq_linear(basis, residual.ravel(), bounds=(0.0, 1.0)).x

    def image_displacements(self, face, terms: list[tuple[str, float]]) -> np.ndarray:
        """(468, 2) pixel displacement of the detected face's landmarks."""
        scale, rot, shift = umeyama(self.neutral @ FLIP, face.landmarks.astype(np.float64))
        delta = self.landmark_displacements(terms)  # (468, 3) ICT cm
        target = self.rig.arkit52_to_ict(sum(a * self.expression_weights(n) for n, a in terms).astype(np.float32))
        if not target[list(self.smile_shapes)].any():
            total = sum(a for _, a in terms)
            smile = self.source_smile(face, scale, rot, shift)  # (2,)
            delta = delta - min(total, 1.0) * np.tensordot(smile, self.deltas[list(self.smile_shapes)], axes=1)
        moved = scale * (delta @ FLIP) @ rot.T  # (468, 3) image units
        return moved[:, :2]

    # -- warping --------------------------------------------------------------------------------------

    def map_point(self, shape: tuple[int, ...], xy: np.ndarray) -> np.ndarray:
        return np.asarray(xy, np.float64)  # the warp keeps the frame

    def edit(self, image: np.ndarray, terms: list[tuple[str, float]], *, seed: int, face) -> np.ndarray:
        """The photo with the face moved toward the expression terms (RGB uint8, same size)."""
        if face is None:
            raise UsageError("the embedded editor needs a detected face")
        src = face.landmarks[:, :2].astype(np.float64)  # (468, 2)
        moves = self.image_displacements(face, terms)
        self.last_note = None
        if np.abs(moves).max() < 1e-3:
            return image.copy()
        # The limit of extrapolation: the warp must stay one-to-one (no fold, no tear) outside the mouth
        # opening, which is painted over. Past that, the motion is scaled back until it is.
        scale = 1.0
        for _ in range(MAX_BACKOFF):
            dst = src + scale * moves
            map_x, map_y = backward_map(image.shape, src, dst)
            if not folds(map_x, map_y, mouth_opening(image.shape, dst)):
                break
            scale *= BACKOFF
        else:
            dst = src  # nothing one-to-one was found: leave the face as it is
            map_x, map_y = backward_map(image.shape, src, dst)
            scale = 0.0
        if scale < 1.0:
            self.last_note = f"motion limited to {scale:.2f} of the request to keep the warp fold-free"
        import cv2

        out = cv2.remap(image, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        return fill_mouth(out, image, src, dst)


def mouth_opening(shape: tuple[int, ...], dst: np.ndarray, margin: int = 9) -> np.ndarray:
    """Boolean H x W mask of the inner-lip polygon at `dst`, grown by `margin` px (it is painted, not warped)."""
    import cv2

    inner = np.vstack([dst[list(UPPER_INNER_LIP)], dst[list(LOWER_INNER_LIP)[-2:0:-1]]])
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(inner).astype(np.int32)], 255)
    return cv2.dilate(mask, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)) > 0


def jacobian_det(map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """Determinant of the backward map's Jacobian at every pixel (<= 0 where the warp folds over)."""
    return (np.gradient(map_x, axis=1) * np.gradient(map_y, axis=0)
            - np.gradient(map_x, axis=0) * np.gradient(map_y, axis=1))


def folds(map_x: np.ndarray, map_y: np.ndarray, ignore: np.ndarray) -> bool:
    det = jacobian_det(map_x, map_y)
    return bool((det[~ignore] < MIN_JACOBIAN).any())


def backward_map(shape: tuple[int, ...], src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every output pixel, the source position it takes its colour from: (map_x, map_y) float32 H x W."""
    import cv2
    from scipy.interpolate import RBFInterpolator

    h, w = shape[:2]
    still = ring(src)
    centres = np.vstack([dst, still])  # the backward map is defined on output positions
    backward = np.vstack([src - dst, np.zeros_like(still)])  # output pos + backward = source pos
    smoothing = np.full(len(centres), SMOOTHING)
    smoothing[list(FACE_OVAL)] = OVAL_SMOOTHING
    spline = RBFInterpolator(centres, backward, kernel="thin_plate_spline", smoothing=smoothing)
    x0, y0 = np.floor(np.maximum(still.min(0), 0)).astype(int)
    x1, y1 = np.ceil(np.minimum(still.max(0), [w - 1, h - 1])).astype(int)
    map_x, map_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    if x1 <= x0 or y1 <= y0:
        return map_x, map_y
    gx = np.arange(x0, x1 + GRID_STEP, GRID_STEP, dtype=np.float64)
    gy = np.arange(y0, y1 + GRID_STEP, GRID_STEP, dtype=np.float64)
    grid = np.stack(np.meshgrid(gx, gy), -1).reshape(-1, 2)  # (Ny*Nx, 2)
    coarse = spline(grid).reshape(len(gy), len(gx), 2).astype(np.float32)
    # inside the ring only: outside it the spline would extrapolate, and the photo must stay still
    cx, cy = (still.min(0) + still.max(0)) / 2
    rx, ry = (still.max(0) - still.min(0)) / 2
    inside = (((grid[:, 0] - cx) / rx) ** 2 + ((grid[:, 1] - cy) / ry) ** 2 <= 1.0).reshape(len(gy), len(gx))
    coarse[~inside] = 0.0
    span_w, span_h = int(gx[-1] - x0) + 1, int(gy[-1] - y0) + 1
    fine = cv2.resize(coarse, (span_w, span_h), interpolation=cv2.INTER_LINEAR)  # (span_h, span_w, 2)
    bh, bw = min(span_h, h - y0), min(span_w, w - x0)
    map_x[y0:y0 + bh, x0:x0 + bw] += fine[:bh, :bw, 0]
    map_y[y0:y0 + bh, x0:x0 + bw] += fine[:bh, :bw, 1]
    return map_x, map_y


def fill_mouth(out: np.ndarray, source: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Paint the newly opened part of the mouth: a dark cavity with a band of upper teeth."""
    import cv2

    upper, lower = list(UPPER_INNER_LIP), list(LOWER_INNER_LIP)
    inner_dst = np.vstack([dst[upper], dst[lower[-2:0:-1]]])  # closed contour: upper left->right, lower back
    inner_src = np.vstack([src[upper], src[lower[-2:0:-1]]])
    area_dst, area_src = polygon_area(inner_dst), polygon_area(inner_src)
    if area_dst <= 1.0 or area_dst <= area_src * 1.05:
        return out
    # how much of the opening is new: fully painted when the photo's mouth was closed
    strength = float(np.clip((area_dst - area_src) / area_dst * 1.5, 0.0, 1.0))
    h, w = out.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(inner_dst).astype(np.int32)], 255)
    # teeth: from the upper inner lip down a third of the local opening
    gap = np.linalg.norm(dst[lower[1:-1]] - dst[upper[1:-1]], axis=1)  # (9,) opening along the mouth
    teeth_edge = dst[upper[1:-1]] + (dst[lower[1:-1]] - dst[upper[1:-1]]) * 0.35
    teeth_poly = np.vstack([dst[upper], teeth_edge[::-1]])
    teeth = np.zeros((h, w), np.uint8)
    cv2.fillPoly(teeth, [np.round(teeth_poly).astype(np.int32)], 255)
    teeth = cv2.bitwise_and(teeth, mask)
    lip_mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(lip_mask, [np.round(src[list(OUTER_LIPS)]).astype(np.int32)], 255)
    lip_colour = source[lip_mask > 0].mean(0) if lip_mask.any() else np.array([150.0, 80.0, 80.0])
    cavity = lip_colour * 0.22  # a shadowed, lip-tinted interior
    # teeth in the mouth's shade: brighter the wider the mouth opens (more light reaches them)
    teeth_colour = np.array([232.0, 226.0, 212.0]) * (0.8 + 0.12 * min(1.0, float(gap.max()) / 20.0))
    fill = np.empty((h, w, 3), np.float32)
    fill[:] = cavity
    fill[teeth > 0] = teeth_colour
    fill = cv2.GaussianBlur(fill, (0, 0), 1.0)
    # feathered inside the opening so the lip edge stays crisp
    alpha = cv2.GaussianBlur(cv2.erode(mask, np.ones((2, 2), np.uint8)).astype(np.float32) / 255.0, (0, 0), 0.8)
    alpha = (alpha * strength)[..., None]
    return np.clip(out.astype(np.float32) * (1 - alpha) + fill * alpha + 0.5, 0, 255).astype(np.uint8)
