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
   Two regions are then corrected in the face's own units (IOD = inter-ocular distance, eye centre to eye
   centre), see fxcli/edit/au_regions.py: ICT's brow shapes move the brow landmarks only a few % of IOD
   (browDown 3.4 %), far less than a real AU4 or AU1+2, so the brow motion gets a gain with a soft cap;
   and ICT's lid shapes (eyeWide, eyeSquint) do not move the landmarks FaceMesh puts on the lid margins,
   so the eye aperture (AU5 upper lid up, AU7 lower lid up) is applied to those landmarks directly.
4. A thin-plate spline through the displaced landmarks plus a still ring around the face (and the image
   border) defines a smooth backward map, evaluated on a coarse grid, upsampled, applied with cv2.remap.
   The background outside the ring does not move and a spline does not tear.
5. The mouth's inside at the new lips (fxcli/edit/mouth_interior.py): the photo's own teeth carried by
   the lips, the rest a painted cavity with rows of teeth.
"""

from __future__ import annotations

import hashlib

import numpy as np

from fxcli.edit.mouth_interior import (  # noqa: F401  (the lip contours and mouth helpers live there)
    LOWER_INNER_LIP,
    OUTER_LIPS,
    SPLIT_DEFAULT,
    UPPER_INNER_LIP,
    fill_mouth,
    mouth_opening,
    polygon_area,
    teeth_split,
)
from fxcli.errors import UsageError

# The face outline: where the head turns away, ICT's frontal correspondence is least sure of the motion,
# and outline points can sit a pixel from a brow or cheek point that moves a lot. The spline follows
# them only loosely (large smoothing), so they bend with their neighbours instead of shearing the image.
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148,
             176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
OVAL_SMOOTHING = 300.0
MIN_JACOBIAN = 0.05  # the warp may compress an area 20-fold, not fold it
MAX_BACKOFF = 8
BACKOFF = 0.8
REFINE = 2  # bisection steps between a fold-free rung of the ladder and the one above it
SMILE_FIT_LANDMARKS = tuple(sorted(set(UPPER_INNER_LIP + LOWER_INNER_LIP + OUTER_LIPS)))
FLIP = np.diag([1.0, -1.0, -1.0])  # ICT: y up, face toward +z; image: y down, nearer = -z
RING_SCALE = 1.6  # the still ring sits at this multiple of the face's landmark extent about its centre
RING_POINTS = 40
GRID_STEP = 4  # px between spline evaluations; bilinear upsampling in between
# Spline regularisation (px^2). FaceMesh puts some landmarks within a pixel of each other (the face outline,
# a closed mouth); an exact spline through them overshoots into swirls, a lightly smoothed one does not.
SMOOTHING = 1.0
MOTION_GAIN = 1.6  # the ICT shapes' motion on the photo's landmarks at alpha 1: ICT's shapes are milder than a photo's expression


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


class EmbeddedEditor:
    """The default editor: ICT expression shapes carried onto FaceMesh landmarks, then a smooth warp."""

    name = "embedded"
    model_id = "embedded"

    def __init__(self, arg: str | None = None, *, device: str = "auto", dtype: str = "auto", offload: str = "none"):
        if arg:
            raise UsageError(f"--model embedded takes no argument (got {arg!r})")
        if offload != "none":
            raise UsageError("--offload applies to --model pixelsmile only")
        from fxcli.edit import assets
        from fxcli.edit.expression_fit import ExpressionFit
        from fxcli.edit.facemesh_correspondence import CORRESPONDENCE_FILE
        from fxcli.edit.shading_ratio import FaceShading

        arrays = assets.load()  # derived once from the ICT head, cached (fxcli/edit/assets.py)
        self.shape_names = tuple(str(n) for n in arrays["shape_names"])
        self.index = arrays["index"]  # (468,)
        self.neutral = arrays["neutral"]  # (468, 3) cm
        self.deltas = arrays["deltas"]  # expression shapes at the landmark vertices only: (53, 468, 3)
        self.mapping = arrays["mapping"]  # (52, 53): ICT weights = ARKit weights @ mapping
        rig_hash = str(arrays["model_hash"])
        digest = hashlib.sha256(CORRESPONDENCE_FILE.read_bytes() + rig_hash.encode()).hexdigest()
        self.model_hash = digest[:16]
        self._weights: dict[str, np.ndarray] = {}
        self.last_note: str | None = None  # set by edit() when the motion had to be limited
        self.smile_shapes = (self.shape_names.index("mouthSmile_L"), self.shape_names.index("mouthSmile_R"))
        self._fit = ExpressionFit.from_state({k[4:]: v for k, v in arrays.items() if k.startswith("fit_")},
                                             self.shape_names)
        self._shading = FaceShading.from_state({k[6:]: v for k, v in arrays.items() if k.startswith("shade_")})
        self._source_cache: dict[bytes, np.ndarray] = {}

    @property
    def rig(self):
        """The whole ICT head (loaded on first use; the edit itself needs only the cached arrays)."""
        from fxcli.rigs.ict_rig import IctRig

        return IctRig.load()

    @property
    def fitter(self):
        """The landmark -> ICT expression estimator (fxcli/edit/expression_fit.py)."""
        return self._fit

    def to_ict(self, arkit: np.ndarray) -> np.ndarray:
        """ICT shape weights (53,) of ARKit-52 weights (52,)."""
        return np.asarray(arkit, np.float64) @ self.mapping

    def source_expression(self, face) -> np.ndarray:
        """ICT weights (53,) of the photo's own expression that an edit takes away (cached per face)."""
        key = hashlib.sha1(np.ascontiguousarray(face.landmarks, np.float32).tobytes()).digest()
        if key not in self._source_cache:
            if len(self._source_cache) > 64:
                self._source_cache.clear()
            self._source_cache[key] = self.fitter.removal(self.fitter.fit(face.landmarks))
        return self._source_cache[key]

    # -- expression -> landmark displacements ---------------------------------------------------------

    def expression_weights(self, expression: str) -> np.ndarray:
        """ARKit-52 weights of a library name, synonym or description (mixture of the nearest entries)."""
        if expression not in self._weights:
            from fxcli.edit.au_emphasis import emphasised
            from fxcli.expressions.library import load_library
            from fxcli.expressions.resolve import resolve_expression

            lib = load_library()
            mixture = resolve_expression(expression).mixture()
            self._weights[expression] = sum(w * emphasised(n, lib.by_name[n].weights) for n, w in mixture)
        return self._weights[expression]

    def landmark_displacements(self, terms: list[tuple[str, float]]) -> np.ndarray:
        """(468, 3) displacement of each landmark on the ICT head (cm) for sum_k alpha_k * expression_k."""
        weights = sum(a * self.expression_weights(n) for n, a in terms)  # (52,)
        ict = self.to_ict(weights)  # (53,)
        return np.tensordot(ict, self.deltas, axes=1)  # (468, 3)

    def source_smile(self, face, scale: float, rot: np.ndarray, shift: np.ndarray) -> np.ndarray:
        """ICT smile weights (2,) for (mouthSmile_L, mouthSmile_R) that best explain the photo's lips."""
        from scipy.optimize import lsq_linear

        lips = list(SMILE_FIT_LANDMARKS)
        in_ict = ((face.landmarks.astype(np.float64) - shift) @ rot / scale) @ FLIP  # (468, 3) ICT cm
        residual = (in_ict - self.neutral)[lips, :2]  # x, y only: FaceMesh depth is the least reliable
        basis = self.deltas[list(self.smile_shapes)][:, lips, :2].reshape(2, -1).T.astype(np.float64)
        return lsq_linear(basis, residual.ravel(), bounds=(0.0, 1.0)).x

    def ict_change(self, face, terms: list[tuple[str, float]]) -> tuple[np.ndarray, np.ndarray]:
        """(photo's expression, edited expression) as ICT weights (53,) each, on the ICT head.

        The photo's own mouth expression (fxcli/edit/expression_fit.py) is taken away as alpha goes
        0 -> 1, except for shapes the target itself uses (those it adds to)."""
        target = self.to_ict(sum(a * self.expression_weights(n) for n, a in terms))
        total = float(np.clip(sum(a for _, a in terms), 0.0, 1.0))
        source = np.zeros_like(target)
        if total > 0:
            source = np.where(np.abs(target) > 1e-6, 0.0, self.source_expression(face))
        return source, source * (1.0 - total) + target

    def pose(self, face) -> tuple[float, np.ndarray, np.ndarray]:
        """Similarity (scale, rotation, shift) carrying ICT's landmark vertices (image-flipped) onto the face."""
        return umeyama(self.neutral @ FLIP, face.landmarks.astype(np.float64))

    def image_displacements(self, face, terms: list[tuple[str, float]]) -> np.ndarray:
        """(468, 2) pixel displacement of the detected face's landmarks."""
        scale, rot, _ = self.pose(face)
        before, after = self.ict_change(face, terms)
        delta = np.tensordot(after - before, self.deltas, axes=1)  # (468, 3) ICT cm
        moved = MOTION_GAIN * scale * (delta @ FLIP) @ rot.T  # (468, 3) image units
        from fxcli.edit.au_regions import brow_gain, eyelid_motion

        weights = sum(a * self.expression_weights(n) for n, a in terms)
        xy = face.landmarks[:, :2].astype(np.float64)
        return brow_gain(xy, moved[:, :2]) + eyelid_motion(xy, np.asarray(weights, np.float64))

    def shading_ratio(self, shape: tuple[int, ...], face, terms: list[tuple[str, float]]) -> np.ndarray:
        """H x W multiplier carrying the expression's creases and folds onto the output (1 where none)."""
        # the target's own creases only: the shading the photo's expression had is left as it is (relaxing it
        # from ICT's generic head would lighten the wrong places on a person's face)
        target = self.to_ict(sum(a * self.expression_weights(n) for n, a in terms))
        return self._shading.ratio_image(shape, np.zeros_like(target), target, *self.pose(face))

    # -- warping --------------------------------------------------------------------------------------

    def map_point(self, shape: tuple[int, ...], xy: np.ndarray) -> np.ndarray:
        return np.asarray(xy, np.float64)  # the warp keeps the frame

    def edit(self, image: np.ndarray, terms: list[tuple[str, float]], *, seed: int, face) -> np.ndarray:
        """The photo with the face moved toward the expression terms (RGB uint8, same size)."""
        if face is None:
            raise UsageError("the embedded editor needs a detected face")
        src = face.landmarks[:, :2].astype(np.float64)  # (468, 2)
        rigid = self.rigid_parts(image, face)

        def motion(share: float) -> tuple[np.ndarray, np.ndarray]:
            return self.protect_rigid(image, face, self.image_displacements(face, [(n, a * share) for n, a in terms]),
                                      rigid)

        moves, still = motion(1.0)
        self.last_note = None
        self.last_dst = src  # the landmarks' positions in the output (read by tests and tools)
        if np.abs(moves).max() < 1e-3:
            return image.copy()
        # The limit of extrapolation: the warp must stay one-to-one (no fold, no tear) outside the mouth
        # opening, which is painted over. Past that, the expression's intensity is lowered: down a ladder of
        # shares of the request (1, 0.8, 0.64, ...) to the first fold-free one, then refined by bisection
        # toward the rung above (REFINE steps). The share applies to alpha, not to the motion: an edit at
        # alpha past the limit is the edit at the limit, so a sweep rises up to it and stays there instead of
        # falling back (the photo's own expression, taken away in full from alpha 1 on, would otherwise be
        # scaled back together with the target's motion). A ladder rather than a bisection from the start:
        # small folds between landmarks a pixel apart can come and go along the way, and the ladder takes
        # the highest fold-free share it meets.
        def fold_free(share: float):
            moved, _ = motion(share) if share < 1.0 else (moves, still)
            dst = src + moved
            maps = backward_map(image.shape, src, dst, still)
            return (None if folds(*maps, mouth_opening(image.shape, dst)) else maps), dst

        scale, rung_above = 1.0, 1.0
        for _ in range(MAX_BACKOFF):
            maps, dst = fold_free(scale)
            if maps is not None:
                break
            rung_above, scale = scale, scale * BACKOFF
        if maps is None:  # nothing one-to-one was found: leave the face as it is
            scale, dst = 0.0, src
            maps = backward_map(image.shape, src, dst, still)
        elif scale < 1.0:
            low, high = scale, rung_above
            for _ in range(REFINE):
                mid = (low + high) / 2
                found, mid_dst = fold_free(mid)
                if found is None:
                    high = mid
                else:
                    low, maps, dst = mid, found, mid_dst
            scale = low
        map_x, map_y = maps
        self.last_dst = dst
        if scale < 1.0:
            self.last_note = f"motion limited to {scale:.2f} of the request to keep the warp fold-free"
        import cv2

        out = cv2.remap(image, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        out = self.apply_shading(out, face, [(n, a * scale) for n, a in terms], dst)
        from fxcli.edit.eye_opening import reveal_eyes

        return fill_mouth(reveal_eyes(out, image, src, dst), image, src, dst)

    def rigid_parts(self, image: np.ndarray, face) -> tuple[np.ndarray, np.ndarray] | None:
        """(landmarks kept still, extra still points (N, 2)) when the face wears glasses, else None."""
        from fxcli.edit.rigid_parts import eye_band_landmarks, eye_band_points, has_glasses

        if not has_glasses(image, face.landmarks):
            return None
        return eye_band_landmarks(face.landmarks), eye_band_points(image, face.landmarks)

    def protect_rigid(self, image: np.ndarray, face, moves: np.ndarray,
                      rigid: tuple[np.ndarray, np.ndarray] | None | bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(landmark motion, extra still points (N, 2)): with glasses on, the eye band stays as it is.

        `rigid`: rigid_parts' answer when already known (True: find it here)."""
        if rigid is True:
            rigid = self.rigid_parts(image, face)
        if rigid is None or rigid is False:
            return moves, np.zeros((0, 2))
        moves = moves.copy()
        moves[rigid[0]] = 0.0
        return moves, rigid[1]

    def apply_shading(self, out: np.ndarray, face, terms: list[tuple[str, float]], dst: np.ndarray) -> np.ndarray:
        """The output multiplied by the expression-ratio image on the skin (not the eyes or mouth opening)."""
        ratio = self.shading_ratio(out.shape, face, terms)
        if np.all(ratio == 1.0):
            return out
        weight = skin_mask(out.shape, dst)
        gain = 1.0 + (ratio - 1.0) * weight
        return np.clip(out.astype(np.float32) * gain[..., None] + 0.5, 0, 255).astype(np.uint8)


def skin_mask(shape: tuple[int, ...], dst: np.ndarray) -> np.ndarray:
    """H x W float32 in 0..1: the face inside its outline, less the eyes and the mouth opening, feathered."""
    import cv2

    from fxcli.edit.au_regions import EYES

    h, w = shape[:2]
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(dst[list(FACE_OVAL)]).astype(np.int32)], 255)
    for corners, upper, lower in EYES.values():
        eye = np.vstack([dst[[corners[0]]], dst[list(upper)], dst[[corners[1]]], dst[list(lower)[::-1]]])
        cv2.fillPoly(mask, [np.round(eye).astype(np.int32)], 0)
    inner = np.vstack([dst[list(UPPER_INNER_LIP)], dst[list(LOWER_INNER_LIP)[-2:0:-1]]])
    cv2.fillPoly(mask, [np.round(inner).astype(np.int32)], 0)
    iod = float(np.linalg.norm(dst[33] - dst[263]))
    return cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), max(1.0, 0.03 * iod))


