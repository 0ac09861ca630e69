"""An avatar = the ICT head of an identity, with brows, a hair or head-cover cap and its colours.

    model = AvatarModel.load()
    avatar = model.build(identity)                      # per identity: base mesh, extras, colours
    verts = avatar.vertices(weights (T, 52), heads (T, 3))   # (T, N, 3) posed, ready for a renderer
    picture = renderer.render(verts[0], avatar.mesh, model.camera(size))

Only the ICT triangles a front-facing avatar can show are kept (fxcli/avatar/visibility.py), and only
the vertices those triangles and the extras use are posed, so a frame costs a fraction of the full head.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from fxcli.avatar.appearance import Appearance
from fxcli.rigs.ict_extras import (
    HEAD_CENTRE,
    Extras,
    brow_extras,
    bun_extras,
    cap_extras,
    concat_extras,
    curtain_extras,
    facemesh_vertices,
    hairline_height,
    skull_top,
)
from fxcli.rigs.mesh import Mesh, rodrigues

# what the camera frames (cm, the mean head): chin to the top of the cap, ear to ear
AVATAR_BOX = np.array([[-9.6, -9.8, -3.0], [9.6, 16.6, 13.0]], np.float32)
FACE_CENTRE = np.array([0.0, 2.0, 9.0], np.float32)  # between the eyes and the mouth, on the face (cm)
LIPS_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146)
# the inside of the mouth reads dark, as in photographs (an open mouth is a dark shape, not a pink one)
FIXED = {"mouth_socket": (0.12, 0.04, 0.05), "gums_tongue": (0.34, 0.12, 0.14), "teeth": (0.96, 0.94, 0.88)}
# iris and pupil half-angles on the eyeball (degrees): an 11.5 mm iris on a 24 mm eyeball, so white shows
# above it when the lids open wide (surprise, fear)
IRIS_DEG, PUPIL_DEG = 28.0, 12.0


def _in_polygon(points: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Even-odd rule: which 2-D points lie inside the closed polygon."""
    x, y = points[:, 0], points[:, 1]
    inside = np.zeros(len(points), bool)
    for (x0, y0), (x1, y1) in zip(poly, np.roll(poly, -1, axis=0), strict=True):
        crosses = (y0 > y) != (y1 > y)
        xint = x0 + (y - y0) * (x1 - x0) / np.where(y1 == y0, 1e-12, y1 - y0)
        inside ^= crosses & (x < xint)
    return inside


def _eye_colors(ball: np.ndarray, centre: np.ndarray, iris: np.ndarray) -> np.ndarray:
    """Sclera, iris and pupil colours of an eyeball's vertices (V, 3) looking along +z."""
    d = ball - centre
    cos = d[:, 2] / np.maximum(np.linalg.norm(d, axis=1), 1e-9)
    out = np.tile(np.array([0.95, 0.93, 0.90], np.float32), (len(ball), 1))
    out[cos > np.cos(np.radians(IRIS_DEG))] = iris
    out[cos > np.cos(np.radians(PUPIL_DEG))] = (0.02, 0.02, 0.02)
    return out


def avatar_camera(size: tuple[int, int]):
    """A front camera whose picture holds AVATAR_BOX's front (chin to cap, ear to ear) with a small margin."""
    import math

    from fxcli.render.camera import FOV_Y_DEG, Camera, look_at, perspective

    width, height = size
    lo, hi = AVATAR_BOX.astype(np.float64)
    centre = np.array([0.0, (lo[1] + hi[1]) / 2, 0.0])
    half_h = (hi[1] - lo[1]) / 2 * 1.04
    half_w = (hi[0] - lo[0]) / 2 * 1.04
    tan_y = math.tan(math.radians(FOV_Y_DEG) / 2)
    # fit at the depth of the cheeks (z ~ 6 cm): the head's widest outline
    distance = max(half_h / tan_y, half_w / (tan_y * width / height)) + 6.0
    eye = centre + np.array([0.0, 0.0, distance])
    view = look_at(eye, centre, np.array([0.0, 1.0, 0.0]))
    proj = perspective(FOV_Y_DEG, width / height, distance - 30.0, distance + 30.0)
    return Camera(view.astype(np.float32), proj.astype(np.float32))


