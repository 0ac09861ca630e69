"""A warp that cannot fold: the flow of a smooth, stationary velocity field, on a coarse grid.

The landmarks' motion defines a velocity field v (a smoothing thin-plate spline through the motion at the
landmarks, 0 on a still ring around the face). The warp is the map after following v for unit time: each
point moves along the field's streamlines, and two paths never meet, so the map is one-to-one wherever the
field is smooth: no fold and no tear, however strong the edit (two landmarks a pixel apart that move toward
each other squeeze the skin between them instead of crossing).

The paths are followed from every node of a coarse grid (midpoint rule, as many steps as the field's
steepness needs), sampling the field bilinearly in double precision: an image library's remap rounds the
sample position to 1/32 px, which is enough to let neighbouring paths cross where the field is steep. The
displacement is then spread to every pixel by exact (separable) bilinear interpolation.

A point does not land exactly at p + v(p), since the field changes along its path; `fit_velocity` corrects
the landmarks' velocities a few times so that they land where the expression puts them (as far as a
one-to-one map allows).
"""

from __future__ import annotations

import numpy as np

MIN_STEPS = 8
STEP_SPREAD = 0.25  # the most a path step may change the field's relative motion (in grid cells per cell)


def bilinear(field: np.ndarray, qx: np.ndarray, qy: np.ndarray) -> np.ndarray:
    """Values (..., C) of a grid field (Ny, Nx, C) at fractional node coordinates (qx, qy); 0 beyond the grid
    (the field is bordered by a ring of zero nodes, and positions beyond it are held on it)."""
    return _bilinear_padded(_padded(field), qx, qy)


def _padded(field: np.ndarray) -> np.ndarray:
    """The field (Ny, Nx, C) inside a ring of zero nodes (Ny + 2, Nx + 2, C): made once for a path's many samples."""
    ny, nx, c = field.shape
    padded = np.zeros((ny + 2, nx + 2, c))
    padded[1:-1, 1:-1] = field
    return padded


def _bilinear_padded(padded: np.ndarray, qx: np.ndarray, qy: np.ndarray) -> np.ndarray:
    ny, nx, c = padded.shape[0] - 2, padded.shape[1] - 2, padded.shape[2]
    flat = padded.reshape(-1, c)
    x = np.clip(qx + 1.0, 0.0, nx + 1 - 1e-9)
    y = np.clip(qy + 1.0, 0.0, ny + 1 - 1e-9)
    x0, y0 = np.minimum(x.astype(np.int64), nx), np.minimum(y.astype(np.int64), ny)
    fx, fy = (x - x0)[..., None], (y - y0)[..., None]
    i = y0 * (nx + 2) + x0
    top = flat[i] * (1 - fx) + flat[i + 1] * fx
    bottom = flat[i + nx + 2] * (1 - fx) + flat[i + nx + 3] * fx
    return top * (1 - fy) + bottom * fy


def flow_field(velocity: np.ndarray, step: float) -> np.ndarray:
    """Displacement (Ny, Nx, 2) px of the flow of `velocity` (Ny, Nx, 2) px, on a grid `step` px apart (zero
    beyond it), after unit time, at the grid's nodes."""
    v = np.asarray(velocity, np.float64)
    ny, nx = v.shape[:2]
    jj, ii = np.meshgrid(np.arange(nx, dtype=np.float64), np.arange(ny, dtype=np.float64))
    steps = max(MIN_STEPS, int(np.ceil(_steepness(v) / step / STEP_SPREAD)))
    h = 1.0 / steps
    padded = _padded(v)

    def at(d: np.ndarray) -> np.ndarray:
        return _bilinear_padded(padded, jj + d[..., 0] / step, ii + d[..., 1] / step)

    disp = np.zeros_like(v)
    for _ in range(steps):
        disp = disp + h * at(disp + h / 2 * at(disp))
    return disp


def flow_points(velocity: np.ndarray, origin: np.ndarray, step: float, points: np.ndarray) -> np.ndarray:
    """Where the flow of `velocity` (grid `step` px apart, node (0, 0) at `origin` px) carries `points` (N, 2)
    px after unit time: the same paths as `flow_field`, followed from the points themselves."""
    v = np.asarray(velocity, np.float64)
    steps = max(MIN_STEPS, int(np.ceil(_steepness(v) / step / STEP_SPREAD)))
    h = 1.0 / steps
    padded = _padded(v)
    x = np.asarray(points, np.float64).copy()
    for _ in range(steps):
        x = x + h * _sample_padded(padded, origin, step, x + h / 2 * _sample_padded(padded, origin, step, x))
    return x


def _steepness(v: np.ndarray) -> float:
    """The largest change of the field between neighbouring nodes (px)."""
    return max(float(np.abs(np.diff(v, axis=0)).max(initial=0.0)), float(np.abs(np.diff(v, axis=1)).max(initial=0.0)))


def sample(field: np.ndarray, origin: np.ndarray, step: float, points: np.ndarray) -> np.ndarray:
    """Bilinear values (N, C) of a grid field (Ny, Nx, C) at points (N, 2) px; the grid's node (0, 0) is at
    `origin` (px); 0 beyond the grid."""
    return _sample_padded(_padded(np.asarray(field, np.float64)), origin, step, points)


def _sample_padded(padded: np.ndarray, origin: np.ndarray, step: float, points: np.ndarray) -> np.ndarray:
    q = (np.asarray(points, np.float64) - origin) / step
    return _bilinear_padded(padded, q[:, 0], q[:, 1])


def upsample(field: np.ndarray, step: float, width: int, height: int) -> np.ndarray:
    """The grid field (Ny, Nx, C) at every pixel of its box (height, width, C), bilinear, in double precision."""
    def weights(n: int, size: int) -> np.ndarray:
        q = np.arange(size) / step
        k = np.clip(np.floor(q).astype(int), 0, n - 2)
        f = q - k
        w = np.zeros((size, n))
        w[np.arange(size), k] = 1 - f
        w[np.arange(size), k + 1] = f
        return w

    wy, wx = weights(field.shape[0], height), weights(field.shape[1], width)
    return np.stack([wy @ field[..., c] @ wx.T for c in range(field.shape[2])], -1)


def fit_velocity(spline, motion: np.ndarray, src: np.ndarray, origin: np.ndarray, step: float, shape: tuple[int, int],
                 inside: np.ndarray, rounds: int = 0) -> np.ndarray:
    """The velocity field (Ny, Nx, 2) whose flow carries the points `src` (N, 2) by about `motion` (N, 2).

    `spline(values (N, 2)) -> (K, 2)` is the velocity field through landmark values at the K nodes where
    `inside` (Ny, Nx) is set (0 elsewhere). Each round adds the points' remaining error to their velocity."""
    values = np.asarray(motion, np.float64).copy()
    target = src + motion
    for k in range(rounds + 1):
        field = np.zeros((*shape, 2))
        field[inside] = spline(values)
        if k < rounds:
            values += target - flow_points(field, origin, step, src)
    return field
