"""The ICT Face Model Light rig (MIT, USC Institute for Creative Technologies), driven by ARKit-52 weights.

vertices = neutral + sum_i w_id[i] * identity_deltas[i] + sum_k w_expr[k] * expression_deltas[k]
(units: cm, y up, the face looks toward +z). ARKit's `...Left/Right` names map to ICT's `_L/_R` shapes
(both name the subject's side); ARKit's single `browInnerUp` and `cheekPuff` drive both sides; ICT has no
`tongueOut` shape, so that channel moves nothing. The lacrimal, eye-blend and eye-occlusion parts are
transparent overlays in ICT's own shaders and are not drawn here.
"""

from __future__ import annotations

import functools
import re

import numpy as np

from fxcli.rigs.mesh import Mesh, eye_colors, posed
from fxcli.tracks.channels import ARKIT52

N_IDENTITY = 100
OVERLAY_PARTS = ("lacrimal_left", "lacrimal_right", "eye_blend_left", "eye_blend_right",
                 "eye_occlusion_left", "eye_occlusion_right")
PART_COLORS: dict[str, tuple[float, float, float]] = {
    "face": (0.82, 0.62, 0.52),
    "head_neck": (0.82, 0.62, 0.52),
    "eye_socket_left": (0.55, 0.36, 0.33),
    "eye_socket_right": (0.55, 0.36, 0.33),
    "mouth_socket": (0.42, 0.16, 0.16),
    "gums_tongue": (0.78, 0.36, 0.38),
    "teeth": (0.96, 0.94, 0.87),
    "eyelashes_left": (0.30, 0.22, 0.18),
    "eyelashes_right": (0.30, 0.22, 0.18),
}


def arkit_to_ict_name(name: str) -> list[str]:
    """ICT shape names driven by one ARKit channel (empty for tongueOut, which ICT lacks)."""
    if name in ("browInnerUp", "cheekPuff"):
        return [f"{name}_L", f"{name}_R"]
    if name == "tongueOut":
        return []
    m = re.fullmatch(r"(.+?)(Left|Right)", name)
    if m and not name.startswith(("jaw", "mouthLeft", "mouthRight")):
        return [f"{m.group(1)}_{m.group(2)[0]}"]
    return [name]


@functools.lru_cache(maxsize=1)
def _mapping_matrix(shape_names: tuple[str, ...]) -> np.ndarray:
    """(52, 53) matrix M with ict = arkit @ M."""
    index = {n: i for i, n in enumerate(shape_names)}
    m = np.zeros((len(ARKIT52), len(shape_names)), np.float32)
    for a, name in enumerate(ARKIT52):
        for ict_name in arkit_to_ict_name(name):
            m[a, index[ict_name]] = 1.0
    return m


