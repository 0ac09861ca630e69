"""The inside of the mouth from the ICT head's own geometry, posed onto a photo's edited landmarks.

What is rendered: the ICT Face Model's mouth socket (the inner walls of the lips and cheeks, the palate),
its gums and tongue and its teeth, as shipped in `fxcli/assets/ict_mouth/ict_mouth.npz` (a subset of the
vendored ICT head, MIT; made by `python3 scripts/build_ict_mouth.py`). The upper teeth and the palate are fixed
to the skull; the lower teeth, the lower gums and the tongue move with ICT's jawOpen shape, whose motion of those
vertices the file keeps.

How it is posed: a scaled orthographic camera (scale, rotation, shift) is fitted by least squares to the
photo's landmarks `src` (468, 2) from the ICT vertices under FaceMesh's landmarks (`fxcli/assets/ict_facemesh`)
at the landmarks that no expression shape moves more than STABLE_CM (nose, eye corners, temples), so the skull
is placed by the photo's face and stays still while an edit moves the lips (without `src`: fitted to `dst`).
It is shifted as dst's nose bridge moved (a crop), and by how far the photo's relaxed upper inner lip sits from
ICT's, less INCISOR_SHOW_CM (a parted mouth shows a millimetre or two of the upper incisors). The jaw's opening
is the jawOpen weight whose motion of the inner lips, seen through that camera, best explains how far apart the
edited inner lips `dst` are (least squares over the lip pairs, 0 .. JAW_MAX); what it leaves unexplained of the
lower lip's place moves the jaw's vertices with the lip, so the lower teeth stay under it.

How it is shaded: per vertex, Lambert from the camera's direction (two-sided: the inside of a mouth is seen
from within), a little ambient, and a darkening with the depth behind the inner lips (the back of the mouth
gets little light: exp(-depth / DEPTH_CM)). With a falloff twice as steep (3.5 cm) the opened mouths of fear,
surprise and anger were black holes: on 30 portraits at alpha 1, the opening's median luma was 17.5 (under 15
on 44 % of edits; 31.2 and 13 % now), where a photo's open mouth shows its tongue in dull red. Albedos are set by the caller at the photo's exposure
(fxcli/edit/mouth_interior.py): the photo's teeth colour or enamel, a gum/tongue red and the cavity from the
lips' colour. Only the interior's triangles are rasterised, with a z-buffer at pixel centres, and only over
the box the caller asks for.
"""

from __future__ import annotations

import functools

import numpy as np

from fxcli.assets import asset_path

MOUTH_FILE = asset_path("ict_mouth", "ict_mouth.npz")
PARTS = ("mouth_socket", "gums_tongue", "teeth")
SOCKET, GUMS_TONGUE, TEETH = range(3)
FLIP = np.diag([1.0, -1.0, -1.0])  # ICT: y up, face toward +z; image: y down, nearer = smaller z
STABLE_CM = 0.25  # a landmark poses the skull when no expression shape moves its vertex more than this (cm)
POSE_RESIDUAL = 0.15  # the most a similarity may miss the stable landmarks by (share of their spread)
JAW_MAX = 1.5  # ICT's jawOpen is a milder opening than a photo's expression (the editor's MOTION_GAIN)
# the upper incisors' edge below the relaxed upper lip (cm): a parted mouth at rest shows about 1-3 mm of them;
# ICT's teeth end right at its upper lip, which would hide them in any mouth the upper lip does not lift
INCISOR_SHOW_CM = 0.1
DEPTH_CM = 7.0  # light falls by e over this depth behind the inner lips (about the mouth's own depth, lips to throat)
AMBIENT = 0.25
SIDE_CM = 1.6  # light falls by e this far (cm) to either side of the mouth's middle
RENDER_PIXELS = 3600  # the most grid pixels rasterised per mouth
CULL = -1.0  # keep the triangles facing the camera (counter-clockwise in ICT, clockwise in the image: y down)
# FaceMesh inner-lip pairs (upper, lower) across the opening: how far the jaw opened
NOSE_BRIDGE = (6, 197, 195)  # the skull's landmarks that no eye or brow shape moves
LOWER_MIDDLE = (178, 87, 14, 317, 402)  # the lower inner lip's middle: the lower teeth stay under it
UPPER_MIDDLE = (81, 82, 13, 312, 311)  # the upper inner lip's middle: where the upper teeth show below it
LIP_PAIRS = ((80, 88), (81, 178), (82, 87), (13, 14), (312, 317), (311, 402), (310, 318))


