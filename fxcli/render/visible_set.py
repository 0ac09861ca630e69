"""The ICT head's potentially visible set: the triangles that can own a pixel within a stated range of views.

Most of the ICT head's 51k drawn triangles never show in a talking-head video: the backs of the eyeballs,
the deep mouth socket, the gums and the backs of the teeth, the eye sockets behind closed lids. The OpenGL
renderer on a CPU (Mesa llvmpipe) pays per triangle (vertex work, setup, binning), not per pixel, so
drawing only the triangles that can be seen makes a frame's draw much cheaper with the same pixels.

Which surfaces are seen depends only on where the eye is relative to the head (the camera's own turn and
roll move the picture, not what is hidden), on the expression and on the identity. The set shipped in
fxcli/assets/ict_visible_set/ was found by drawing triangle ids (`TriangleIds`) for thousands of eye
positions x expressions x identities inside RANGE (scripts/build_visible_set.py, its README), then grown
by rings of neighbouring triangles. `draw_mesh` uses it only when every frame of a render lies inside
RANGE, otherwise the full mesh. The triangles kept are drawn in their original order, so a triangle left
out that owns no pixel changes no pixel: depth ties still go to the same (earlier) triangle. The set is
sampled, not proven: on fresh samples a few pixels (a 1 px line in the mouth at extreme mixes) can differ;
FXE_ALL_TRIANGLES=1 draws the whole head in every frame.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fxcli.rigs.mesh import Mesh, rodrigues

ALL_TRIANGLES_VARIABLE = "FXE_ALL_TRIANGLES"  # set (not 0): every frame draws the whole head, pixel-exact
ASSET = Path(__file__).resolve().parent.parent / "assets" / "ict_visible_set" / "visible_set.npz"


@contextlib.contextmanager
def whole_head():
    """Within: every render draws the whole ICT head, as with FXE_ALL_TRIANGLES=1 (benchmarks, comparisons)."""
    before = os.environ.get(ALL_TRIANGLES_VARIABLE)
    os.environ[ALL_TRIANGLES_VARIABLE] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ALL_TRIANGLES_VARIABLE, None)
        else:
            os.environ[ALL_TRIANGLES_VARIABLE] = before


@dataclass(frozen=True)
class VisibleRange:
    """Where the set holds. Angles are the eye's direction from the face's centre in the head's own frame
    (yaw > 0: the eye on the face's left, pitch > 0: above); distance relative to the front framing camera's."""

    yaw_deg: float = 45.0
    pitch_deg: float = 30.0
    min_distance: float = 0.9  # x the distance of Camera.framing(front) for a square picture
    max_side: int = 1024  # pixels; at larger sizes thinner slivers could own a pixel
    max_weight: float = 1.0  # every arkit52 weight in [0, max_weight]
    max_identity: float = 3.0  # every identity coefficient within +-3 standard deviations


RANGE = VisibleRange()

ID_VERTEX_SHADER = """
#version 330
uniform mat4 mvp;
uniform vec2 jitter;  // sub-pixel offset in clip units
in vec3 in_pos;
void main() {
    vec4 p = mvp * vec4(in_pos, 1.0);
    gl_Position = vec4(p.xy + jitter * p.w, p.zw);
}
"""
ID_FRAGMENT_SHADER = """
#version 330
out vec4 frag;
void main() {
    int id = gl_PrimitiveID + 1;  // 0 is the background
    frag = vec4(float(id & 255), float((id >> 8) & 255), float((id >> 16) & 255), 255.0) / 255.0;
}
"""


class TriangleIds:
    """Draws a mesh with each pixel holding the index of the triangle that owns it (-1: background).

    Same depth test, triangle order and rasteriser as GlRenderer, so "owns a pixel" means the same thing.
    """

    def __init__(self, size: tuple[int, int], triangles: np.ndarray, n_vertices: int):
        from fxcli.render.gl_renderer import create_context

        self.size = size
        self.ctx = create_context()
        self.program = self.ctx.program(vertex_shader=ID_VERTEX_SHADER, fragment_shader=ID_FRAGMENT_SHADER)
        self.vbo = self.ctx.buffer(reserve=n_vertices * 12, dynamic=True)
        self.ibo = self.ctx.buffer(np.ascontiguousarray(triangles, np.int32).tobytes())
        self.vao = self.ctx.vertex_array(self.program, [(self.vbo, "3f", "in_pos")], index_buffer=self.ibo,
                                         index_element_size=4)
        self.fbo = self.ctx.simple_framebuffer(size, components=4)
        self.n_triangles = len(triangles)

    def ids(self, vertices: np.ndarray, camera, jitter: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
        """(H, W) int64 triangle index per pixel, bottom row first; `jitter` shifts the picture in pixels."""
        with self.ctx:
            self.fbo.use()
            self.ctx.enable(self.ctx.DEPTH_TEST)
            self.vbo.write(np.ascontiguousarray(vertices, np.float32))
            self.program["mvp"].write(np.ascontiguousarray((camera.projection @ camera.view).T, np.float32))
            self.program["jitter"].value = (2 * jitter[0] / self.size[0], 2 * jitter[1] / self.size[1])
            self.fbo.clear(0.0, 0.0, 0.0, 0.0, depth=1.0)
            self.vao.render()
            px = np.frombuffer(self.fbo.read(components=4, alignment=1), np.uint8).reshape(-1, 4)
        ids = px[:, 0].astype(np.int64) | (px[:, 1].astype(np.int64) << 8) | (px[:, 2].astype(np.int64) << 16)
        return (ids - 1).reshape(self.size[1], self.size[0])

    def seen(self, vertices: np.ndarray, camera, jitter: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
        """Boolean (F,) mask of the triangles that own at least one pixel."""
        mask = np.zeros(self.n_triangles + 1, bool)
        mask[self.ids(vertices, camera, jitter).ravel()] = True  # -1 (background) lands on the spare last slot
        return mask[:-1]

    def close(self) -> None:
        self.ctx.release()


def grow_rings(mask: np.ndarray, triangles: np.ndarray, rings: int) -> np.ndarray:
    """`mask` plus every triangle within `rings` steps of it across shared edges."""
    edges = np.sort(triangles[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 3, 2), axis=2).reshape(-1, 2)
    _, edge_id = np.unique(edges, axis=0, return_inverse=True)
    edge_id = edge_id.reshape(-1, 3)  # (F, 3) edge index of each triangle's sides
    mask = mask.copy()
    for _ in range(rings):
        touched = np.zeros(edge_id.max() + 1, bool)
        touched[edge_id[mask].ravel()] = True
        mask |= touched[edge_id].any(1)
    return mask


def triangles_digest(triangles: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(triangles, np.int32).tobytes()).hexdigest()


@dataclass
class VisibleSets:
    """Per identity class and cell of eye directions (yaw bins x pitch bins, degrees), a mask over
    IctRig.mesh.triangles. Class k holds identities whose coefficients all lie within +-identity_bounds[k]
    (the mean head alone is class 0 with bound 0: fewer triangles than any identity may show)."""

    identity_bounds: np.ndarray  # (K,) ascending
    yaw_edges: np.ndarray  # (Y + 1,) ascending
    pitch_edges: np.ndarray  # (P + 1,) ascending
    masks: np.ndarray  # (K, Y, P, F) bool
    triangles_sha256: str

    def identity_class(self, identity: np.ndarray | None) -> int:
        """The tightest class that holds `identity`; -1 when none does."""
        largest = 0.0 if identity is None else float(np.abs(np.asarray(identity, np.float64)).max(initial=0.0))
        fits = np.flatnonzero(self.identity_bounds >= largest)
        return int(fits[0]) if len(fits) else -1

    def cell(self, yaw: np.ndarray, pitch: np.ndarray) -> np.ndarray:
        """(T, 2) cell indices per direction; -1 where a direction lies outside every cell."""
        y = np.clip(np.searchsorted(self.yaw_edges, yaw, side="right") - 1, 0, len(self.yaw_edges) - 2)
        p = np.clip(np.searchsorted(self.pitch_edges, pitch, side="right") - 1, 0, len(self.pitch_edges) - 2)
        inside = ((yaw >= self.yaw_edges[0]) & (yaw <= self.yaw_edges[-1])
                  & (pitch >= self.pitch_edges[0]) & (pitch <= self.pitch_edges[-1]))
        return np.where(inside[:, None], np.stack([y, p], axis=1), -1)


@functools.lru_cache(maxsize=1)
def load_visible_set(path: str = str(ASSET)) -> VisibleSets | None:
    """The shipped sets; None when the asset is absent."""
    if not Path(path).is_file():
        return None
    with np.load(path, allow_pickle=False) as z:
        n = int(z["n_triangles"])
        packed = z["packed"]  # (K, Y, P, ceil(F / 8)) uint8
        masks = np.unpackbits(packed, axis=-1)[..., :n].astype(bool)
        return VisibleSets(z["identity_bounds"].astype(np.float64), z["yaw_edges"].astype(np.float64),
                           z["pitch_edges"].astype(np.float64), masks, str(z["triangles_sha256"]))


def eye_in_head(camera, poses: np.ndarray | None, pivot: np.ndarray, center: np.ndarray,
                n_frames: int) -> np.ndarray:
    """(T, 3) yaw and pitch (degrees) and distance of the camera's eye seen from the head's own frame.

    The head turns by the track's axis-angle pose about `pivot`; the eye's direction and distance are
    taken from the face's centre `center` in the head's rest frame.
    """
    view = np.asarray(camera.view, np.float64)
    eye = -view[:3, :3].T @ view[:3, 3]  # camera position in world space
    if poses is None:
        rel = np.broadcast_to(eye - center, (n_frames, 3))
    else:
        rot = rodrigues(np.asarray(poses, np.float64))  # (T, 3, 3) head rotations
        # the eye moved into the head's rest frame: R^T (eye - pivot) + pivot
        rel = np.einsum("tji,j->ti", rot, eye - pivot) + pivot - center
    dist = np.linalg.norm(rel, axis=1)
    yaw = np.degrees(np.arctan2(rel[:, 0], rel[:, 2]))
    pitch = np.degrees(np.arctan2(rel[:, 1], np.hypot(rel[:, 0], rel[:, 2])))
    return np.stack([yaw, pitch, dist], axis=1)


def reference_distance(frame_box: np.ndarray) -> float:
    """Distance from the face's centre of the front camera that frames `frame_box` in a square picture."""
    from fxcli.render.camera import Camera

    view = Camera.framing(frame_box, (512, 512), "front").view.astype(np.float64)
    eye = -view[:3, :3].T @ view[:3, 3]
    return float(np.linalg.norm(eye - (frame_box[0] + frame_box[1]) / 2))


def frame_meshes(rig, mesh: Mesh, track, camera, size: tuple[int, int], identity: np.ndarray | None = None,
                 frames: list[int] | None = None, limits: VisibleRange = RANGE,
                 sets: VisibleSets | None = None) -> list[Mesh]:
    """The mesh to draw for each rendered frame (all of the track's, or `frames`).

    A frame inside `limits` and a cell of the shipped sets gets `mesh` without the ICT triangles that
    cannot own a pixel there; any other frame (and any render of another rig, of a picture larger than
    limits.max_side, of an identity beyond +-limits.max_identity) gets `mesh` itself. `mesh` is the ICT
    head's drawn mesh, optionally followed by extra triangles (the brows), which are always kept. Normals
    must still come from the full mesh: a left-out triangle still bends its neighbours' normals.
    """
    order = list(range(track.n_frames)) if frames is None else list(frames)
    full = [mesh] * len(order)
    if os.environ.get(ALL_TRIANGLES_VARIABLE, "") not in ("", "0"):
        return full
    if not hasattr(rig, "identity_weights") or track.space != "arkit52" or not order:
        return full
    sets = load_visible_set() if sets is None else sets
    n_ict = len(rig.mesh.triangles)
    if (sets is None or sets.masks.shape[-1] != n_ict or sets.triangles_sha256 != _digest_of(rig)
            or len(mesh.triangles) < n_ict or not np.array_equal(mesh.triangles[:n_ict], rig.mesh.triangles)):
        return full
    if max(size) > limits.max_side:
        return full
    kind = sets.identity_class(identity)
    if kind < 0 or (identity is not None and (np.abs(np.asarray(identity, np.float64)) > limits.max_identity).any()):
        return full
    from fxcli.tracks.channels import ARKIT52

    weights = track.as_channels(ARKIT52)[order]
    ok = ((weights >= 0) & (weights <= limits.max_weight)).all(axis=1)
    box = rig.mesh.frame_box.astype(np.float64)
    poses = None if track.pose is None else np.asarray(track.pose, np.float64)[order]
    eyes = eye_in_head(camera, poses, rig.mesh.pivot.astype(np.float64), (box[0] + box[1]) / 2, len(order))
    ok &= eyes[:, 2] >= limits.min_distance * reference_distance(rig.mesh.frame_box)
    ok &= (np.abs(eyes[:, 0]) <= limits.yaw_deg) & (np.abs(eyes[:, 1]) <= limits.pitch_deg)
    cells = sets.cell(eyes[:, 0], eyes[:, 1])
    ok &= cells[:, 0] >= 0
    return [_culled(mesh, sets, n_ict, (kind, int(c[0]), int(c[1]))) if good else mesh
            for good, c in zip(ok, cells, strict=True)]


_CULLED: dict[tuple[int, ...], tuple[Mesh, VisibleSets, Mesh]] = {}
_SHADING: dict[int, tuple[Mesh, Mesh]] = {}  # id(culled mesh) -> (culled mesh, the mesh its normals come from)


def _culled(mesh: Mesh, sets: VisibleSets, n_ict: int, cell: tuple[int, int, int]) -> Mesh:
    """`mesh` without the triangles that own no pixel in `cell` (identity class, yaw bin, pitch bin); one
    object per (mesh, sets, cell), so the renderer keeps one index buffer per cell."""
    key = (id(mesh), id(sets), *cell)
    hit = _CULLED.get(key)
    if hit is not None and hit[0] is mesh and hit[1] is sets:
        return hit[2]
    keep = np.concatenate([sets.masks[cell], np.ones(len(mesh.triangles) - n_ict, bool)])
    culled = Mesh(np.ascontiguousarray(mesh.triangles[keep]), mesh.colors, mesh.frame_box, mesh.pivot,
                  mesh.n_vertices)
    # normals of the drawn vertices need every triangle around them, drawn or not (in the same order, so
    # the sums come out bit for bit as over the whole mesh)
    used = np.zeros(mesh.n_vertices, bool)
    used[culled.triangles.ravel()] = True
    around = Mesh(np.ascontiguousarray(mesh.triangles[used[mesh.triangles].any(1)]), mesh.colors, mesh.frame_box,
                  mesh.pivot, mesh.n_vertices)
    if len(_CULLED) > 256:
        _CULLED.clear()
        _SHADING.clear()
    _CULLED[key] = (mesh, sets, culled)
    _SHADING[id(culled)] = (culled, around)
    return culled


def normals_mesh(drawn: Mesh) -> Mesh:
    """The mesh whose `vertex_normals` give the normals of every vertex `drawn` uses: for a culled mesh,
    the triangles around its vertices (about half the head); for any other mesh, itself."""
    hit = _SHADING.get(id(drawn))
    return hit[1] if hit is not None and hit[0] is drawn else drawn


@functools.lru_cache(maxsize=2)
def _digest_of(rig) -> str:
    return triangles_digest(rig.mesh.triangles)


def direction(yaw_deg: float, pitch_deg: float) -> np.ndarray:
    """Unit vector toward yaw/pitch (the convention of eye_in_head)."""
    y, p = math.radians(yaw_deg), math.radians(pitch_deg)
    return np.array([math.sin(y) * math.cos(p), math.sin(p), math.cos(y) * math.cos(p)])
