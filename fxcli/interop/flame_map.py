"""A fitted linear map between ARKit-52 weights (the ICT head's shapes) and FLAME expression + jaw pose.

Neither space is a subset of the other, so the map is fitted on geometry both rigs can show: the 468
FaceMesh-indexed vertices of the ICT head (fxcli/assets/ict_facemesh) and the matching points of the
user's FLAME model (FLAME's licence forbids shipping it, so the map is fitted on first use and cached).

1. Correspondence: the FLAME template (metres -> cm) is put on the ICT neutral head by a similarity
   (scale, rotation, translation) found by trimmed ICP from the nose tips: each round, every ICT landmark
   takes its nearest FLAME vertex (eyeball vertices excluded), then Umeyama's closed form refits the
   similarity on the nearest 90 %. Each landmark then reads FLAME as an inverse-distance blend of its 3
   nearest FLAME vertices.
2. Bases at the landmarks, in ICT's frame and cm: D (1404 x 52) the ARKit shapes' deltas; F (1404 x n+3)
   FLAME's n expression components (one unit each) and the jaw's three axis-angle rotations (central
   differences of the skinned mesh at +-0.05 rad, pose correctives included).
3. Ridge least squares both ways:  ARKit -> FLAME  A = (F'F + l I)^-1 F'D;  FLAME -> ARKit  W = (D'D + l I)^-1 D'F.
   Converting a FLAME track to ARKit solves each frame's weights in [0, 1] (bounded least squares on the
   same normal equations): ARKit weights cannot go negative, and a signed FLAME component often maps to
   one of a left/right pair depending on its sign.

The fit error is the residual landmark motion: for each ARKit shape at weight 1 (resp. each FLAME
component at +1 and the jaw at 0.2 rad), |F A_k - D_k| (resp. |D W_j - F_j|), as a fraction of the
landmark motion itself and as RMS millimetres over the landmarks. eyeLook* move no landmark the fit uses
(the 468 points have no iris) and tongueOut none at all: they map to and from nothing.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fxcli.errors import InvalidInputError, UsageError
from fxcli.tracks import Track
from fxcli.tracks.channels import ARKIT52, FLAME_EXPRESSION

MAP_VERSION = 1
RIDGE = 1e-4  # cm^2 per unit coefficient^2: keeps shapes no landmark sees at 0 and near-collinear pairs tame
JAW_STEP = 0.05  # rad, central-difference step of the jaw rotation
JAW_TYPICAL = 0.2  # rad: the jaw column's size when weighing FLAME -> ARKit errors
ICP_ROUNDS = 40
ICP_KEEP = 0.9  # fraction of correspondences (nearest) kept per ICP round
NEIGHBOURS = 3
JAW = ("jaw0", "jaw1", "jaw2")
DEFAULT_EXPRESSIONS = 50  # CTEG's layout: exp00..exp49 + jaw0..2


@dataclass
class FlameArkitMap:
    arkit_basis: np.ndarray  # D (L*3, 52) cm per unit weight
    flame_basis: np.ndarray  # F (L*3, n+3) cm per unit coefficient / radian
    arkit_to_flame: np.ndarray  # (n+3, 52)
    flame_to_arkit: np.ndarray  # (52, n+3), unbounded
    n_expression: int
    model_sha256: str
    fit: dict  # fit errors and the correspondence's agreement

    @property
    def flame_channels(self) -> list[str]:
        return list(FLAME_EXPRESSION[: self.n_expression]) + list(JAW)

    def summary(self) -> str:
        a, f = self.fit["arkit_to_flame"], self.fit["flame_to_arkit"]
        return (f"FLAME<->ARKit map ({self.n_expression} expression components + jaw, FLAME model "
                f"{self.model_sha256[:12]}): ARKit->FLAME leaves {a['fraction'] * 100:.1f}% of the landmark motion "
                f"({a['rms_mm']:.2f} mm RMS), FLAME->ARKit {f['fraction'] * 100:.1f}% ({f['rms_mm']:.2f} mm); "
                f"meshes agree to {self.fit['correspondence_mm']:.2f} mm after alignment")

    def to_flame(self, track: Track) -> Track:
        if track.space != "arkit52":
            raise UsageError(f"--to flame converts arkit52 tracks, this one is {track.space!r}")
        x = track.as_channels(ARKIT52).astype(np.float64) @ self.arkit_to_flame.T
        meta = dict(track.meta, flame_map=self.meta("arkit52->flame"))
        return Track("flame", self.flame_channels, track.fps, x.astype(np.float32), pose=track.pose,
                     text=track.text, audio=track.audio, meta=meta)

    def to_arkit(self, track: Track) -> Track:
        from scipy.optimize import lsq_linear

        if track.space != "flame":
            raise UsageError(f"--to arkit52 converts flame tracks, this one is {track.space!r}")
        p = track.as_channels(self.flame_channels).astype(np.float64)
        d = self.arkit_basis
        h = d.T @ d + RIDGE * np.eye(d.shape[1])
        chol = np.linalg.cholesky(h)
        g = (d.T @ self.flame_basis) @ p.T  # (52, T)
        rhs = np.linalg.solve(chol, g)
        out = np.stack([lsq_linear(chol.T, rhs[:, k], bounds=(0.0, 1.0), method="bvls").x
                        for k in range(len(p))]) if len(p) else np.zeros((0, 52))
        meta = dict(track.meta, flame_map=self.meta("flame->arkit52"))
        return Track("arkit52", list(ARKIT52), track.fps, np.clip(out, 0, 1).astype(np.float32), pose=track.pose,
                     text=track.text, audio=track.audio, meta=meta)

    def meta(self, direction: str) -> dict:
        return {"direction": direction, "flame_model_sha256": self.model_sha256, "version": MAP_VERSION,
                "fit_error": self.fit}


def expressions_used(track: Track) -> int:
    """How many leading FLAME expression components a flame track uses (the highest expNN + 1)."""
    return max((FLAME_EXPRESSION.index(c) + 1 for c in track.channels if c in FLAME_EXPRESSION), default=0)


def landmark_correspondence(template: np.ndarray, usable: np.ndarray, targets: np.ndarray
                            ) -> tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray, float]:
    """Align a FLAME template to ICT landmark points and read FLAME at each landmark.

    Returns (vertex index (L, k), blend weight (L, k), scale s, rotation R, translation t, RMS distance cm)
    with ICT point ~= s R (cm_per_unit * flame point) + t folded into s (s includes the unit change).
    """
    from scipy.spatial import cKDTree

    from fxcli.face.ict_fit import umeyama

    pool = np.flatnonzero(usable)
    v = template[pool].astype(np.float64)
    unit = 100.0 if np.ptp(v[:, 1]) < 2.0 else 1.0  # FLAME ships metres; the ICT head is in cm
    tree = cKDTree(v)
    s, r = unit, np.eye(3)
    t = targets[np.argmax(targets[:, 2])] - unit * v[np.argmax(v[:, 2])]  # nose tips together
    for _ in range(ICP_ROUNDS):
        back = ((targets - t) / s) @ r  # ICT points in FLAME's frame
        dist, near = tree.query(back)
        keep = np.argsort(dist)[: max(10, int(ICP_KEEP * len(targets)))]
        s_new, r_new, t_new = umeyama(v[near[keep]], targets[keep])
        done = abs(s_new - s) < 1e-9 * s and np.abs(r_new - r).max() < 1e-9 and np.abs(t_new - t).max() < 1e-7
        s, r, t = s_new, r_new, t_new
        if done:
            break
    back = ((targets - t) / s) @ r
    dist, near = tree.query(back, k=NEIGHBOURS)
    w = 1.0 / (dist + 1e-6 * max(np.ptp(v), 1e-9))
    w /= w.sum(1, keepdims=True)
    blended = np.einsum("lk,lkd->ld", w, v[near])
    rms = float(np.sqrt(np.mean(np.sum((s * blended @ r.T + t - targets) ** 2, axis=1))))
    return pool[near], w, s, r, t, rms


def fit_map(rig, n_expression: int, model_sha256: str = "") -> FlameArkitMap:
    """Fit the map for a loaded FlameRig using its first `n_expression` expression components."""
    from fxcli.edit.facemesh_correspondence import load_correspondence
    from fxcli.face.ict_fit import landmark_basis
    from fxcli.rigs.ict_rig import IctRig

    if not 1 <= n_expression <= rig.n_expression:
        raise InvalidInputError(f"the FLAME model has {rig.n_expression} expression components, "
                                f"{n_expression} were asked for")
    ict = IctRig.load()
    targets = ict.neutral[load_correspondence()].astype(np.float64)  # (468, 3) cm
    d = landmark_basis().arkit.reshape(len(ARKIT52), -1).T  # (1404, 52) cm
    usable = ~np.isin(rig.weights.argmax(1), (3, 4))  # not the eyeballs
    near, w, s, r, _, rms = landmark_correspondence(rig.v_template, usable, targets)

    def at_landmarks(field: np.ndarray) -> np.ndarray:
        """(V, 3) FLAME deltas -> (1404,) ICT-frame cm at the landmarks."""
        return (s * np.einsum("lk,lkd->ld", w, field[near]) @ r.T).reshape(-1)

    expr = rig.exprdirs[:, :n_expression].reshape(rig.n_vertices, 3, n_expression).astype(np.float64)
    cols = [at_landmarks(expr[:, :, j]) for j in range(n_expression)]
    for axis in range(3):
        plus, minus = np.zeros((5, 3)), np.zeros((5, 3))
        plus[2, axis], minus[2, axis] = JAW_STEP, -JAW_STEP
        delta = (rig.vertices(None, plus).astype(np.float64) - rig.vertices(None, minus)) / (2 * JAW_STEP)
        cols.append(at_landmarks(delta))
    f = np.stack(cols, axis=1)  # (1404, n+3)
    a2f = np.linalg.solve(f.T @ f + RIDGE * np.eye(f.shape[1]), f.T @ d)
    f2a = np.linalg.solve(d.T @ d + RIDGE * np.eye(d.shape[1]), d.T @ f)
    fit = fit_errors(d, f, a2f, f2a)
    fit["correspondence_mm"] = round(rms * 10, 4)
    fit["landmarks"] = len(targets)
    return FlameArkitMap(d, f, a2f, f2a, n_expression, model_sha256, fit)


def fit_errors(d: np.ndarray, f: np.ndarray, a2f: np.ndarray, f2a: np.ndarray) -> dict:
    def error(basis: np.ndarray, residual: np.ndarray, names: list[str]) -> dict:
        moving = np.linalg.norm(basis, axis=0) > 1e-6
        res, ref = residual[:, moving], basis[:, moving]
        per = np.linalg.norm(res, axis=0) / np.linalg.norm(ref, axis=0)
        worst = int(np.argmax(per))
        return {"fraction": round(float(np.linalg.norm(res) / np.linalg.norm(ref)), 5),
                "rms_mm": round(float(np.sqrt(np.mean(res.reshape(-1, 3, res.shape[1]) ** 2 * 3))) * 10, 4),
                "worst": [np.asarray(names)[moving][worst].item(), round(float(per[worst]), 4)],
                "channels": int(moving.sum())}

    n = f.shape[1] - 3
    scale = np.r_[np.ones(n), np.full(3, JAW_TYPICAL)]
    return {"arkit_to_flame": error(d, f @ a2f - d, list(ARKIT52)),
            "flame_to_arkit": error(f * scale, (d @ f2a - f) * scale, list(FLAME_EXPRESSION[:n]) + list(JAW)),
            "unit": "residual landmark motion per ARKit shape at weight 1 / FLAME component at +1 (jaw 0.2 rad)"}


def _cache_file(sha: str, n_expression: int) -> Path:
    from fxcli.rigs.flame_model import cache_dir
    from fxcli.rigs.ict_rig import IctRig

    ict = (IctRig.load().model_hash or "ict")[:8]
    return cache_dir() / f"{sha[:32]}-arkit-map-n{n_expression}-ict{ict}-v{MAP_VERSION}.npz"


@functools.lru_cache(maxsize=8)
def load_map(flame_model: str | None, n_expression: int | None = None) -> FlameArkitMap:
    """The map for the configured FLAME model (exit 4 if none), fitted once per model file and cached
    under $FXE_HOME/cache/flame/ keyed by the file's sha256; the fit is printed on stderr once."""
    from fxcli.cli.console import console
    from fxcli.rigs.flame_rig import FlameRig

    rig = FlameRig.load(flame_model)
    n = min(DEFAULT_EXPRESSIONS, rig.n_expression) if n_expression is None else n_expression
    if n > rig.n_expression:
        raise InvalidInputError(f"the track uses exp{n - 1:02d} but the FLAME model has {rig.n_expression} "
                                "expression components")
    sha = rig.model_hash or ""
    path = _cache_file(sha, n)
    fmap = None
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as z:
                fmap = FlameArkitMap(z["D"], z["F"], z["A"], z["W"], n, sha, json.loads(str(z["fit"])))
            if fmap.flame_basis.shape != (fmap.arkit_basis.shape[0], n + 3):
                fmap = None
        except (OSError, ValueError, KeyError):
            fmap = None  # a damaged cache is refitted
    if fmap is None:
        fmap = fit_map(rig, n, sha)
        try:
            from fxcli.io.atomic import atomic_path

            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp, open(tmp, "wb") as fh:
                np.savez(fh, D=fmap.arkit_basis, F=fmap.flame_basis, A=fmap.arkit_to_flame, W=fmap.flame_to_arkit,
                         fit=np.array(json.dumps(fmap.fit)))
        except OSError:
            pass  # an unwritable cache only costs a refit next time
    console.info(fmap.summary())
    return fmap


def convert_space(tracks: list[Track], to: str, flame_model: str | None, n_expression: int | None = None
                  ) -> list[Track]:
    """Tracks converted to `to` ('arkit52' or 'flame'); tracks already there pass unchanged."""
    out = []
    for track in tracks:
        if track.space == to:
            out.append(track)
        elif to == "flame":
            out.append(load_map(flame_model, n_expression).to_flame(track))
        else:
            out.append(load_map(flame_model, max(expressions_used(track), 1)
                                if expressions_used(track) > DEFAULT_EXPRESSIONS else None).to_arkit(track))
    return out
