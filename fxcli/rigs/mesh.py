"""What a renderer needs from a rig: triangles, per-vertex colours, normals and a framing box."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Mesh:
    """A rig's static mesh data. Vertices change per frame and are passed separately."""

    triangles: np.ndarray  # (F, 3) int32, only the parts that are drawn
    colors: np.ndarray  # (V, 3) float32 albedo in [0, 1]
    frame_box: np.ndarray  # (2, 3) float32 min/max corner the camera frames (rest pose)
    pivot: np.ndarray  # (3,) float32 centre of head rotation (track pose)
    n_vertices: int

    def __post_init__(self) -> None:
        self._incidence = None
        self._corners = None

    def vertex_normals(self, vertices: np.ndarray) -> np.ndarray:
        """Area-weighted vertex normals (V, 3) float32, unit length (~1.5 ms per frame for 50k triangles).

        Safe to call from several threads at once (no shared scratch buffers).
        """
        if self._incidence is None:
            import scipy.sparse as sp

            tri = self.triangles
            rows = tri.reshape(-1)
            cols = np.repeat(np.arange(len(tri)), 3)
            self._corners = tuple(np.ascontiguousarray(tri[:, k], np.intp) for k in range(3))
            self._incidence = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)),
                                            shape=(self.n_vertices, len(tri)))
        vertices = np.asarray(vertices, np.float32)
        i0, i1, i2 = self._corners
        v0 = vertices.take(i0, axis=0)
        e1 = vertices.take(i1, axis=0)
        e2 = vertices.take(i2, axis=0)
        e1 -= v0
        e2 -= v0
        # the cross product written out: np.cross is several times slower on (F, 3) arrays
        face = v0  # reuse the buffer
        np.multiply(e1[:, 1], e2[:, 2], out=face[:, 0])
        face[:, 0] -= e1[:, 2] * e2[:, 1]
        np.multiply(e1[:, 2], e2[:, 0], out=face[:, 1])
        face[:, 1] -= e1[:, 0] * e2[:, 2]
        np.multiply(e1[:, 0], e2[:, 1], out=face[:, 2])
        face[:, 2] -= e1[:, 1] * e2[:, 0]
        # |face| = 2 x area: summing unnormalised face normals weights them by area for free
        normals = np.asarray(self._incidence @ face, dtype=np.float32)
        length = np.sqrt(np.einsum("ij,ij->i", normals, normals))
        normals /= np.maximum(length, 1e-12)[:, None]
        return normals


def eye_colors(vertices: np.ndarray, center: np.ndarray, forward: np.ndarray,
               iris: tuple[float, float, float] = (0.30, 0.20, 0.12)) -> np.ndarray:
    """Sclera, iris and pupil colours for an eyeball's vertices from their angle to the gaze axis."""
    d = vertices - center
    d /= np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)
    cos = d @ (forward / np.linalg.norm(forward))
    out = np.tile(np.array([0.93, 0.91, 0.88], np.float32), (len(vertices), 1))
    out[cos > np.cos(np.radians(34))] = iris  # iris: ~12 mm across on a 24 mm eyeball
    out[cos > np.cos(np.radians(15))] = (0.02, 0.02, 0.02)  # pupil
    return out


def rodrigues(axis_angle: np.ndarray) -> np.ndarray:
    """Rotation matrices (..., 3, 3) from axis-angle vectors (..., 3) (Rodrigues' formula)."""
    aa = np.asarray(axis_angle, dtype=np.float64)
    theta = np.linalg.norm(aa, axis=-1, keepdims=True)
    k = aa / np.maximum(theta, 1e-12)
    kx, ky, kz = k[..., 0], k[..., 1], k[..., 2]
    zero = np.zeros_like(kx)
    K = np.stack([zero, -kz, ky, kz, zero, -kx, -ky, kx, zero], axis=-1).reshape(aa.shape[:-1] + (3, 3))
    s, c = np.sin(theta)[..., None], np.cos(theta)[..., None]
    eye = np.broadcast_to(np.eye(3), K.shape)
    return eye + s * K + (1 - c) * (K @ K)


def posed(vertices: np.ndarray, pivot: np.ndarray, pose: np.ndarray | None) -> np.ndarray:
    """Rotate vertices (V, 3) about `pivot` by an axis-angle head pose (3,) (None or zero: unchanged)."""
    if pose is None or not np.any(pose):
        return vertices
    r = rodrigues(pose).astype(np.float32)
    return (vertices - pivot) @ r.T + pivot