class MouthModel:
    """The ICT mouth interior (see the module doc): vertices (V, 3) cm in the image's axes (FLIP applied),
    jawOpen's motion of them, triangles, each vertex's part, and the 468 landmark vertices with their motion."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.vertices = arrays["vertices"].astype(np.float64) @ FLIP
        self.jaw = arrays["jaw"].astype(np.float64) @ FLIP
        self.triangles = arrays["triangles"].astype(np.int64)
        self.part = arrays["part"].astype(np.int64)
        self.landmarks = arrays["landmarks"].astype(np.float64) @ FLIP
        self.landmarks_jaw = arrays["landmarks_jaw"].astype(np.float64) @ FLIP
        # how much of the lower lip's jawOpen motion each vertex makes (0: the skull's parts, 1: the jaw's)
        reach = float(np.linalg.norm(self.landmarks_jaw[list(LOWER_MIDDLE)], axis=1).mean())
        self.jaw_share = np.clip(np.linalg.norm(self.jaw, axis=1) / max(reach, 1e-9), 0.0, 1.0)
        self.stable = np.flatnonzero(arrays["landmark_motion"] < STABLE_CM)
        self.normals0 = vertex_normals(self.vertices, self.triangles)
        self.normals1 = vertex_normals(self.vertices + self.jaw, self.triangles)

    def posed(self, jaw: float) -> tuple[np.ndarray, np.ndarray]:
        """Vertices (V, 3) and unit normals (V, 3) at a jawOpen weight."""
        normals = self.normals0 * (1 - jaw) + self.normals1 * jaw
        normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-9)
        return self.vertices + jaw * self.jaw, normals


def vertex_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals (V, 3)."""
    a, b, c = (vertices[triangles[:, k]] for k in range(3))
    face = np.cross(b - a, c - a)
    corners = triangles.reshape(-1)
    out = np.stack([np.bincount(corners, np.repeat(face[:, c], 3), len(vertices)) for c in range(3)], axis=1)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


@functools.lru_cache(maxsize=1)
def load_mouth() -> MouthModel:
    """The shipped mouth interior (cached per process)."""
    with np.load(MOUTH_FILE) as z:
        return MouthModel({k: z[k] for k in z.files})