class IctRig:
    """The ICT head: load once with `IctRig.load()`; `vertices(...)` poses it."""

    def __init__(self, data: dict[str, np.ndarray], model_hash: str | None = None):
        names = [str(n) for n in data["expression_names"]]
        self.shape_names: tuple[str, ...] = tuple(n for n in names if not n.startswith("PupilDilate"))
        keep = [names.index(n) for n in self.shape_names]
        self.neutral = data["vertices"].astype(np.float32)
        self.n_vertices = len(self.neutral)
        # float32 (53, V*3): one matrix product per frame (or batch of frames)
        self.expression_deltas = data["expression_deltas"][keep].astype(np.float32).reshape(len(keep), -1)
        self._expression_sparse = None  # (V*3, 53) CSR, built on first use
        self._identity_f16 = data["identity_deltas"]
        self._identity: np.ndarray | None = None
        self.model_hash = model_hash
        tri_poly = data["triangle_polygon"]
        self.parts: dict[str, tuple[int, int]] = {}
        part_of_triangle = np.full(len(tri_poly), -1, np.int32)
        for k, (gname, (v0, v1, p0, p1)) in enumerate(zip(data["group_names"], data["group_ranges"], strict=False)):
            self.parts[str(gname)] = (int(v0), int(v1))
            part_of_triangle[(tri_poly >= p0) & (tri_poly <= p1)] = k
        part_names = [str(g) for g in data["group_names"]]
        drawn = [k for k, g in enumerate(part_names) if g not in OVERLAY_PARTS]
        self.all_triangles = data["triangles"].astype(np.int32)
        self.triangles = self.all_triangles[np.isin(part_of_triangle, drawn)]
        self.mapping = _mapping_matrix(self.shape_names)
        self.mesh = Mesh(self.triangles, self._colors(), self._frame_box(), self._pivot(), self.n_vertices)

    @classmethod
    @functools.lru_cache(maxsize=1)
    def load(cls) -> "IctRig":
        """The vendored ICT Face Model Light, resolved through the model registry (cached per process)."""
        from fxcli import registry

        resolved = registry.resolve("ict-face-light")
        path = resolved.file("ict_face_light.npz")
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
        sha = next((f.sha256 for f in resolved.spec.files if f.sha256), None)
        return cls(data, model_hash=sha)

    def part_mask(self, name: str) -> np.ndarray:
        """Boolean (V,) mask of a named part's vertices (see `parts`)."""
        v0, v1 = self.parts[name]
        mask = np.zeros(self.n_vertices, bool)
        mask[v0:v1 + 1] = True
        return mask

    def arkit52_to_ict(self, weights: np.ndarray) -> np.ndarray:
        """ARKit-52 weights (..., 52) in Apple's order to ICT shape weights (..., 53)."""
        return arkit52_to_ict(weights, self.shape_names)

    def identity_weights(self, seed: int) -> np.ndarray:
        """Identity coefficients sampled from N(0, 1) with a seed (the model's PCA prior)."""
        return np.random.default_rng(seed).standard_normal(N_IDENTITY).astype(np.float32)

    def base(self, identity: np.ndarray | None) -> np.ndarray:
        """Neutral mesh of an identity (V, 3); None is the generic head."""
        if identity is None:
            return self.neutral
        identity = np.asarray(identity, np.float32)
        if identity.shape[-1] > N_IDENTITY or identity.ndim != 1:
            from fxcli.errors import InvalidInputError

            raise InvalidInputError(f"identity must be at most {N_IDENTITY} numbers, got shape {identity.shape}")
        if self._identity is None:
            self._identity = self._identity_f16.astype(np.float32).reshape(N_IDENTITY, -1)
        delta = identity @ self._identity[: len(identity)]
        return self.neutral + delta.reshape(-1, 3)

    def vertices(self, weights_arkit52: np.ndarray, identity: np.ndarray | None = None) -> np.ndarray:
        """Posed vertices (V, 3) for ARKit-52 weights (52,), or (T, V, 3) for a batch (T, 52)."""
        w = np.asarray(weights_arkit52, np.float32)
        return self.vertices_ict(self.arkit52_to_ict(w), self.base(identity))

    def vertices_ict(self, weights_ict: np.ndarray, base: np.ndarray) -> np.ndarray:
        w = np.asarray(weights_ict, np.float32)
        flat = w.reshape(-1, w.shape[-1])
        # 64 % of the delta entries are exactly zero (each shape moves one region), so a sparse product is
        # ~5x less work than a dense one, and it stays on this thread: multi-threaded BLAS spins on a busy CPU
        moved = self._expression_csr() @ flat.T  # (V*3, T)
        out = np.empty((len(flat), self.n_vertices * 3), np.float32)
        np.add(moved.T, base.reshape(-1), out=out)
        return out.reshape(w.shape[:-1] + (self.n_vertices, 3))

    def _expression_csr(self):
        if self._expression_sparse is None:
            import scipy.sparse as sp

            self._expression_sparse = sp.csr_matrix(self.expression_deltas.T)  # exact zeros dropped only
        return self._expression_sparse

    def sequence(self, track, identity: np.ndarray | None = None, frames: list[int] | None = None,
                 batch: int = 16):
        """Yield (frame index, vertices (V, 3)) for an `arkit52` track, computed `batch` frames at a time."""
        if track.space != "arkit52":
            from fxcli.errors import UsageError

            raise UsageError(f"the ICT head renders arkit52 tracks, this track is {track.space!r}",
                             hint="use --rig flame for flame tracks")
        weights = self.arkit52_to_ict(track.as_channels(ARKIT52))
        base = self.base(identity)
        order = list(range(track.n_frames)) if frames is None else list(frames)
        for start in range(0, len(order), batch):
            chunk = order[start:start + batch]
            for index, vertices in zip(chunk, self.vertices_ict(weights[chunk], base), strict=False):
                head = track.pose[index] if track.pose is not None else None
                yield index, posed(vertices, self.mesh.pivot, head)

    def _colors(self) -> np.ndarray:
        colors = np.tile(np.array(PART_COLORS["face"], np.float32), (self.n_vertices, 1))
        for name, (v0, v1) in self.parts.items():
            if name in PART_COLORS:
                colors[v0:v1 + 1] = PART_COLORS[name]
        for side in ("left", "right"):
            v0, v1 = self.parts[f"eyeball_{side}"]
            ball = self.neutral[v0:v1 + 1]
            center = (ball.min(0) + ball.max(0)) / 2
            colors[v0:v1 + 1] = eye_colors(ball, center, np.array([0.0, 0.0, 1.0]))
        return colors

    def _frame_box(self) -> np.ndarray:
        v0, v1 = self.parts["face"]
        face = self.neutral[v0:v1 + 1]
        return np.stack([face.min(0), face.max(0)]).astype(np.float32)

    def _pivot(self) -> np.ndarray:
        box = self._frame_box()
        # the head turns about a point in the upper neck, behind and below the face's centre
        return np.array([0.0, box[0, 1] + 0.15 * (box[1, 1] - box[0, 1]), box[0, 2]], np.float32)


def arkit52_to_ict(weights: np.ndarray, shape_names: tuple[str, ...] | None = None) -> np.ndarray:
    """ARKit-52 weights (..., 52) to ICT's 53 shape weights (..., 53)."""
    if shape_names is None:
        shape_names = IctRig.load().shape_names
    w = np.asarray(weights, np.float32)
    if w.shape[-1] != len(ARKIT52):
        from fxcli.errors import InvalidInputError

        raise InvalidInputError(f"expected {len(ARKIT52)} ARKit weights per frame, got {w.shape[-1]}")
    return w @ _mapping_matrix(tuple(shape_names))
