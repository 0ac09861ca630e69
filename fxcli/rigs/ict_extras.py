"""Extra geometry carried by the ICT head: eyebrows and a hair (or head-cover) cap.

ICT's head is bald and has no brows, so brow actions (AU1, AU2, AU4) and the silhouette read poorly.
Every extra vertex is an affine combination of ICT vertices plus an offset that is fixed per identity:

    extra = A @ ict_vertices + offset          (A: sparse (E, V), rows summing to 1)

so the brows ride on the skin that ICT's browDown / browInnerUp / browOuterUp shapes move, and the cap
follows the skull. Brows are tapered strips laid between MediaPipe FaceMesh's upper and lower brow
landmarks (carried onto ICT vertices by fxcli/assets/ict_facemesh), lifted 1.2 mm off the skin. The cap
is a shell over the scalp above a hairline that runs from the forehead over the temples to the nape,
offset outward from the head's centre by a thickness that grows from the hairline up.

Hair that leaves the skull (a curtain of long hair falling past the ears, a bun) is anchored on one
vertex at the top of the skull, which no expression shape moves: it turns with the head and stays put
when the face moves. A curtain hangs from the widest part of the head above each point (hair drapes
over the ears and then falls straight), around the back from just behind the cheeks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from fxcli.rigs.mesh import Mesh

# FaceMesh brow landmarks, outer end to inner end (the subject's right brow, then the left)
BROW_UPPER = ((70, 63, 105, 66, 107), (300, 293, 334, 296, 336))
BROW_LOWER = ((46, 53, 52, 65, 55), (276, 283, 282, 295, 285))
BROW_STEPS = 4  # columns per landmark segment
BROW_LIFT_CM = 0.12
# (fraction along the brow from the inner end, lower edge, upper edge) in units of the landmark band
# (0 = lower landmark row, 1 = upper row): full at the head, tapering to a thin tail
BROW_PROFILE = ((0.0, -0.15, 1.25), (0.35, -0.1, 1.3), (0.75, 0.05, 1.15), (1.0, 0.35, 0.85))
HEAD_CENTRE = np.array([0.0, 3.5, 0.5], np.float32)  # inside the skull of the mean head (cm)
EAR_ALLOWANCE = 1.2  # cm


@dataclass
class Extras:
    """Extra vertices (E) as `A @ ict_vertices + offset`, their triangles and what each vertex is."""

    anchors: np.ndarray  # (E, K) int32 ICT vertex indices
    weights: np.ndarray  # (E, K) float32, rows sum to 1
    offset: np.ndarray  # (E, 3) float32, fixed per identity
    triangles: np.ndarray  # (F, 3) int32, indices into the extra vertices
    kind: np.ndarray  # (E,) int8: 0 brow, 1 cap

    @property
    def n(self) -> int:
        return len(self.anchors)

    def positions(self, vertices: np.ndarray) -> np.ndarray:
        """Extra vertices (..., E, 3) for ICT vertices (..., V, 3)."""
        v = np.asarray(vertices, np.float32)
        gathered = v[..., self.anchors, :]  # (..., E, K, 3)
        return np.einsum("...ekc,ek->...ec", gathered, self.weights) + self.offset


@functools.lru_cache(maxsize=1)
def facemesh_vertices() -> np.ndarray:
    """ICT vertex index of each of FaceMesh's 468 landmarks."""
    from fxcli.assets import asset_path

    with np.load(asset_path("ict_facemesh", "facemesh_to_ict.npz"), allow_pickle=False) as z:
        return z["vertex_index"].astype(np.int64)


def _smooth_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    tri = vertices[triangles]
    face = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    n = np.zeros_like(vertices)
    for k in range(3):
        np.add.at(n, triangles[:, k], face)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-9)