def fit_camera(model_xyz: np.ndarray, image_xy: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Scaled orthographic camera (scale s, rotation R (3x3, det +1), shift t (2,)) with
    image ~ s * (R @ X)[:2] + t, fitted by least squares (an affine fit made orthonormal)."""
    mx, mi = model_xyz.mean(0), image_xy.mean(0)
    a, b = model_xyz - mx, image_xy - mi
    affine, *_ = np.linalg.lstsq(a, b, rcond=None)  # (3, 2): b ~ a @ affine
    u, sig, vt = np.linalg.svd(affine.T, full_matrices=False)  # (2, 3) = u diag(sig) vt
    rows = u @ vt  # the nearest pair of orthonormal rows
    rot = np.vstack([rows, np.cross(rows[0], rows[1])])
    scale = float(sig.mean())
    return scale, rot, mi - scale * rot[:2] @ mx


def jaw_weight(model: MouthModel, scale: float, rot: np.ndarray, dst: np.ndarray) -> float:
    """The jawOpen weight whose motion of the inner lips, seen through the camera, best explains dst's opening."""
    up, lo = (np.array(p) for p in zip(*LIP_PAIRS, strict=True))
    axis = rot[1, :]  # the model's vertical, as the camera's rows see it
    seen = (dst[lo] - dst[up]) @ (rot[:2] @ axis) / max(scale, 1e-9)  # dst's opening along the face's down axis (cm)
    base = (model.landmarks[lo] - model.landmarks[up]) @ axis
    motion = (model.landmarks_jaw[lo] - model.landmarks_jaw[up]) @ axis
    w = float((seen - base) @ motion / max(float(motion @ motion), 1e-9))
    return float(np.clip(w, 0.0, JAW_MAX))


def posable(dst: np.ndarray) -> bool:
    """Whether landmarks place the skull: the stable landmarks spread out (a whole face, not a drawn mouth alone)
    and a similarity explains them within POSE_RESIDUAL of their spread."""
    model = load_mouth()
    points = np.asarray(dst, np.float64)[model.stable, :2]
    spread = float(np.sqrt(((points - points.mean(0)) ** 2).sum(1).mean()))
    if not np.isfinite(spread) or spread < 4.0:
        return False
    scale, rot, shift = fit_camera(model.landmarks[model.stable], points)
    seen = scale * model.landmarks[model.stable] @ rot[:2].T + shift
    return float(np.sqrt(((seen - points) ** 2).sum(1).mean())) < POSE_RESIDUAL * spread


def lip_offset(model: MouthModel, src: np.ndarray) -> np.ndarray:
    """(2,) px: how far the photo's upper inner lip sits from ICT's, with the skull posed on the photo's own
    landmarks `src`: the person's lip over their teeth at rest is taken to be ICT's, so the teeth follow it."""
    src = np.asarray(src, np.float64)[:, :2]
    scale, rot, shift = fit_camera(model.landmarks[model.stable], src[model.stable])
    upper = list(UPPER_MIDDLE)
    down = scale * rot[:2] @ np.array([0.0, 1.0, 0.0])  # the face's down axis in the image (px per cm)
    return (src[upper] - (scale * model.landmarks[upper] @ rot[:2].T + shift)).mean(0) + INCISOR_SHOW_CM * down


def pose(dst: np.ndarray, src: np.ndarray | None = None) -> tuple[float, np.ndarray, np.ndarray, float]:
    """(scale, rotation, shift (2,), jawOpen weight) of the mouth interior at the edited landmarks `dst`; with
    the photo's landmarks `src`, the skull is posed on them and shifted by `lip_offset(src)`."""
    model = load_mouth()
    dst = np.asarray(dst, np.float64)[:, :2]
    if src is None:
        scale, rot, shift = fit_camera(model.landmarks[model.stable], dst[model.stable])
    else:
        # the skull as the photo shows it (an edit moves no bone but the jaw; a blink or a frown in dst must
        # not tilt the teeth), moved as dst's nose bridge moved (a crop's offset)
        src = np.asarray(src, np.float64)[:, :2]
        scale, rot, shift = fit_camera(model.landmarks[model.stable], src[model.stable])
        bridge = list(NOSE_BRIDGE)
        shift = shift + (dst[bridge] - src[bridge]).mean(0) + lip_offset(model, src)
    return scale, rot, shift, jaw_weight(model, scale, rot, dst)


def render_interior(dst: np.ndarray, box: tuple[int, int, int, int], albedo: np.ndarray,
                    src: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The posed, shaded mouth interior over `box` (x0, y0, x1, y1; pixels x0..x1-1): (RGB (h, w, 3) float,
    covered (h, w) bool, part (h, w) int, -1 where nothing) for albedos (3 parts, 3) RGB; `src`: see `pose`."""
    model = load_mouth()
    scale, rot, shift, jaw = pose(dst, src)
    verts, normals = model.posed(jaw)
    cam = verts @ rot.T  # camera axes, cm: x right, y down, z away from the viewer
    xy = scale * cam[:, :2] + shift
    # what jawOpen leaves unexplained of the lower lip's place (an opening beyond JAW_MAX, a lip pulled down or
    # aside) moves the jaw's parts along with it, so the lower teeth stay under the lower lip
    lower = list(LOWER_MIDDLE)
    seen = scale * ((model.landmarks[lower] + jaw * model.landmarks_jaw[lower]) @ rot.T)[:, :2] + shift
    xy += np.outer(model.jaw_share, (np.asarray(dst, np.float64)[lower, :2] - seen).mean(0))
    front = float(np.mean((model.landmarks[[p for pair in LIP_PAIRS for p in pair]] + 0.5 * jaw *
                           model.landmarks_jaw[[p for pair in LIP_PAIRS for p in pair]]) @ rot[2]))
    depth = np.maximum(cam[:, 2] - front, 0.0)
    lambert = np.abs(normals @ rot[2])  # light from the camera, both faces lit
    # the lips and cheeks shade what lies toward the mouth's corners (the side teeth recede into the shadow)
    side = np.exp(-(verts[:, 0] / SIDE_CM) ** 2)
    light = (AMBIENT + (1 - AMBIENT) * lambert) * np.exp(-depth / DEPTH_CM) * side
    colour = np.asarray(albedo, np.float64)[model.part] * light[:, None]
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        h, w = max(y1 - y0, 0), max(x1 - x0, 0)
        return np.zeros((h, w, 3)), np.zeros((h, w), bool), np.full((h, w), -1, np.int64)
    # a large mouth is rasterised on a coarser grid (at most RENDER_PIXELS) and scaled up: the time stays bounded
    step = max(1.0, float(np.sqrt((x1 - x0) * (y1 - y0) / RENDER_PIXELS)))
    w, h = int(np.ceil((x1 - x0) / step)), int(np.ceil((y1 - y0) / step))
    rgb, part = _rasterise(model.triangles, (xy - [x0, y0]) / step, cam[:, 2], colour, model.part, w, h)
    if step > 1.0:
        import cv2

        size = (x1 - x0, y1 - y0)
        rgb = cv2.resize(rgb.astype(np.float32), size, interpolation=cv2.INTER_LINEAR).astype(np.float64)
        part = cv2.resize(part.astype(np.int16), size, interpolation=cv2.INTER_NEAREST).astype(np.int64)
    return rgb, part >= 0, part


def _rasterise(tri: np.ndarray, xy: np.ndarray, z: np.ndarray, colour: np.ndarray, vertex_part: np.ndarray,
               w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Z-buffer at pixel centres of the triangles facing the camera (xy in grid pixels, z: larger is further):
    (RGB (h, w, 3) of the vertex colours interpolated, part (h, w), -1 where nothing)."""
    rgb = np.zeros((h, w, 3))
    part = np.full((h, w), -1, np.int64)
    from fxcli.render.software_renderer import barycentric, pixel_boxes

    x, y, z = xy[tri, 0], xy[tri, 1], z[tri]
    area, tx0, ty0, bw, bh = pixel_boxes(x, y, w, h)
    idx = np.flatnonzero((CULL * area > 1e-9) & (bw > 0) & (bh > 0))
    if not len(idx):
        return rgb, part
    counts = (bw * bh)[idx]
    t = np.repeat(idx, counts)
    local = np.arange(len(t)) - np.repeat(np.cumsum(counts) - counts, counts)
    px = tx0[t] + local % bw[t] + 0.5
    py = ty0[t] + local // bw[t] + 0.5
    b = barycentric(x[t], y[t], area[t], px, py)
    inside = (b >= 0).all(1)
    t, b = t[inside], b[inside]
    pix = (py[inside] - 0.5).astype(np.int64) * w + (px[inside] - 0.5).astype(np.int64)
    zz = np.einsum("nk,nk->n", b, z[t])
    order = np.lexsort((zz, pix))  # per pixel, nearest first
    pix, t, b = pix[order], t[order], b[order]
    first = np.ones(len(pix), bool)
    first[1:] = pix[1:] != pix[:-1]
    pix, t, b = pix[first], t[first], b[first]
    corners = tri[t]
    rgb.reshape(-1, 3)[pix] = np.einsum("nk,nkc->nc", b, colour[corners])
    # a pixel's part: the corner with the largest weight
    part.reshape(-1)[pix] = vertex_part[corners[np.arange(len(t)), np.argmax(b, 1)]]
    return rgb, part


def build_arrays() -> dict[str, np.ndarray]:
    """The mouth interior's arrays from the vendored ICT head (see the module doc)."""
    from fxcli import registry
    from fxcli.edit.facemesh_correspondence import load_correspondence

    with np.load(registry.resolve("ict-face-light").file("ict_face_light.npz"), allow_pickle=False) as z:
        data = {k: z[k] for k in ("vertices", "triangles", "group_names", "group_ranges",
                                  "expression_names", "expression_deltas")}
    names = [str(n) for n in data["group_names"]]
    shapes = [str(n) for n in data["expression_names"]]
    vert_all = data["vertices"].astype(np.float64)
    deltas = data["expression_deltas"]
    keep_v = np.zeros(len(vert_all), bool)
    part_all = np.full(len(vert_all), -1, np.int64)
    for k, name in enumerate(PARTS):
        v0, v1, _, _ = data["group_ranges"][names.index(name)]
        keep_v[v0:v1 + 1] = True
        part_all[v0:v1 + 1] = k
    tri = data["triangles"][keep_v[data["triangles"]].all(1)]  # the triangles between the parts' vertices
    new = np.full(len(vert_all), -1, np.int64)
    new[keep_v] = np.arange(keep_v.sum())
    jaw_all = deltas[shapes.index("jawOpen")].astype(np.float64)
    index = load_correspondence()
    pupils = [i for i, n in enumerate(shapes) if not n.startswith("PupilDilate")]
    motion = np.linalg.norm(deltas[pupils][:, index].astype(np.float32), axis=2).max(0)
    return {"vertices": vert_all[keep_v].astype(np.float32), "jaw": jaw_all[keep_v].astype(np.float32),
            "triangles": new[tri].astype(np.int32), "part": part_all[keep_v].astype(np.int8),
            "landmarks": vert_all[index].astype(np.float32), "landmarks_jaw": jaw_all[index].astype(np.float32),
            "landmark_motion": motion.astype(np.float32)}


def main(out: str | None = None) -> None:
    from pathlib import Path

    from fxcli.io.atomic import atomic_path

    arrays = build_arrays()
    target = Path(out) if out else MOUTH_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    target.chmod(0o644)
    print(f"{target}: {len(arrays['vertices'])} vertices, {len(arrays['triangles'])} triangles, "
          f"{int((arrays['landmark_motion'] < STABLE_CM).sum())} stable landmarks")