@dataclass
class Avatar:
    """One identity ready to pose: `vertices(weights, heads)` and the renderer's `mesh`."""

    model: AvatarModel
    base: np.ndarray  # (N_need, 3) the identity's neutral vertices of the needed ICT vertices
    extras: Extras  # anchors re-indexed into the needed vertices
    mesh: Mesh
    appearance: Appearance

    def vertices(self, weights: np.ndarray, heads: np.ndarray | None = None, recentre: bool = False) -> np.ndarray:
        """Posed vertices (T, N, 3) for ARKit-52 weights (T, 52) and head rotations (T, 3) (axis-angle).

        recentre: shift each turned head sideways and vertically so the face's centre stays where the
        camera frames it (for strong fitted poses; the neck then leaves the frame's centre instead).
        """
        m = self.model
        w = m.rig.arkit52_to_ict(np.atleast_2d(np.asarray(weights, np.float32)))
        moved = (w @ m.deltas).reshape(len(w), -1, 3)  # (T, N_need, 3)
        moved += self.base
        ict = moved[:, m.draw_local]
        extra = self.extras.positions(moved)
        out = np.concatenate([ict, extra], axis=1)
        if heads is not None:
            heads = np.atleast_2d(np.asarray(heads, np.float64))
            moving = np.flatnonzero(np.any(heads != 0, axis=1))  # only turned heads are rotated
            rot = rodrigues(heads[moving]).astype(np.float32)  # (M, 3, 3)
            pivot = m.rig.mesh.pivot
            turned = np.matmul(out[moving] - pivot, rot.transpose(0, 2, 1)) + pivot  # (M, N, 3)
            if recentre:
                moved_centre = np.einsum("tdc,c->td", rot, FACE_CENTRE - pivot) + pivot
                turned[..., :2] += (FACE_CENTRE - moved_centre)[:, None, :2]
            out[moving] = turned
        return out