def jacobian_det(map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """Determinant of the backward map's Jacobian at every pixel (<= 0 where the warp folds over)."""
    return (np.gradient(map_x, axis=1) * np.gradient(map_y, axis=0)
            - np.gradient(map_x, axis=0) * np.gradient(map_y, axis=1))


def folds(map_x: np.ndarray, map_y: np.ndarray, ignore: np.ndarray) -> bool:
    det = jacobian_det(map_x, map_y)
    return bool((det[~ignore] < MIN_JACOBIAN).any())


def _coarse_field(shape: tuple[int, ...], centres: np.ndarray, values: np.ndarray, pinned: np.ndarray,
                  still: np.ndarray, step: int = GRID_STEP):
    """The smoothing thin-plate spline through `values` (N, 2) at `centres` (the landmarks) and 0 at `pinned`,
    on a grid `step` px apart over the still ring's box, 0 outside the ring's ellipse.

    Returns (field (Ny, Nx, 2) float32, inside (Ny, Nx) bool, gx, gy) or None when the box is empty."""
    from fxcli.edit.tps import ThinPlateSpline

    h, w = shape[:2]
    x0, y0 = np.floor(np.maximum(still.min(0), 0)).astype(int)
    x1, y1 = np.ceil(np.minimum(still.max(0), [w - 1, h - 1])).astype(int)
    if x1 <= x0 or y1 <= y0:
        return None
    smoothing = np.full(len(centres) + len(pinned), SMOOTHING)
    smoothing[list(FACE_OVAL)] = OVAL_SMOOTHING
    spline = ThinPlateSpline(np.vstack([centres, pinned]), np.vstack([values, np.zeros_like(pinned)]), smoothing)
    gx = np.arange(x0, x1 + step, step, dtype=np.float64)
    gy = np.arange(y0, y1 + step, step, dtype=np.float64)
    grid = np.stack(np.meshgrid(gx, gy), -1).reshape(-1, 2)  # (Ny*Nx, 2)
    # inside the ring only: outside it the spline would extrapolate, and the photo must stay still
    cx, cy = (still.min(0) + still.max(0)) / 2
    rx, ry = (still.max(0) - still.min(0)) / 2
    inside = ((grid[:, 0] - cx) / rx) ** 2 + ((grid[:, 1] - cy) / ry) ** 2 <= 1.0
    field = np.zeros((len(grid), 2), np.float32)
    field[inside] = spline(grid[inside])
    return field.reshape(len(gy), len(gx), 2), inside.reshape(len(gy), len(gx)), gx, gy


def backward_map(shape: tuple[int, ...], src: np.ndarray, dst: np.ndarray,
                 extra_still: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For every output pixel, the source position it takes its colour from: (map_x, map_y) float32 H x W.

    `extra_still` (N, 2): further points that must not move (a rigid object's outline)."""
    import cv2

    h, w = shape[:2]
    still = ring(src)
    pinned = still if extra_still is None or not len(extra_still) else np.vstack([still, extra_still])
    map_x, map_y = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    # the backward map is defined on output positions: output pos + backward = source pos
    found = _coarse_field(shape, dst, src - dst, pinned, still)
    if found is None:
        return map_x, map_y
    coarse, _, gx, gy = found
    x0, y0 = int(gx[0]), int(gy[0])
    span_w, span_h = int(gx[-1] - x0) + 1, int(gy[-1] - y0) + 1
    fine = cv2.resize(coarse, (span_w, span_h), interpolation=cv2.INTER_LINEAR)  # (span_h, span_w, 2)
    bh, bw = min(span_h, h - y0), min(span_w, w - x0)
    map_x[y0:y0 + bh, x0:x0 + bw] += fine[:bh, :bw, 0]
    map_y[y0:y0 + bh, x0:x0 + bw] += fine[:bh, :bw, 1]
    return map_x, map_y
