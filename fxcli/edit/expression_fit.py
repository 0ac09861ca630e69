"""The photo's own expression, estimated from its FaceMesh landmarks in ICT shape weights.

The detected face's 468 landmarks are brought into the ICT head's frame by a similarity transform fitted
on landmarks that expressions hardly move (nose bridge, forehead, temples, eye corners), so an open jaw or
a smile does not tilt the fit. What remains, landmark minus ICT neutral, is explained by the ICT expression
shapes at the landmark vertices (fxcli/edit/facemesh_correspondence.py): bounded least squares (weights in
0..1, box_qp) with a small ridge penalty, on x and y only (FaceMesh's depth is its least reliable output).

People's faces differ from ICT's generic head, and a face's shape must not be taken for an expression:
the fit also has ICT's first N_IDENTITY identity modes (PCA, prior N(0, 1): ridge ID_RIDGE), unbounded.
Only shapes that move the landmarks visibly are fitted (FITTED; gaze, sideways jaw/mouth and cheek puff are
not). Of the estimate only the mouth, jaw, cheek and nose part is taken away (REMOVED): on real photos the
brow and lid landmarks sit systematically off ICT's (FaceMesh puts them on the brow's upper edge and the lid
margin, ICT's generic head has lower brows and narrower eyes), so brow and eye weights are mostly the
person's anatomy. The estimate is shrunk toward zero by DEAD_ZONE:
`removal(w) = max(w - DEAD_ZONE, 0) / (1 - DEAD_ZONE)`; a full smile (0.8+) is still removed almost fully.
"""

from __future__ import annotations

import numpy as np

FLIP = np.diag([1.0, -1.0, -1.0])  # ICT: y up, face toward +z; image: y down, nearer = -z
FITTED = ("browDown_L", "browDown_R", "browInnerUp_L", "browInnerUp_R", "browOuterUp_L", "browOuterUp_R",
          "cheekSquint_L", "cheekSquint_R", "eyeBlink_L", "eyeBlink_R", "eyeSquint_L", "eyeSquint_R",
          "eyeWide_L", "eyeWide_R", "jawOpen", "mouthClose", "mouthDimple_L", "mouthDimple_R", "mouthFrown_L",
          "mouthFrown_R", "mouthFunnel", "mouthLowerDown_L", "mouthLowerDown_R", "mouthPress_L", "mouthPress_R",
          "mouthPucker", "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper", "mouthSmile_L",
          "mouthSmile_R", "mouthStretch_L", "mouthStretch_R", "mouthUpperUp_L", "mouthUpperUp_R", "noseSneer_L",
          "noseSneer_R")
# landmarks that expressions hardly move: the alignment's anchors (forehead, nose bridge, temples,
# outer eye corners, upper face outline)
STABLE = (10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1, 33, 133, 263, 362, 127, 356, 234, 454, 162, 389, 21, 251,
          54, 284, 103, 332, 67, 297, 109, 338, 71, 301, 139, 368)
REMOVED = ("cheekSquint_L", "cheekSquint_R", "jawOpen", "mouthDimple_L", "mouthDimple_R", "mouthFrown_L",
           "mouthFrown_R", "mouthLowerDown_L", "mouthLowerDown_R", "mouthSmile_L", "mouthSmile_R", "mouthStretch_L",
           "mouthStretch_R", "mouthUpperUp_L", "mouthUpperUp_R", "noseSneer_L", "noseSneer_R")
RIDGE = 0.02  # cm^2 per unit weight^2
N_IDENTITY = 60
ID_RIDGE = 0.01
DEAD_ZONE = 0.15