class AvatarModel:
    """The ICT rig prepared for avatars (visible triangles, the posing matrix of the needed vertices)."""

    def __init__(self, rig):
        from fxcli.avatar.visibility import visible_triangle_mask

        self.rig = rig
        mask = visible_triangle_mask(len(rig.triangles))
        tri = rig.triangles if mask is None else rig.triangles[mask]
        draw = np.unique(tri)
        # the extras' anchors: brows on FaceMesh's brow vertices, the cap on the scalp, hair off the skull
        # on its top vertex
        probe = self._extras(rig.neutral, None)
        need = np.union1d(draw, np.append(probe.anchors.ravel(), skull_top(rig.neutral, rig.parts)))
        self.need = need
        pos = np.full(rig.n_vertices, -1, np.int64)
        pos[need] = np.arange(len(need))
        self.need_pos = pos
        self.draw_local = pos[draw]
        draw_pos = np.full(rig.n_vertices, -1, np.int64)
        draw_pos[draw] = np.arange(len(draw))
        self.triangles = draw_pos[tri].astype(np.int32)
        self.draw = draw
        cols = (need[:, None] * 3 + np.arange(3)).ravel()
        self.deltas = np.ascontiguousarray(rig.expression_deltas[:, cols])  # (53, N_need*3)
        self.pivot = rig.mesh.pivot

    @classmethod
    @functools.lru_cache(maxsize=1)
    def load(cls) -> AvatarModel:
        from fxcli.rigs.ict_rig import IctRig

        return cls(IctRig.load())

    def camera(self, size: tuple[int, int]):
        return avatar_camera(size)

    @staticmethod
    def cap_params(appearance: Appearance | None) -> dict:
        """Hairline heights (cm) and shell thickness of an appearance's hair or head cover."""
        if appearance is None:  # wider than any cap of the mean head: the anchors caps of most heads use
            return {"front": 7.5, "temple": 4.5, "side": 1.5, "back": -9.0, "start": 0.0}
        lift = appearance.hairline
        style = appearance.hair_style
        if style == "cover":
            return {"front": 9.6 + 0.3 * lift, "temple": 6.8, "side": 3.5, "back": -6.0, "thickness": 1.0,
                    "edge": 0.35, "start": 0.0}
        if style == "volume":  # thick and round: grows to 2 cm within 2.5 cm of the hairline
            return {"front": 10.0 + lift, "temple": 7.6 + 0.6 * lift, "side": 5.6, "back": -3.0, "start": 0.3,
                    "edge": 0.5, "thickness": 2.0}
        if style == "long":  # parted hair lies flat on the crown; the curtain carries the volume
            return {"front": 10.2 + lift, "temple": 8.0 + 0.6 * lift, "side": 6.2, "back": -3.0, "start": 0.5,
                    "edge": 0.0, "thickness": 0.7}
        return {"front": 10.0 + lift, "temple": 8.0 + 0.6 * lift, "side": 6.2, "back": -3.0, "start": 0.5,
                "edge": 0.0}

    def _extras(self, base: np.ndarray, appearance: Appearance | None) -> Extras:
        rig = self.rig
        parts = [brow_extras(base, rig.all_triangles, appearance.brow_scale if appearance else 1.0)]
        style = appearance.hair_style if appearance else "short"
        if style != "bald":
            parts.append(cap_extras(base, rig.parts, rig.all_triangles, **self.cap_params(appearance)))
        if style == "long":
            parts.append(curtain_extras(base, rig.parts, bottom=appearance.hair_length))
        elif style == "bun":
            parts.append(bun_extras(base, rig.parts))
        return concat_extras(parts)

    def build(self, coefficients: np.ndarray, appearance: Appearance) -> Avatar:
        rig = self.rig
        full_base = rig.base(np.asarray(coefficients, np.float32))
        extras = self._extras(full_base, appearance)
        anchors = self.need_pos[extras.anchors]
        missing = (anchors < 0).any(1)  # a cap vertex of an unusual head outside the posed set: not drawn
        tris = extras.triangles[~missing[extras.triangles].any(1)]
        local = Extras(np.where(anchors < 0, 0, anchors).astype(np.int32), extras.weights, extras.offset, tris,
                       extras.kind)
        colors = np.concatenate([self._ict_colors(full_base, appearance)[self.draw],
                                 np.where(extras.kind[:, None] == 0, np.asarray(appearance.brow, np.float32),
                                          np.asarray(appearance.hair, np.float32))]).astype(np.float32)
        n_draw = len(self.draw)
        tris = np.concatenate([self.triangles, local.triangles + n_draw]).astype(np.int32)
        mesh = Mesh(tris, colors, AVATAR_BOX, self.pivot, n_draw + extras.n)
        return Avatar(self, full_base[self.need].astype(np.float32), local, mesh, appearance)

    def _ict_colors(self, base: np.ndarray, a: Appearance) -> np.ndarray:
        rig = self.rig
        skin = np.asarray(a.skin, np.float32)
        colors = np.tile(skin, (rig.n_vertices, 1))
        for name, (v0, v1) in rig.parts.items():
            if name in FIXED:
                colors[v0:v1 + 1] = FIXED[name]
            elif name.startswith("eye_socket"):
                colors[v0:v1 + 1] = skin * 0.78
            elif name.startswith("eyelashes"):
                colors[v0:v1 + 1] = np.asarray(a.brow) * 0.6
        colors[slice(*rig.parts["mouth_socket"])] *= 0.6 + 0.4 * skin.mean()
        for side in ("left", "right"):
            v0, v1 = rig.parts[f"eyeball_{side}"]
            ball = base[v0:v1 + 1]
            centre = (ball.min(0) + ball.max(0)) / 2
            colors[v0:v1 + 1] = _eye_colors(ball, centre, np.asarray(a.iris, np.float32))
        colors += self._lip_weight()[:, None] * (np.asarray(a.lip, np.float32) - skin)
        if a.facial_hair != "none":
            strength = 0.28 if a.facial_hair == "stubble" else 0.9  # stubble: a shadow, not a smear
            w = self._facial_hair_weight(a.facial_hair)[:, None] * strength
            colors = colors * (1 - w) + np.asarray(a.hair if not a.cover else a.brow, np.float32) * w
        if a.hair_style not in ("cover", "bald"):  # hair coloured scalp below the shell's border: a soft hairline
            p = self.cap_params(a)
            v0, _ = rig.parts["face"]
            _, v1 = rig.parts["head_neck"]
            rel = base[v0:v1 + 1] - HEAD_CENTRE
            above = base[v0:v1 + 1, 1] - hairline_height(np.arctan2(rel[:, 0], rel[:, 2]), p["front"], p["temple"],
                                                         p["side"], p["back"])
            w = np.clip((above + 0.2) / 0.6, 0, 1)[:, None]
            colors[v0:v1 + 1] = colors[v0:v1 + 1] * (1 - w) + np.asarray(a.hair, np.float32) * w
        return colors

    @functools.cached_property
    def _lip_weight_cache(self) -> np.ndarray:
        rig = self.rig
        fm = facemesh_vertices()
        poly = rig.neutral[fm[list(LIPS_OUTER)], :2]
        v0, v1 = rig.parts["face"]
        face = rig.neutral[v0:v1 + 1]
        inside = _in_polygon(face[:, :2], poly) & (face[:, 2] > rig.neutral[fm[list(LIPS_OUTER)], 2].min() - 1.0)
        w = np.zeros(rig.n_vertices, np.float32)
        w[v0:v1 + 1] = inside
        # soften the edge: two rounds of averaging over each triangle's corners
        tri = rig.all_triangles
        for _ in range(2):
            acc = np.zeros_like(w)
            cnt = np.zeros_like(w)
            m = w[tri].mean(1)
            for k in range(3):
                np.add.at(acc, tri[:, k], m)
                np.add.at(cnt, tri[:, k], 1)
            w = np.where(cnt > 0, acc / np.maximum(cnt, 1), w)
        return np.clip(w * 1.3, 0, 1)

    def _lip_weight(self) -> np.ndarray:
        return self._lip_weight_cache

    @functools.lru_cache(maxsize=4)  # noqa: B019 (one model per process, three kinds)
    def _facial_hair_weight(self, kind: str) -> np.ndarray:
        """Per-vertex weight (V,) of a moustache, a beard (moustache, chin, jaw and sideburns) or stubble
        (the beard's area), laid on the mean head (ICT's vertices correspond across identities)."""
        rig = self.rig
        fm = facemesh_vertices()
        v0, v1 = rig.parts["face"]
        p = rig.neutral[v0:v1 + 1]
        x, y, z = p[:, 0], p[:, 1], p[:, 2]
        nose_y, lip_y = rig.neutral[fm[2], 1], rig.neutral[fm[13], 1]
        corner_x = abs(rig.neutral[fm[61], 0])
        front = z > 4.0
        # a band over the upper lip, from below the nostrils to the lip line, no wider than the mouth
        moustache = front & (y < nose_y - 0.6) & (y > lip_y + 0.1) & (np.abs(x) < corner_x + 0.2) & (z > 9.0)
        w = moustache.astype(np.float32)
        if kind != "moustache":
            chin_y = rig.neutral[fm[152], 1]
            jaw = (y < lip_y - 0.5) & (y > chin_y - 2.2 + 0.25 * np.abs(x)) & (z > -1.0)
            sideburn = (np.abs(x) > 5.2) & (y < 3.0) & (y > chin_y) & (z > -1.0) & (z < 6.5)
            cheek_edge = (y < lip_y + 0.8) & (np.abs(x) > corner_x + 0.9) & (z > -1.0)
            w = np.maximum(w, (jaw | sideburn | cheek_edge).astype(np.float32))
        full = np.zeros(rig.n_vertices, np.float32)
        full[v0:v1 + 1] = w
        tri = rig.all_triangles
        for _ in range(2):  # soften the border
            m = full[tri].mean(1)
            acc, cnt = np.zeros_like(full), np.zeros_like(full)
            for k in range(3):
                np.add.at(acc, tri[:, k], m)
                np.add.at(cnt, tri[:, k], 1)
            full = np.where(cnt > 0, acc / np.maximum(cnt, 1), full)
        return np.clip(full * (1 - self._lip_weight()), 0, 1)