def brow_extras(base: np.ndarray, all_triangles: np.ndarray, scale: float = 1.0) -> Extras:
    """Two tapered brow strips on an identity's neutral head `base` (V, 3); `scale` thins (< 1) or thickens them."""
    fm = facemesh_vertices()
    normals = _smooth_normals(base.astype(np.float64), all_triangles)
    anchors, weights, offsets, tris = [], [], [], []
    prof = np.array(BROW_PROFILE)
    for upper, lower in zip(BROW_UPPER, BROW_LOWER, strict=True):
        up, lo = fm[list(upper)], fm[list(lower)]
        n_cols = (len(up) - 1) * BROW_STEPS + 1
        start = len(anchors)
        for c in range(n_cols):
            seg = min(c // BROW_STEPS, len(up) - 2)
            t = (c - seg * BROW_STEPS) / BROW_STEPS
            along = 1.0 - c / (n_cols - 1)  # 0 at the inner end (the last landmark), 1 at the outer end
            s_lo = 0.55 + (float(np.interp(along, prof[:, 0], prof[:, 1])) - 0.55) * scale
            s_hi = 0.55 + (float(np.interp(along, prof[:, 0], prof[:, 2])) - 0.55) * scale
            for s in (s_lo, s_hi):
                ids = [lo[seg], lo[seg + 1], up[seg], up[seg + 1]]
                w = [(1 - t) * (1 - s), t * (1 - s), (1 - t) * s, t * s]
                anchors.append(ids)
                weights.append(w)
                n = normals[ids].T @ np.abs(w)
                offsets.append(n / max(np.linalg.norm(n), 1e-9) * BROW_LIFT_CM)
        for c in range(n_cols - 1):
            a, b = start + 2 * c, start + 2 * c + 2
            tris += [(a, b, a + 1), (a + 1, b, b + 1)]
    anchors = np.asarray(anchors, np.int32)
    weights = np.asarray(weights, np.float32)
    # the offset is relative to the anchors' affine combination, so it absorbs nothing else
    return Extras(anchors, weights, np.asarray(offsets, np.float32), np.asarray(tris, np.int32),
                  np.zeros(len(anchors), np.int8))


def hairline_height(azimuth: np.ndarray, front: float, temple: float, side: float, back: float) -> np.ndarray:
    """Hairline height (cm) at an azimuth around the head (0 = straight ahead, pi = the nape)."""
    f = np.abs(azimuth) / np.pi
    return np.interp(f, [0.0, 0.22, 0.45, 0.62, 1.0], [front, temple, side, side - 1.0, back])


def cap_extras(base: np.ndarray, parts: dict[str, tuple[int, int]], all_triangles: np.ndarray, *,
               front: float = 10.3, temple: float = 8.2, side: float = 6.2, back: float = -3.0,
               thickness: float = 0.9, edge: float = 0.12, start: float = 0.0) -> Extras:
    """A shell over the scalp of `base` (V, 3) from `start` cm above the hairline (heights in cm).

    The shell's thickness grows from `edge` at its border to `thickness` 2.5 cm further up.
    """
    v0, _ = parts["face"]
    _, v1 = parts["head_neck"]
    ids = np.arange(v0, v1 + 1)
    p = base[ids]
    rel = p - HEAD_CENTRE
    azimuth = np.arctan2(rel[:, 0], rel[:, 2])
    above = p[:, 1] - hairline_height(azimuth, front, temple, side, back)
    above = above - start
    inside = above > 0
    tri = all_triangles[((all_triangles >= v0) & (all_triangles <= v1)).all(1)]
    keep = inside[tri - v0].all(1)
    tri = tri[keep]
    used = np.unique(tri)
    local = np.full(v1 + 1, -1, np.int64)
    local[used] = np.arange(len(used))
    radial = base[used] - HEAD_CENTRE
    radial /= np.maximum(np.linalg.norm(radial, axis=1, keepdims=True), 1e-9)
    height = above[used - v0]
    t = edge + (thickness - edge) * np.clip(height / 2.5, 0, 1) ** 0.7
    return Extras(used.astype(np.int32)[:, None], np.ones((len(used), 1), np.float32),
                  (radial * t[:, None]).astype(np.float32), local[tri].astype(np.int32),
                  np.ones(len(used), np.int8))


def skull_top(base: np.ndarray, parts: dict[str, tuple[int, int]]) -> int:
    """Index of the highest vertex of the head: the anchor of hair that leaves the skull."""
    v0, v1 = parts["head_neck"]
    return int(v0 + np.argmax(base[v0:v1 + 1, 1]))


def _grid_triangles(rows: int, cols: int, start: int = 0) -> np.ndarray:
    """Two triangles per cell of a rows × cols vertex grid (row-major)."""
    r, c = np.meshgrid(np.arange(rows - 1), np.arange(cols - 1), indexing="ij")
    a = (r * cols + c).ravel() + start
    return np.concatenate([np.stack([a, a + cols, a + 1], 1), np.stack([a + 1, a + cols, a + cols + 1], 1)])


def _rigid(points: np.ndarray, anchor: int, base: np.ndarray, triangles: np.ndarray) -> Extras:
    n = len(points)
    return Extras(np.full((n, 1), anchor, np.int32), np.ones((n, 1), np.float32),
                  (points - base[anchor]).astype(np.float32), triangles.astype(np.int32), np.ones(n, np.int8))


def curtain_extras(base: np.ndarray, parts: dict[str, tuple[int, int]], *, top: float = 9.0,
                   bottom: float = -9.0, front: float = 0.36, thickness: float = 0.9, flare: float = 0.8,
                   columns: int = 36, rows: int = 16) -> Extras:
    """Long hair: a curtain around the back of the head from height `top` down to `bottom` (cm).

    It spans the azimuths from `front`·pi on one side round the back to the other (0 = straight ahead),
    at the widest radius of the head above each point plus `thickness`, flaring by `flare` cm at the ends.
    """
    v0, _ = parts["face"]
    _, v1 = parts["head_neck"]
    p = base[v0:v1 + 1] - HEAD_CENTRE
    radius = np.hypot(p[:, 0], p[:, 2])
    azimuth = np.arctan2(p[:, 0], p[:, 2])
    heights = np.linspace(top, bottom, rows) - HEAD_CENTRE[1]
    angles = np.linspace(front * np.pi, (2 - front) * np.pi, columns)
    # the head's radius in each (azimuth, height) cell, then the widest at or above each height
    a_bin = np.clip(((np.mod(azimuth, 2 * np.pi)) / (2 * np.pi) * 72).astype(int), 0, 71)
    step = heights[0] - heights[1]
    h_edges = np.concatenate([[np.inf], (heights[:-1] + heights[1:]) / 2, [heights[-1] - step / 2]])
    h_bin = np.searchsorted(-h_edges, -p[:, 1]) - 1
    ok = (h_bin >= 0) & (h_bin < rows)
    cell = np.zeros((72, rows))
    np.maximum.at(cell, (a_bin[ok], h_bin[ok]), radius[ok])
    cell = np.maximum.reduce([np.roll(cell, k, axis=0) for k in (-1, 0, 1)])  # ±5 degrees
    hang = np.maximum.accumulate(cell, axis=1)  # (72, rows): widest at or above
    # the ears stick out ~2 cm: hair lies over them, not around them, so no wider than the skull's
    # side above them (the top rows) by more than EAR_ALLOWANCE
    hang = np.minimum(hang, hang[:, :3].max(1, keepdims=True) + EAR_ALLOWANCE)
    col_bin = np.clip((np.mod(angles, 2 * np.pi) / (2 * np.pi) * 72).astype(int), 0, 71)
    fall = np.linspace(0, 1, rows)[:, None]  # 0 at the top row, 1 at the lower edge
    # toward its front edges (beside the cheeks) the curtain thins onto the head and is cut shorter,
    # as layered hair: no flat slab faces the camera
    end = np.clip(np.minimum(angles - front * np.pi, (2 - front) * np.pi - angles) / (0.2 * np.pi), 0, 1)
    end = end * end * (3 - 2 * end)  # smoothstep
    r = hang[col_bin].T + thickness * (0.35 + 0.65 * end)[None, :] + flare * fall ** 2 * end[None, :]
    x = np.sin(angles)[None, :] * r
    z = np.cos(angles)[None, :] * r
    lower = bottom + (1.0 - end) * 0.35 * (top - bottom)  # each column's lower edge (cm)
    y = top + (lower[None, :] - top) * fall - HEAD_CENTRE[1]
    pts = np.stack([x, y, z], -1).reshape(-1, 3) + HEAD_CENTRE
    return _rigid(pts, skull_top(base, parts), base, _grid_triangles(rows, columns))


def bun_extras(base: np.ndarray, parts: dict[str, tuple[int, int]], radius: float = 2.5,
               direction: tuple[float, float, float] = (0.0, 1.0, -0.3), segments: int = 14) -> Extras:
    """A bun: a slightly flattened ball of `radius` cm sitting on the skull in `direction` from its centre."""
    v0, _ = parts["face"]
    _, v1 = parts["head_neck"]
    d = np.asarray(direction, np.float64)
    d /= np.linalg.norm(d)
    rel = base[v0:v1 + 1] - HEAD_CENTRE
    reach = float((rel @ d).max())  # the skull's extent that way
    centre = HEAD_CENTRE + d * (reach + 0.3 * radius)
    lat = np.linspace(0, np.pi, segments // 2 + 1)
    lon = np.linspace(0, 2 * np.pi, segments + 1)
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    pts = np.stack([np.sin(la) * np.sin(lo), np.cos(la) * 0.85, np.sin(la) * np.cos(lo)], -1).reshape(-1, 3)
    pts = pts * radius + centre
    return _rigid(pts, skull_top(base, parts), base, _grid_triangles(len(lat), len(lon)))


def concat_extras(items: list[Extras]) -> Extras:
    k = max(e.anchors.shape[1] for e in items)
    anchors, weights, tris, start = [], [], [], 0
    for e in items:
        pad = k - e.anchors.shape[1]
        anchors.append(np.pad(e.anchors, ((0, 0), (0, pad))))
        weights.append(np.pad(e.weights, ((0, 0), (0, pad))))
        tris.append(e.triangles + start)
        start += e.n
    return Extras(np.concatenate(anchors), np.concatenate(weights), np.concatenate([e.offset for e in items]),
                  np.concatenate(tris), np.concatenate([e.kind for e in items]))


class BrowedIct:
    """The ICT head with brows, as `fxe render` draws it: `mesh` and `extend(vertices)`.

    The brows of the mean head are laid once; for another identity the same anchors and offsets are
    used (brows follow the skin either way).
    """

    BROW_COLOR = (0.24, 0.17, 0.13)

    def __init__(self, rig):
        self.rig = rig
        self.extras = brow_extras(rig.neutral, rig.all_triangles)
        n = rig.n_vertices
        colors = np.concatenate([rig.mesh.colors, np.tile(np.array(self.BROW_COLOR, np.float32),
                                                          (self.extras.n, 1))])
        self.mesh = Mesh(np.concatenate([rig.mesh.triangles, self.extras.triangles + n]).astype(np.int32),
                         colors.astype(np.float32), rig.mesh.frame_box, rig.mesh.pivot, n + self.extras.n)

    def extend(self, vertices: np.ndarray) -> np.ndarray:
        """ICT vertices (V, 3) -> (V + E, 3) with the brows (posed vertices: the brows turn with the head)."""
        return np.concatenate([vertices, self.extras.positions(vertices)]).astype(np.float32)


@functools.lru_cache(maxsize=2)
def browed(rig) -> BrowedIct:
    return BrowedIct(rig)