def umeyama2(src: np.ndarray, dst: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Scale s, rotation R (3x3, det +1) and translation t minimising |dst - (s R src + t)|^2."""
    mu_s, mu_d = src.mean(0), dst.mean(0)
    a, b = src - mu_s, dst - mu_d
    u, sig, vt = np.linalg.svd(b.T @ a / len(src))
    d = np.eye(3)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[2, 2] = -1.0
    rot = u @ d @ vt
    scale = float(np.trace(np.diag(sig) @ d) / (a ** 2).sum(1).mean())
    return scale, rot, mu_d - scale * rot @ mu_s


def box_qp(q: np.ndarray, c: np.ndarray, max_steps: int | None = None) -> np.ndarray:
    """argmin over 0 <= e <= 1 of e^T q e / 2 - c^T e (q positive definite): the primal active-set method,
    exact in finitely many steps. Each step solves the problem with the bounds in the working set held and
    moves toward its minimum until a new bound blocks it; at a minimum with a bound whose multiplier has the
    wrong sign, that bound is released. (A cyclic coordinate descent took up to 300 sweeps of Python loops,
    ~18 ms per face; this takes well under 1 ms.)"""
    q = np.asarray(q, np.float64)
    c = np.asarray(c, np.float64)
    n = len(c)
    # start from the unbounded minimum clipped into the box (feasible), its clipped weights held
    e = np.clip(np.linalg.solve(q, c), 0.0, 1.0)
    held = (e <= 0.0) | (e >= 1.0)
    for _ in range(max_steps or 8 * n + 8):
        free = ~held
        target = e.copy()
        if free.any():
            rhs = c[free] - q[np.ix_(free, held)] @ e[held]
            target[free] = np.linalg.solve(q[np.ix_(free, free)], rhs)
        move = target - e
        if np.abs(move).max() <= 1e-13:
            grad = q @ e - c  # KKT: at 0 the gradient must be >= 0, at 1 <= 0
            wrong = np.where(held, np.where(e <= 0.0, -grad, grad), 0.0)
            worst = int(np.argmax(wrong))
            if wrong[worst] <= 1e-12:
                return e
            held[worst] = False
            continue
        # the longest step toward the target that stays within the box
        with np.errstate(divide="ignore", invalid="ignore"):
            room = np.where(move < 0, -e / move, np.where(move > 0, (1.0 - e) / move, np.inf))
        room[held] = np.inf
        block = int(np.argmin(room))
        step = min(1.0, float(room[block]))
        e = np.clip(e + step * move, 0.0, 1.0)
        if step < 1.0:
            e[block] = 0.0 if move[block] < 0 else 1.0
            held[block] = True
    return e


class ExpressionFit:
    """Fits ICT shape weights to landmarks; built once from the ICT neutral and shapes at the landmarks."""

    def __init__(self, neutral: np.ndarray, deltas: np.ndarray, shape_names: tuple[str, ...],
                 identity: np.ndarray | None = None):
        """`identity`: (M, 468, 3) identity modes at the landmarks (None: expression shapes only)."""
        self.neutral = np.asarray(neutral, np.float64)  # (468, 3) ICT cm
        self.deltas = np.asarray(deltas, np.float64)  # (53, 468, 3)
        self.shape_names = shape_names
        self.fitted = np.array([shape_names.index(n) for n in FITTED])
        self.removed = np.array([shape_names.index(n) for n in REMOVED])
        k = len(self.fitted)
        ident = np.zeros((0, 468, 3)) if identity is None else np.asarray(identity, np.float64)
        m = len(ident)
        # normal equations of |B [id; e] - r|^2 + ID_RIDGE |id|^2 + RIDGE |e|^2 with the identity part
        # (unbounded) solved in closed form: a 38-weight bounded least squares remains (fast and exact)
        basis_i = ident[:, :, :2].reshape(m, -1).T  # (936, m)
        basis_e = self.deltas[self.fitted][:, :, :2].reshape(k, -1).T  # (936, k)
        g_ii = basis_i.T @ basis_i + ID_RIDGE * np.eye(m)
        g_ie = basis_i.T @ basis_e
        g_ee = basis_e.T @ basis_e + RIDGE * np.eye(k)
        solve_i = np.linalg.solve(g_ii, np.eye(m)) if m else np.zeros((0, 0))
        q = g_ee - g_ie.T @ solve_i @ g_ie  # (k, k) positive definite
        self._chol = np.linalg.cholesky(q)  # q = L L^T
        # c(r) = (basis_e^T - g_ei g_ii^-1 basis_i^T) r ; the reduced problem: min |L^T e - L^-1 c|^2
        self._project = np.linalg.solve(self._chol, basis_e.T - g_ie.T @ solve_i @ basis_i.T)  # (k, 936)
        self._q = q

    def state(self) -> dict[str, np.ndarray]:
        """The arrays that define this fit (fxcli/edit/assets.py caches them)."""
        return {"neutral": self.neutral, "deltas": self.deltas.astype(np.float32), "chol": self._chol,
                "project": self._project, "q": self._q}

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray], shape_names: tuple[str, ...]) -> ExpressionFit:
        """The fit rebuilt from `state()` without solving anything."""
        fit = cls.__new__(cls)
        fit.neutral = np.asarray(state["neutral"], np.float64)
        fit.deltas = np.asarray(state["deltas"], np.float64)
        fit.shape_names = shape_names
        fit.fitted = np.array([shape_names.index(n) for n in FITTED])
        fit.removed = np.array([shape_names.index(n) for n in REMOVED])
        fit._chol, fit._project, fit._q = (np.asarray(state[k], np.float64) for k in ("chol", "project", "q"))
        return fit

    def to_ict(self, landmarks: np.ndarray) -> np.ndarray:
        """Image landmarks (468, 3) brought into the ICT head's frame (cm) by the stable-point similarity."""
        stable = list(STABLE)
        lm = np.asarray(landmarks, np.float64)
        scale, rot, shift = umeyama2(lm[stable], self.neutral[stable] @ FLIP)
        return ((scale * lm @ rot.T) + shift) @ FLIP

    def fit(self, landmarks: np.ndarray) -> np.ndarray:
        """ICT weights (53,) in 0..1 that best explain the landmarks' departure from the ICT neutral."""
        residual = (self.to_ict(landmarks) - self.neutral)[:, :2].ravel()
        w = np.zeros(len(self.shape_names))
        w[self.fitted] = box_qp(self._q, self._chol @ (self._project @ residual))
        return w

    def removal(self, weights: np.ndarray) -> np.ndarray:
        """The part of an estimate (53,) taken away before the target is added (see the module doc)."""
        out = np.zeros(len(self.shape_names))
        w = np.asarray(weights, np.float64)[self.removed]
        out[self.removed] = np.maximum(w - DEAD_ZONE, 0.0) / (1.0 - DEAD_ZONE)
        return out
