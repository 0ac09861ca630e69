"""A smoothing thin-plate spline in 2D (numpy only: the editor's warp without importing scipy at start-up).

For centres c_i with values d_i (N x K) and per-centre smoothing s_i, the spline is

    f(x) = sum_i a_i phi(|x - c_i|) + b_0 + b_1 x + b_2 y,     phi(r) = r^2 log r  (phi(0) = 0)

with (Phi + diag(s)) a + P b = d and P^T a = 0 (P = [1, x, y] at the centres): the usual regularised
thin-plate spline, the same system scipy's RBFInterpolator solves for its "thin_plate_spline" kernel with
a degree-1 polynomial. The centres are shifted and scaled to the unit box for the polynomial part only
(a change of basis: the interpolant is unchanged, the system better conditioned).
"""

from __future__ import annotations

import numpy as np

BLOCK = 8192  # evaluation points per product with the weights (memory: BLOCK x N float64)
CHUNK = 128  # evaluation points per block: the block's kernel (CHUNK x N float64) stays in the cache


def _phi(r2: np.ndarray) -> np.ndarray:
    """r^2 log r from squared distances (0 at r = 0), in place."""
    zero = r2 <= 0
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 * log 0: set to 0 below
        log = np.log(r2)
        r2 *= log
    r2 *= 0.5  # exact: the same numbers as 0.5 * r2 * log(r2)
    r2[zero] = 0.0
    return r2


def _sq_dist(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    d = np.subtract.outer(a[:, 0], b[:, 0], out=out)
    d *= d
    t = np.subtract.outer(a[:, 1], b[:, 1])
    t *= t
    d += t
    return d


def kernel(points: np.ndarray, centres: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """phi(|points_i - centres_j|) (M, N), computed CHUNK rows at a time (into `out` when given): the
    squared distances and their logarithms of one block stay in the cache (2.4x faster than whole
    arrays for 1250 x 550, the same numbers)."""
    out = np.empty((len(points), len(centres))) if out is None else out
    for k in range(0, len(points), CHUNK):
        _phi(_sq_dist(points[k:k + CHUNK], centres, out=out[k:k + CHUNK]))
    return out


class ThinPlateSpline:
    """Fit once on (centres (N, 2), values (N, K), smoothing scalar or (N,)); call on points (M, 2) -> (M, K)."""

    def __init__(self, centres: np.ndarray, values: np.ndarray, smoothing: float | np.ndarray = 0.0):
        c = np.asarray(centres, np.float64)
        v = np.asarray(values, np.float64)
        if v.ndim == 1:
            v = v[:, None]
        n = len(c)
        self.shift = (c.min(0) + c.max(0)) / 2
        self.scale = max(float((c.max(0) - c.min(0)).max()) / 2, 1e-9)
        a = self._system(c, smoothing)
        rhs = np.zeros((n + 3, v.shape[1]))
        rhs[:n] = v
        sol = np.linalg.solve(a, rhs)
        self.centres, self.weights, self.poly = c, sol[:n], sol[n:]

    def _poly(self, x: np.ndarray) -> np.ndarray:
        u = (x - self.shift) / self.scale
        return np.c_[np.ones(len(x)), u]

    def _system(self, c: np.ndarray, smoothing: float | np.ndarray) -> np.ndarray:
        """The (N + 3) x (N + 3) matrix [[Phi + diag(s), P], [P^T, 0]] at the centres."""
        n = len(c)
        a = np.zeros((n + 3, n + 3))
        kernel(c, c, out=a[:n, :n])
        a[np.arange(n), np.arange(n)] += np.broadcast_to(np.asarray(smoothing, np.float64), (n,))
        p = self._poly(c)
        a[:n, n:] = p
        a[n:, :n] = p.T
        return a

    def __call__(self, points: np.ndarray) -> np.ndarray:
        x = np.asarray(points, np.float64)
        out = np.empty((len(x), self.weights.shape[1]))
        for k in range(0, len(x), BLOCK):
            part = x[k:k + BLOCK]
            out[k:k + BLOCK] = kernel(part, self.centres) @ self.weights + self._poly(part) @ self.poly
        return out


class SplineOperator:
    """The smoothing spline through fixed centres as a linear map from the centres' values to its values at
    fixed points: f(points) = E A^-1 [values; 0] with E = [phi(|points - c_j|), P(points)]. The system and the
    kernel block are built once; each set of values costs one solve and one product."""

    def __init__(self, centres: np.ndarray, points: np.ndarray, smoothing: float | np.ndarray = 0.0):
        c = np.asarray(centres, np.float64)
        n = len(c)
        fit = ThinPlateSpline.__new__(ThinPlateSpline)
        fit.shift = (c.min(0) + c.max(0)) / 2
        fit.scale = max(float((c.max(0) - c.min(0)).max()) / 2, 1e-9)
        self.system = fit._system(c, smoothing)
        x = np.asarray(points, np.float64)
        # double precision throughout: two landmarks a pixel apart with different motions get large weights of
        # opposite sign, and a single-precision kernel block loses ~0.3 px in their cancellation
        self.kernel = np.empty((len(x), n + 3))
        kernel(x, c, out=self.kernel[:, :n])
        self.kernel[:, n:] = fit._poly(x)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """(M, K) spline values at the points for centre values (n, K)."""
        v = np.asarray(values, np.float64)
        rhs = np.zeros((len(self.system), v.shape[1]))
        rhs[:len(v)] = v
        return self.kernel @ np.linalg.solve(self.system, rhs)
