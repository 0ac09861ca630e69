"""Which ICT head vertex each of FaceMesh's 468 landmarks sits on: derived once, shipped as a small file.

How the shipped file `fxcli/assets/ict_facemesh/facemesh_to_ict.npz` is made (`python3 -m
fxcli.edit.facemesh_correspondence`): the generic ICT head is rendered from the front at 512x512 with
the jaw slightly open (jawOpen 0.3, so the upper and lower inner lips are apart and each lip landmark
finds its own lip), FaceMesh is run on the render, every ICT face-part vertex is projected with the
same camera, and each landmark takes the vertex nearest in the image among those within 3 px, preferring
the one nearest the camera (the visible surface); failing that, the nearest face vertex. The file holds
the vertex index and the image distance at derivation (`residual_px`) for each landmark.

The inner lips' landmarks choose on their own lip only. On the render FaceMesh puts the lower inner lip inside
the opening, a few pixels above the lower lip's edge, where the nearest vertex may be the upper lip's: five of
the lower inner lip's nine landmarks (95, 88, 402, 318, 324) sat on the upper lip, so that an opened jaw left
them nearly still (402 moved 0.5 cm under jawOpen, its mirror image 178 2.9 cm) and an edit's open mouth came
out pointed, the lower lip dragging the upper lip's middle up into a notch where the two crossed. A vertex
belongs to the lower lip when ICT's full jawOpen lowers it by more than LOWER_LIP_DROP_CM (the lower lip's
inner edge drops 1.7-3.5 cm, the upper lip's 0.3-0.9 cm).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from fxcli.assets import asset_path

CORRESPONDENCE_FILE = asset_path("ict_facemesh", "facemesh_to_ict.npz")
RENDER_SIZE = 512
JAW_OPEN = 0.3
NEAR_PX = 3.0
LOWER_LIP_DROP_CM = 1.2


def project(vertices: np.ndarray, camera, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Image pixels (V, 2) and camera distance (V,) of world vertices under `camera` (y down in pixels)."""
    h = np.c_[vertices, np.ones(len(vertices))] @ (camera.projection @ camera.view).T  # (V, 4) clip
    ndc = h[:, :3] / h[:, 3:]
    return np.c_[(ndc[:, 0] + 1) / 2 * size, (1 - ndc[:, 1]) / 2 * size], h[:, 3]


def derive_correspondence() -> tuple[np.ndarray, np.ndarray]:
    """(vertex index (468,) int32, residual px (468,) float32) from a render of the ICT head."""
    from fxcli.edit.mouth_interior import LOWER_INNER_LIP, UPPER_INNER_LIP
    from fxcli.face import detect_faces
    from fxcli.render import Camera, make_renderer
    from fxcli.rigs.ict_rig import IctRig
    from fxcli.tracks.channels import ARKIT52

    rig = IctRig.load()
    camera = Camera.framing(rig.mesh.frame_box, (RENDER_SIZE, RENDER_SIZE))
    weights = np.zeros(len(ARKIT52), np.float32)
    weights[ARKIT52.index("jawOpen")] = JAW_OPEN
    vertices = rig.vertices(weights)
    image = make_renderer(size=(RENDER_SIZE, RENDER_SIZE), backend="auto").render(vertices, rig.mesh, camera)
    faces = detect_faces(image)
    if len(faces) != 1:
        raise RuntimeError(f"FaceMesh found {len(faces)} faces on the ICT render, expected 1")
    landmarks = faces[0].landmarks[:, :2]
    v0, v1 = rig.parts["face"]
    pixels, depth = project(vertices[v0:v1 + 1], camera, RENDER_SIZE)
    weights[ARKIT52.index("jawOpen")] = 1.0
    drop = (vertices - rig.vertices(weights))[v0:v1 + 1, 1] / (1.0 - JAW_OPEN)  # cm lowered by the full jawOpen
    lower = drop > LOWER_LIP_DROP_CM
    allowed = {k: lower for k in LOWER_INNER_LIP[1:-1]} | {k: ~lower for k in UPPER_INNER_LIP[1:-1]}
    index = np.zeros(len(landmarks), np.int32)
    residual = np.zeros(len(landmarks), np.float32)
    for k, point in enumerate(landmarks):
        dist = np.linalg.norm(pixels - point, axis=1)
        if k in allowed:
            dist = np.where(allowed[k], dist, np.inf)
        near = np.flatnonzero(dist < NEAR_PX)
        if len(near):
            # the visible surface: vertices within 0.3 cm of the nearest one in depth; then the nearest in 2D
            front = near[depth[near] < depth[near].min() + 0.3]
            best = front[np.argmin(dist[front])]
        else:
            best = int(np.argmin(dist))
        index[k], residual[k] = v0 + best, dist[best]
    return index, residual


@functools.lru_cache(maxsize=1)
def load_correspondence() -> np.ndarray:
    """ICT vertex index (468,) of each FaceMesh landmark."""
    with np.load(CORRESPONDENCE_FILE) as z:
        return z["vertex_index"].astype(np.int64)


def main(out: str | None = None) -> None:
    index, residual = derive_correspondence()
    target = Path(out) if out else CORRESPONDENCE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    from fxcli.io.atomic import atomic_path

    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, vertex_index=index, residual_px=residual)
    target.chmod(0o644)
    print(f"{target}: 468 landmarks, residual median {np.median(residual):.2f} px, max {residual.max():.2f} px")


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else None)
