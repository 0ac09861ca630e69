"""Expression-ratio images: the shading an expression adds (creases, folds, bulges) carried onto the photo.

The technique (Liu, Shan and Zhang, "Expressive expression mapping with ratio images", SIGGRAPH 2001):
under the same light, the picture of an expressed face divided by the picture of the same face before
the expression is, at each surface point, the change of its shading; multiplying the photo by it adds
the creases without changing the person's albedo. Here both pictures are of the ICT head (its face part),
posed as the photo's face (the similarity transform the editor fits), shaded cheaply per vertex:

    shade = AMBIENT + (1 - AMBIENT) * max(n . l, 0) * (1 - CAVITY * concavity)

with l a light from the camera and a little above, and `concavity` how far a vertex lies behind its
ring of neighbours along its normal (a crease's floor darkens as a real one does: less light reaches it).
The ratio shade(target) / shade(source) is taken per vertex, splatted at the target's vertex positions in
the photo and smoothed (a normalised Gaussian of the splats, about two vertex spacings wide), then
scaled by GAIN (brightening by BRIGHTEN less) and clipped to RATIO_RANGE. Where the expression moves nothing, the ratio is
exactly 1, so the photo there is unchanged.

The editor applies the ratio r to the skin's red, green and blue as r ** SKIN_TINT (0.6, 1, 1.3), then
scales the three so that the pixel's luma is r times the photo's: the light in a crease is mostly light that
the skin around it reflected, so it is skin-coloured, and the skin in a fold darkens to a deeper, redder tone
rather than to grey, by as much as the ratio says. Multiplied equally on all three channels, a chin or
nasolabial fold of 0.6 on fair or orange-lit skin read as a grey-green smudge. A brightening (r above 1) is
applied equally to the three: tinted the same way, a stretched cheek turned blue-violet.
"""

from __future__ import annotations

import numpy as np

from fxcli.edit.polygons import grown_box

AMBIENT = 0.25
CAVITY = 6.0  # per cm of concavity
LIGHT = np.array([0.0, -0.35, -1.0])  # image frame (x right, y down, -z toward the camera): front, from above
GAIN = 2.0
RATIO_RANGE = (0.55, 1.15)
BRIGHTEN = 0.5  # brightening relative to darkening: a relaxed cheek or fold lightens less than a crease darkens
BORDER_RINGS = 3
COVER_FLOOR = 0.05  # of the typical (90th percentile) splat density: less is not covered by the face
SIGMA_WORK = 6.0  # px: the widest splat worked out at full resolution (a face ~250 px across); larger, coarser
BROAD_SCALE = 3.0  # the broad part of the change: blurred this many splat widths
BROAD_SHARE = 0.35
SKIN_TINT = (0.6, 1.0, 1.3)  # R, G, B: the editor applies a ratio r as r ** SKIN_TINT[c] (module doc)
FLIP = np.diag([1.0, -1.0, -1.0])


