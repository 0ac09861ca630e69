"""Fit the ICT head to FaceMesh landmarks: identity, ARKit-52 expression and head pose.

The model: each of FaceMesh's 468 landmarks sits on one ICT vertex (fxcli/assets/ict_facemesh), whose
position is

    X = neutral + identity_deltas @ identity + arkit_deltas @ arkit          (cm, y up, face toward +z)

and the landmarks (x, y image pixels, y down; z on the pixel scale, negative = nearer) are a scaled,
rotated and translated copy of it (weak perspective):

    L = scale * F @ R @ X + t,   F = diag(1, -1, -1)   (model axes -> image axes)

R is the head rotation in the convention of a track's `pose` (axis-angle, radians, about the model's
axes: `fxcli.rigs.mesh.posed`), so a fitted rotation can be written straight into a track.

Alternating least squares, a few rounds of:
  1. pose: scale, R, t by Umeyama's closed-form similarity between the current model points and L;
  2. identity: linear least squares with a Gaussian prior (the modes are PCA modes with unit variance);
  3. expression: bounded least squares (`scipy.optimize.lsq_linear`, box [0, 1]) with a small L2 prior
     and an optional pull toward a previous frame's weights (temporal prior).
Landmark z is down-weighted (FaceMesh's depth is a guess) and silhouette landmarks, which slide over the
surface as the head turns, count less than interior ones.

FaceMesh does not put every landmark exactly on its ICT vertex (eyelid and lip landmarks sit a few
millimetres off). `fxcli/assets/ict_fit/landmark_offset.npz` holds that systematic offset in model space,
measured on renders of the ICT head with known identity, expression and pose (`python3 -m
fxcli.face.ict_fit`); it is added to the model's landmark positions, so a neutral face fits as neutral.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from fxcli.assets import asset_path
from fxcli.tracks.channels import ARKIT52

N_LANDMARKS = 468
Z_WEIGHT = 0.4  # FaceMesh depth is inferred from one picture; x, y are what it sees
CONTOUR_WEIGHT = 0.5  # landmarks on the face outline slide over the surface as the head turns
IDENTITY_PRIOR_CM = 0.15  # assumed landmark noise (cm) against the unit-variance identity prior
EXPRESSION_PRIOR = 0.002  # L2 pull of the expression weights toward 0 (model units: cm^2 per unit weight^2)
# FaceMesh's 468 landmarks have no iris: gaze shows only through the lids' small shift, which an eyelid
# landmark offset mimics, so the eyeLook channels are held near 0 unless the lids clearly say otherwise
GAZE_PRIOR = 0.05
ROUNDS = 6
# eye corners (FaceMesh indices) for the inter-ocular distance: subject's right eye 33/133, left 362/263
RIGHT_EYE = (33, 133)
LEFT_EYE = (362, 263)
# FaceMesh's face oval (silhouette) landmarks
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
             148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
FLIP = np.diag([1.0, -1.0, -1.0])
OFFSET_FILE = asset_path("ict_fit", "landmark_offset.npz")


@dataclass
class IctFit:
    """The fitted head: what `fit_face` returns."""

    identity: np.ndarray  # (100,) ICT identity coefficients (N(0, 1) prior)
    arkit: np.ndarray  # (52,) weights in [0, 1], ordered as fxcli.tracks.channels.ARKIT52
    rotation: np.ndarray  # (3,) axis-angle radians, a track's `pose` convention
    scale: float  # image px per cm
    translation: np.ndarray  # (2,) image px of the model origin
    residual_px: float  # RMS 2D landmark residual (px)
    residual_iod: float  # residual_px / inter-ocular distance


@dataclass(frozen=True)
class _Basis:
    neutral: np.ndarray  # (468, 3) float64
    identity: np.ndarray  # (100, 468, 3)
    arkit: np.ndarray  # (52, 468, 3)
    observable: np.ndarray  # (52,) bool: channels that move at least one landmark
    weights: np.ndarray  # (468, 3) per-coordinate fit weights (image axes)
    prior: np.ndarray  # (52,) L2 prior weight of each channel


@functools.lru_cache(maxsize=1)
def landmark_basis() -> _Basis:
    """The ICT model restricted to the 468 landmark vertices (cached per process)."""
    from fxcli.edit.facemesh_correspondence import load_correspondence
    from fxcli.rigs.ict_rig import N_IDENTITY, IctRig

    rig = IctRig.load()
    index = load_correspondence()
    neutral = rig.neutral[index].astype(np.float64)
    if OFFSET_FILE.is_file():
        with np.load(OFFSET_FILE) as z:
            neutral = neutral + z["offset_cm"].astype(np.float64)
    identity = rig._identity_f16.reshape(N_IDENTITY, rig.n_vertices, 3)[:, index].astype(np.float64)
    ict = rig.expression_deltas.reshape(-1, rig.n_vertices, 3)[:, index].astype(np.float64)  # (53, 468, 3)
    arkit = np.einsum("ak,kvd->avd", rig.mapping.astype(np.float64), ict)
    observable = np.abs(arkit).reshape(len(ARKIT52), -1).max(1) > 1e-4
    prior = np.array([GAZE_PRIOR if n.startswith("eyeLook") else EXPRESSION_PRIOR for n in ARKIT52])
    weights = np.ones((N_LANDMARKS, 3))
    weights[:, 2] = Z_WEIGHT
    weights[list(FACE_OVAL)] *= CONTOUR_WEIGHT
    return _Basis(neutral, identity, arkit, observable, weights, prior)


def interocular(landmarks: np.ndarray) -> float:
    """Distance (px) between the two eye centres (mean of each eye's corners)."""
    right = landmarks[list(RIGHT_EYE), :2].mean(0)
    left = landmarks[list(LEFT_EYE), :2].mean(0)
    return float(np.linalg.norm(left - right))


def umeyama(source: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None
            ) -> tuple[float, np.ndarray, np.ndarray]:
    """Similarity (s, R, t) minimising sum w_i |s R x_i + t - y_i|^2 (Umeyama 1991), R proper."""
    w = np.ones(len(source)) if weights is None else np.asarray(weights, np.float64)
    w = w / w.sum()
    mu_x, mu_y = w @ source, w @ target
    xs, ys = source - mu_x, target - mu_y
    cov = (ys * w[:, None]).T @ xs
    u, d, vt = np.linalg.svd(cov)
    sign = np.ones(3)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[-1] = -1
    r = u @ np.diag(sign) @ vt
    var_x = float(w @ (xs ** 2).sum(1))
    s = float((d * sign).sum() / var_x)
    return s, r, mu_y - s * r @ mu_x


def rotation_to_axis_angle(r: np.ndarray) -> np.ndarray:
    """Axis-angle (3,) of a rotation matrix (inverse of fxcli.rigs.mesh.rodrigues)."""
    from scipy.spatial.transform import Rotation

    return Rotation.from_matrix(r).as_rotvec()


def fit_face(landmarks: np.ndarray, *, identity: np.ndarray | None = None, fit_identity: bool = True,
             expression: bool = True, previous: np.ndarray | None = None,
             temporal: float = 0.0, prior: np.ndarray | None = None) -> IctFit:
    """Fit identity, ARKit-52 expression and head pose to FaceMesh landmarks (468, 3) in image pixels.

    `identity` starts from (or, with fit_identity=False, fixes) the identity coefficients; with
    expression=False the expression stays neutral. `previous` (52,) and `temporal` add a pull toward a
    previous frame's weights (for video). `prior` (52,) or (52, 52) replaces the per-channel L2 weights
    (a matrix is a quadratic form, e.g. one that also penalises antagonistic channels acting together).
    ~0.1-0.2 s per call on one core.
    """
    from fxcli.blas_threads import one_blas_thread

    # small matrices: one BLAS thread is ~4x faster than several contending for a busy CPU
    with one_blas_thread():
        return _fit_face(landmarks, identity=identity, fit_identity=fit_identity, expression=expression,
                         previous=previous, temporal=temporal, prior=prior)


def _fit_face(landmarks: np.ndarray, *, identity: np.ndarray | None, fit_identity: bool, expression: bool,
              previous: np.ndarray | None, temporal: float, prior: np.ndarray | None = None) -> IctFit:
    from scipy.optimize import lsq_linear

    from fxcli.errors import InvalidInputError

    target = np.asarray(landmarks, np.float64)
    if target.shape != (N_LANDMARKS, 3) or not np.isfinite(target).all():
        raise InvalidInputError(f"landmarks must be a finite {N_LANDMARKS} x 3 array, got shape {target.shape}")
    basis = landmark_basis()
    channel_prior = basis.prior if prior is None else np.asarray(prior, np.float64)
    n_id = basis.identity.shape[0]
    ident = np.zeros(n_id) if identity is None else np.asarray(identity, np.float64).copy()
    if ident.shape != (n_id,):
        raise InvalidInputError(f"identity must have {n_id} coefficients, got shape {ident.shape}")
    arkit = np.zeros(len(ARKIT52))
    prev = None if previous is None else np.clip(np.asarray(previous, np.float64), 0, 1)
    sw = np.sqrt(basis.weights).reshape(-1)  # (1404,)
    point_w = basis.weights[:, 0]
    obs = np.flatnonzero(basis.observable)

    def model(ident: np.ndarray, arkit: np.ndarray) -> np.ndarray:
        return basis.neutral + np.tensordot(ident, basis.identity, 1) + np.tensordot(arkit, basis.arkit, 1)

    def pose_fit(points: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        s, r_img, t = umeyama(points, target, point_w)
        return s, FLIP @ r_img, t  # image rotation = F R

    def design(deltas: np.ndarray, s: float, r: np.ndarray) -> np.ndarray:
        """Columns: each delta field (K, 468, 3) seen in the image (weighted), (1404, K), in cm."""
        seen = np.einsum("kvd,ed->kve", deltas, FLIP @ r)  # scale applied to the residual instead
        return (seen.reshape(len(deltas), -1) * sw).T

    from fxcli.rigs.mesh import rodrigues

    s, r, t = pose_fit(model(ident, arkit))
    n_obs = len(obs)
    for _ in range(ROUNDS if (fit_identity or expression) else 0):
        def residual(ident: np.ndarray, arkit: np.ndarray, s=s, r=r, t=t) -> np.ndarray:
            """Weighted residual in model units (cm), image axes: (L - t)/s - F R X."""
            seen = model(ident, arkit) @ (FLIP @ r).T
            return (((target - t) / s) - seen).reshape(-1) * sw

        if fit_identity:
            a = design(basis.identity, s, r)
            b = residual(np.zeros(n_id), arkit)
            ident = np.linalg.solve(a.T @ a + IDENTITY_PRIOR_CM ** 2 * np.eye(n_id), a.T @ b)
        # one Gauss-Newton step on expression and pose together: the pose's 7 increments (rotation
        # omega, log-scale, translation / s) are unbounded columns next to the bounded expression weights
        x = model(ident, np.zeros(len(ARKIT52)))
        fr = FLIP @ r
        seen_x = x @ fr.T  # (468, 3)
        cross = np.zeros((N_LANDMARKS, 3, 3))  # d(F R (X + omega x X)) / d omega = -F R [X]x
        for k in range(3):
            e = np.zeros(3)
            e[k] = 1.0
            cross[:, :, k] = np.cross(e, x) @ fr.T
        pose_cols = np.concatenate([cross.reshape(-1, 3), seen_x.reshape(-1, 1),
                                    np.tile(np.eye(3), (N_LANDMARKS, 1))], axis=1) * sw[:, None]  # (1404, 7)
        cols = [pose_cols]
        if expression:
            cols.insert(0, design(basis.arkit[obs], s, r))
        a = np.concatenate(cols, axis=1)
        b = residual(ident, np.zeros(len(ARKIT52)))  # against the expression-free model, pose increments 0
        m = a.shape[1]
        h = a.T @ a
        g = a.T @ b
        ne = n_obs if expression else 0
        if expression:
            h[:ne, :ne] += (np.diag(channel_prior[obs]) if channel_prior.ndim == 1
                            else channel_prior[np.ix_(obs, obs)])
        if expression and prev is not None and temporal > 0:
            h[:ne, :ne] += temporal * np.eye(ne)
            g[:ne] += temporal * prev[obs]
        lower = np.r_[np.zeros(ne), np.full(7, -np.inf)]
        upper = np.r_[np.ones(ne), np.full(7, np.inf)]
        # the box-bounded problem on the Cholesky factor of the normal equations (58 x 58 instead of
        # 1404 rows: the same minimiser, ~100x less work per solve)
        chol = np.linalg.cholesky(h + 1e-9 * np.eye(m))
        sol = lsq_linear(chol.T, np.linalg.solve(chol, g), bounds=(lower, upper), method="bvls").x
        if expression:
            arkit = np.zeros(len(ARKIT52))
            arkit[obs] = np.clip(sol[:ne], 0.0, 1.0)  # bvls can land 1e-17 outside its box
        omega, dlog_s, dt = sol[ne:ne + 3], sol[ne + 3], sol[ne + 4:]
        r = r @ rodrigues(omega)
        t = t + s * dt
        s = s * (1.0 + dlog_s)
    fitted = s * model(ident, arkit) @ (FLIP @ r).T + t
    residual_px = float(np.sqrt(np.mean(np.sum((fitted[:, :2] - target[:, :2]) ** 2, axis=1))))
    return IctFit(identity=ident.astype(np.float32), arkit=arkit.astype(np.float32),
                  rotation=rotation_to_axis_angle(r).astype(np.float32), scale=float(s),
                  translation=t[:2].astype(np.float32), residual_px=residual_px,
                  residual_iod=residual_px / max(interocular(target), 1e-9))


def project_model(identity: np.ndarray | None, arkit: np.ndarray, rotation: np.ndarray, scale: float,
                  translation: np.ndarray) -> np.ndarray:
    """Landmarks (468, 3) the model predicts for given parameters (the forward model of `fit_face`)."""
    from fxcli.rigs.mesh import rodrigues

    basis = landmark_basis()
    ident = np.zeros(basis.identity.shape[0]) if identity is None else np.asarray(identity, np.float64)
    x = basis.neutral + np.tensordot(ident, basis.identity, 1) + np.tensordot(np.asarray(arkit, np.float64),
                                                                              basis.arkit, 1)
    r = rodrigues(np.asarray(rotation, np.float64))
    out = scale * x @ (FLIP @ r).T
    out[:, :2] += np.asarray(translation, np.float64)
    return out


def fit_identity(landmark_frames: list[np.ndarray] | np.ndarray, rounds: int = 3,
                 prior: np.ndarray | None = None) -> np.ndarray:
    """One identity (100,) shared by several frames of the same face (each with its own pose and
    expression): alternates per-frame fits with the identity fixed and one identity solve over all frames.
    Several frames separate identity from expression far better than one."""
    from fxcli.blas_threads import one_blas_thread

    with one_blas_thread():
        return _fit_identity(landmark_frames, rounds, prior)


def _fit_identity(landmark_frames, rounds: int, prior: np.ndarray | None = None) -> np.ndarray:
    from fxcli.rigs.mesh import rodrigues

    basis = landmark_basis()
    frames = [np.asarray(f, np.float64) for f in landmark_frames]
    n_id = basis.identity.shape[0]
    sw = np.sqrt(basis.weights).reshape(-1)
    ident = _fit_face(frames[0], identity=None, fit_identity=True, expression=False, previous=None,
                      temporal=0.0).identity.astype(np.float64)
    for _ in range(rounds):
        fits = [_fit_face(f, identity=ident, fit_identity=False, expression=True, previous=None, temporal=0.0,
                          prior=prior) for f in frames]
        ata = IDENTITY_PRIOR_CM ** 2 * np.eye(n_id)
        atb = np.zeros(n_id)
        for f, fit in zip(frames, fits, strict=True):
            fr = FLIP @ rodrigues(fit.rotation.astype(np.float64))
            x = basis.neutral + np.tensordot(fit.arkit.astype(np.float64), basis.arkit, 1)
            seen = x @ fr.T
            # translation: the weighted mean offset (z is free), as in the similarity fit
            t = np.average(f - fit.scale * seen - fit.scale * np.tensordot(ident, basis.identity, 1) @ fr.T,
                           axis=0, weights=basis.weights[:, 0])
            a = (np.einsum("kvd,ed->kve", basis.identity, fr).reshape(n_id, -1) * sw).T
            b = (((f - t) / fit.scale) - seen).reshape(-1) * sw
            ata += a.T @ a
            atb += a.T @ b
        ident = np.linalg.solve(ata, atb)
    return ident.astype(np.float32)


CALIBRATION_SIZE = 512


def calibration_renders(seed: int = 0, identities: int = 4, per_identity: int = 4):
    """Yield (landmarks (468, 3) from FaceMesh on a render, identity, arkit, pose) for ICT heads rendered the
    way `fxe render` frames them, with sampled identities, sparse expressions and small head turns."""
    from fxcli.face import detect_faces
    from fxcli.render import Camera, make_renderer
    from fxcli.rigs.ict_rig import IctRig
    from fxcli.rigs.mesh import posed

    rig = IctRig.load()
    camera = Camera.framing(rig.mesh.frame_box, (CALIBRATION_SIZE, CALIBRATION_SIZE))
    renderer = make_renderer(size=(CALIBRATION_SIZE, CALIBRATION_SIZE), backend="auto")
    rng = np.random.default_rng(seed)
    for i in range(identities):
        ident = np.zeros(100, np.float32) if i == 0 else rig.identity_weights(seed * 1000 + i)
        for k in range(per_identity):
            arkit = np.zeros(len(ARKIT52), np.float32)
            if k:
                chosen = rng.choice(len(ARKIT52) - 1, 4, replace=False)
                arkit[chosen] = rng.uniform(0.1, 0.6, 4)
            pose = np.radians(rng.uniform(-8, 8, 3)).astype(np.float32) if k else np.zeros(3, np.float32)
            image = renderer.render(posed(rig.vertices(arkit, ident), rig.mesh.pivot, pose), rig.mesh, camera)
            faces = detect_faces(image)
            if len(faces) == 1:
                yield faces[0].landmarks, ident, arkit, pose


def derive_landmark_offset(seed: int = 0) -> tuple[np.ndarray, int]:
    """Mean model-space offset (468, 3) cm from each landmark's ICT vertex to where FaceMesh puts it."""
    from fxcli.rigs.mesh import rodrigues

    basis = landmark_basis()
    base = basis.neutral.copy()
    if OFFSET_FILE.is_file():  # derive against the bare vertices
        with np.load(OFFSET_FILE) as z:
            base -= z["offset_cm"]
    offsets = []
    for landmarks, ident, arkit, pose in calibration_renders(seed):
        x = base + np.tensordot(ident.astype(np.float64), basis.identity, 1) \
            + np.tensordot(arkit.astype(np.float64), basis.arkit, 1)
        x_posed = x @ rodrigues(pose.astype(np.float64)).T
        # the pose is known: only scale and shift are fitted, so a systematic tilt of FaceMesh's landmarks
        # stays in the offset instead of biasing fitted poses
        seen = x_posed @ FLIP.T
        w = basis.weights[:, 0] / basis.weights[:, 0].sum()
        mu_seen, mu_lm = w @ seen, w @ landmarks.astype(np.float64)
        s = float(np.sum(w[:, None] * (seen - mu_seen) * (landmarks - mu_lm)) / np.sum(w[:, None] * (seen - mu_seen) ** 2))
        back = ((landmarks - (mu_lm - s * mu_seen)) / s) @ FLIP  # image -> posed model axes
        offsets.append(back @ rodrigues(pose.astype(np.float64)) - x)  # -> rest model axes
    return np.mean(offsets, axis=0).astype(np.float32), len(offsets)


def main() -> None:
    from fxcli.io.atomic import atomic_path

    offset, n = derive_landmark_offset()
    OFFSET_FILE.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(OFFSET_FILE) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, offset_cm=offset)
    OFFSET_FILE.chmod(0o644)
    norm = np.linalg.norm(offset, axis=1)
    print(f"{OFFSET_FILE}: {n} renders, offset median {np.median(norm):.3f} cm, max {norm.max():.3f} cm")


if __name__ == "__main__":
    main()
