"""A z-buffer rasteriser in numpy: the same picture as the OpenGL renderer where no EGL exists (slower).

Pixel centres, depth test (nearest wins), perspective-correct interpolation, screen-space barycentrics for
the wireframe style and the shading formulas all follow what OpenGL does with `gl_renderer.py`'s shaders.
"""

from __future__ import annotations

import numpy as np

from fxcli.render.camera import Camera
from fxcli.render.shading import shade, to_uint8
from fxcli.rigs.mesh import Mesh

MAX_CANDIDATES = 1 << 21  # candidate pixels tested per chunk: bounds memory at ~100 MB


class SoftwareRenderer:
    backend = "software"
    device_name = "numpy software rasteriser"

    def __init__(self, size: tuple[int, int], bg: tuple[float, float, float], style: str):
        self.size, self.bg, self.style = size, bg, style

    def render(self, vertices: np.ndarray, mesh: Mesh, camera: Camera, normals: np.ndarray | None = None,
               style: str | None = None) -> np.ndarray:
        style = style or self.style
        w, h = self.size
        if normals is None:
            normals = mesh.vertex_normals(vertices)
        vertices = np.asarray(vertices, np.float64)
        pos = vertices @ camera.view[:3, :3].T.astype(np.float64) + camera.view[:3, 3]
        nrm = np.asarray(normals, np.float64) @ camera.view[:3, :3].T.astype(np.float64)
        clip = np.c_[pos, np.ones(len(pos))] @ camera.projection.T.astype(np.float64)
        cw = clip[:, 3]
        ndc = clip[:, :3] / cw[:, None]
        sx = (ndc[:, 0] + 1) * (w / 2)
        sy = (1 - ndc[:, 1]) * (h / 2)  # row 0 at the top
        sz = ndc[:, 2]
        tri = mesh.triangles
        keep = (cw[tri] > 0).all(1) & (np.abs(sz[tri]) <= 1).all(1)
        tri = tri[keep]
        x, y = sx[tri], sy[tri]
        area, x0, y0, bw, bh = pixel_boxes(x, y, w, h)
        ok = (np.abs(area) > 1e-12) & (bw > 0) & (bh > 0)
        idx = np.nonzero(ok)[0]
        zbuf = np.full(w * h, np.inf)
        owner = np.full(w * h, -1, np.int64)
        counts = (bw * bh)[idx]
        starts = np.concatenate([[0], np.cumsum(counts)])
        lo = 0
        while lo < len(idx):  # chunks of triangles whose candidate pixels fit the budget
            hi = int(np.searchsorted(starts, starts[lo] + MAX_CANDIDATES, side="right")) - 1
            hi = max(hi, lo + 1)
            self._raster_chunk(idx[lo:hi], counts[lo:hi], x, y, sz[tri], area, x0, y0, bw, zbuf, owner)
            lo = hi
        image = np.empty((h * w, 3))
        image[:] = self.bg
        hit = np.nonzero(owner >= 0)[0]
        if len(hit):
            t = owner[hit]
            px, py = hit % w + 0.5, hit // w + 0.5
            b = barycentric(x[t], y[t], area[t], px, py)  # screen-space (noperspective) weights
            persp = b / cw[tri[t]]
            persp /= persp.sum(1, keepdims=True)
            corners = tri[t]
            albedo = np.einsum("nk,nkc->nc", persp, mesh.colors[corners].astype(np.float64))
            normal = np.einsum("nk,nkc->nc", persp, nrm[corners])
            position = np.einsum("nk,nkc->nc", persp, pos[corners])
            edge = _edge_distance_px(b, x[t], y[t], area[t]) if style == "wireframe" else None
            image[hit] = shade(albedo, normal, position, edge, style)
        return to_uint8(image.reshape(h, w, 3))

    def _raster_chunk(self, idx, counts, x, y, z, area, x0, y0, bw, zbuf, owner) -> None:
        w = self.size[0]
        t = np.repeat(idx, counts)
        local = np.arange(len(t)) - np.repeat(np.cumsum(counts) - counts, counts)
        px = x0[t] + local % bw[t]
        py = y0[t] + local // bw[t]
        b = barycentric(x[t], y[t], area[t], px + 0.5, py + 0.5)
        inside = (b >= 0).all(1)
        t, px, py, b = t[inside], px[inside], py[inside], b[inside]
        depth = np.einsum("nk,nk->n", b, z[t])
        pix = py * w + px
        order = np.lexsort((depth, pix))
        pix, depth, t = pix[order], depth[order], t[order]
        first = np.ones(len(pix), bool)
        first[1:] = pix[1:] != pix[:-1]
        pix, depth, t = pix[first], depth[first], t[first]
        closer = depth < zbuf[pix]
        zbuf[pix[closer]] = depth[closer]
        owner[pix[closer]] = t[closer]


def pixel_boxes(x: np.ndarray, y: np.ndarray, w: int, h: int):
    """Per triangle (corners x, y (N, 3) in pixels): (twice its signed area, first pixel column and row whose
    centre it may cover, and how many columns and rows; 0 or less where none, clipped to the w x h image)."""
    area = (x[:, 1] - x[:, 0]) * (y[:, 2] - y[:, 0]) - (x[:, 2] - x[:, 0]) * (y[:, 1] - y[:, 0])
    x0 = np.clip(np.ceil(x.min(1) - 0.5), 0, w).astype(np.int64)
    x1 = np.clip(np.floor(x.max(1) - 0.5), -1, w - 1).astype(np.int64)
    y0 = np.clip(np.ceil(y.min(1) - 0.5), 0, h).astype(np.int64)
    y1 = np.clip(np.floor(y.max(1) - 0.5), -1, h - 1).astype(np.int64)
    return area, x0, y0, x1 - x0 + 1, y1 - y0 + 1


def barycentric(x: np.ndarray, y: np.ndarray, area: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Screen-space barycentric weights (N, 3) of points (px, py) in triangles with corners x, y (N, 3)."""
    w0 = (x[:, 1] - px) * (y[:, 2] - py) - (x[:, 2] - px) * (y[:, 1] - py)
    w1 = (x[:, 2] - px) * (y[:, 0] - py) - (x[:, 0] - px) * (y[:, 2] - py)
    w2 = (x[:, 0] - px) * (y[:, 1] - py) - (x[:, 1] - px) * (y[:, 0] - py)
    return np.stack([w0, w1, w2], axis=1) / area[:, None]


def _edge_distance_px(b: np.ndarray, x: np.ndarray, y: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Distance in pixels to the nearest triangle edge, from the barycentrics' screen gradients."""
    # d(b_i)/dx and d(b_i)/dy are constant per triangle: the opposite edge's normal over twice the area
    gx = np.stack([y[:, 1] - y[:, 2], y[:, 2] - y[:, 0], y[:, 0] - y[:, 1]], axis=1) / area[:, None]
    gy = np.stack([x[:, 2] - x[:, 1], x[:, 0] - x[:, 2], x[:, 1] - x[:, 0]], axis=1) / area[:, None]
    grad = np.sqrt(gx ** 2 + gy ** 2)
    return (b / np.maximum(grad, 1e-6)).min(1)