class FaceShading:
    """The ICT face part's triangles, neighbours and a cached pose-free setup for ratio images."""

    def __init__(self, rig):
        v0, v1 = rig.parts["face"]
        self.v0, self.n = v0, v1 - v0 + 1
        tri = rig.all_triangles
        tri = tri[(tri >= v0).all(1) & (tri <= v1).all(1)] - v0
        self.triangles = tri
        rows = np.r_[tri[:, 0], tri[:, 1], tri[:, 2], tri[:, 1], tri[:, 2], tri[:, 0]].astype(np.int64)
        cols = np.r_[tri[:, 1], tri[:, 2], tri[:, 0], tri[:, 0], tri[:, 1], tri[:, 2]].astype(np.int64)
        pairs = np.unique(rows * self.n + cols)  # each neighbour once
        self._rows, self._cols = pairs // self.n, pairs % self.n
        self._degree = np.maximum(np.bincount(self._rows, minlength=self.n), 1).astype(np.float64)
        # the face part's outer border (neck, ears, scalp) and BORDER_RINGS rings inside it: one-sided
        # normals there turn with any motion, so they carry no ratio
        edges = np.sort(np.r_[tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]], axis=1)
        keys, counts = np.unique(edges[:, 0].astype(np.int64) * self.n + edges[:, 1], return_counts=True)
        single = keys[counts == 1]
        border = np.c_[single // self.n, single % self.n]
        # only the outer border (neck, ears, scalp: the largest loop); the lips' and lids' edges keep theirs
        label = np.arange(self.n)
        while True:  # connected components of the border edges: each vertex takes its loop's smallest index
            low = np.minimum(label[border[:, 0]], label[border[:, 1]])
            new = label.copy()
            np.minimum.at(new, border[:, 0], low)
            np.minimum.at(new, border[:, 1], low)
            if np.array_equal(new, label):
                break
            label = new
        on_border = np.zeros(self.n, bool)
        on_border[border.ravel()] = True
        outer = np.bincount(label[on_border]).argmax()
        near = on_border & (label == outer)
        for _ in range(BORDER_RINGS):
            near |= np.bincount(self._rows, weights=near[self._cols], minlength=self.n) > 0
        self.trusted = ~near
        self.neutral = rig.neutral[v0:v1 + 1].astype(np.float64)
        self.deltas = rig.expression_deltas.reshape(len(rig.shape_names), rig.n_vertices, 3)[:, v0:v1 + 1]
        self._neutral_surface = None  # surface() of the neutral head, made on first use

    STATE = ("triangles", "_rows", "_cols", "_degree", "trusted", "neutral", "deltas")

    def state(self) -> dict[str, np.ndarray]:
        """The arrays that define this shading (fxcli/edit/assets.py caches them)."""
        return {k.lstrip("_"): np.asarray(getattr(self, k)) for k in self.STATE} | {"v0": np.array(self.v0)}

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray]) -> FaceShading:
        """The shading rebuilt from `state()`."""
        shading = cls.__new__(cls)
        for k in cls.STATE:
            setattr(shading, k, state[k.lstrip("_")])
        shading.v0, shading.n = int(state["v0"]), len(state["neutral"])
        shading._neutral_surface = None
        return shading

    def vertices(self, ict_weights: np.ndarray) -> np.ndarray:
        """(n, 3) ICT cm of the face part under ICT weights (53,)."""
        w = np.asarray(ict_weights, np.float64)
        live = np.flatnonzero(np.abs(w) > 1e-6)
        return self.neutral + np.tensordot(w[live], self.deltas[live], axes=1)

    def normals(self, vertices: np.ndarray) -> np.ndarray:
        t = self.triangles
        face = np.cross(vertices[t[:, 1]] - vertices[t[:, 0]], vertices[t[:, 2]] - vertices[t[:, 0]])
        out = np.stack([sum(np.bincount(t[:, k], weights=face[:, d], minlength=len(vertices)) for k in range(3))
                        for d in range(3)], 1)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def surface(self, vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(unit normals (n, 3), concavity (n,) cm, + = hollow) of the face part: what shading needs of its shape."""
        n = self.normals(vertices)
        mean = np.stack([np.bincount(self._rows, weights=vertices[self._cols, d], minlength=self.n)
                         for d in range(3)], 1) / self._degree[:, None]
        return n, np.einsum("ij,ij->i", mean - vertices, n)

    def shade(self, vertices: np.ndarray, rot: np.ndarray, surface=None) -> tuple[np.ndarray, np.ndarray]:
        """(shade (n,), normal in the image frame (n, 3)) of the posed ICT face (rotation `rot` of the pose);
        `surface`: `surface(vertices)` when already known."""
        n, concavity = self.surface(vertices) if surface is None else surface
        n_img = (n @ FLIP) @ rot.T
        light = LIGHT / np.linalg.norm(LIGHT)
        lambert = np.clip(n_img @ light, 0.0, None)
        shade = AMBIENT + (1 - AMBIENT) * lambert * np.clip(1.0 - CAVITY * concavity, 0.2, 1.5)
        return shade, n_img

    def ratio_image(self, shape: tuple[int, ...], source_w: np.ndarray, target_w: np.ndarray, scale: float,
                    rot: np.ndarray, shift: np.ndarray) -> np.ndarray:
        """H x W float32 multiplier for the output photo (1 where the expression changes no shading)."""
        import cv2

        h, w = shape[:2]
        vs, vt = self.vertices(source_w), self.vertices(target_w)
        neutral = not np.any(np.abs(np.asarray(source_w)) > 1e-6)
        if neutral and self._neutral_surface is None:
            self._neutral_surface = self.surface(vs)  # every edit shades against the neutral head
        s_src, _ = self.shade(vs, rot, self._neutral_surface if neutral else None)
        s_tgt, n_img = self.shade(vt, rot)
        ratio = s_tgt / np.maximum(s_src, 1e-6)
        xy = scale * (vt @ FLIP) @ rot.T + shift  # the target's vertices in the output image
        facing = np.clip((-n_img[:, 2] - 0.15) / 0.35, 0.0, 1.0)  # fades out toward the silhouette
        visible = (facing > 0) & self.trusted
        change = np.where(visible, (ratio - 1.0) * facing, 0.0)
        out = np.ones((h, w), np.float32)
        if not np.any(np.abs(change) > 1e-6):
            return out
        px = np.round(xy[visible, :2]).astype(np.int64)
        inside = (px[:, 0] >= 0) & (px[:, 0] < w) & (px[:, 1] >= 0) & (px[:, 1] < h)
        px, c = px[inside], change[visible][inside]
        if not len(px):
            return out
        spacing = scale * 0.25  # ICT's face vertices lie ~0.25 cm apart
        sigma = max(1.0, 1.2 * spacing)
        pad = int(np.ceil(4 * sigma)) + 1
        x0, y0, x1, y1 = grown_box(*px.min(0), *(px.max(0) + 1), pad, shape)
        cw, ch = x1 - x0, y1 - y0  # work in the face's box only
        # a large face is worked out on a coarser grid (the splats' width at most SIGMA_WORK px) and scaled up:
        # the ratio is smooth at that scale, and the blurs' cost no longer grows with the photo's resolution
        step = max(1.0, sigma / SIGMA_WORK)
        gw, gh = int(np.ceil(cw / step)), int(np.ceil(ch / step))
        cell = np.minimum(((px - [x0, y0]) / step).astype(np.int64) if step > 1 else px - [x0, y0], [gw - 1, gh - 1])
        flat = cell[:, 1] * gw + cell[:, 0]
        acc = np.bincount(flat, weights=c, minlength=gw * gh).reshape(gh, gw).astype(np.float32)
        cnt = np.bincount(flat, minlength=gw * gh).reshape(gh, gw).astype(np.float32)
        acc = cv2.GaussianBlur(acc, (0, 0), sigma / step)
        cnt = cv2.GaussianBlur(cnt, (0, 0), sigma / step)
        # the vertices' density varies ~20-fold (ICT's lips and lids are dense, its chin sparse): a floor
        # relative to the densest pixel left the sparse chin uncovered, a hole ringed by its neighbours' change
        floor = COVER_FLOOR * float(np.percentile(cnt[cnt > 0], 90)) if (cnt > 0).any() else 0.0
        covered = cnt > floor
        mean = np.where(covered, acc / np.maximum(cnt, 1e-12), 0.0)
        # fades to nothing at the edge of the covered area (no step where the splats end)
        fade = np.clip((cnt - floor) / (0.5 * np.median(cnt[covered]) - floor), 0.0, 1.0) if covered.any() else 0.0
        mean = np.where(mean > 0, BRIGHTEN * mean, mean)
        change = narrow(mean * fade, sigma / step)
        if step > 1:
            change = cv2.resize(change.astype(np.float32), (cw, ch), interpolation=cv2.INTER_LINEAR)
        out[y0:y1, x0:x1] = 1.0 + GAIN * change
        return np.clip(out, *RATIO_RANGE).astype(np.float32)


def narrow(change: np.ndarray, sigma: float) -> np.ndarray:
    """The shading change with its broad part (blurred BROAD_SCALE * sigma) kept at BROAD_SHARE only: a crease
    is narrow, while a broad darkening (ICT's generic head differs from the person's in the large) reads as a
    dirty patch. The broad part is taken away only where it has the change's sign and up to the change's size,
    so nothing appears where nothing changed."""
    import cv2

    change = np.asarray(change, np.float32)
    broad = cv2.GaussianBlur(change, (0, 0), BROAD_SCALE * sigma)
    broad = np.where(change * broad > 0, np.sign(change) * np.minimum(np.abs(broad), np.abs(change)), 0.0)
    return change - (1.0 - BROAD_SHARE) * broad
