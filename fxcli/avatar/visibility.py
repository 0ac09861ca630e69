"""Which ICT triangles a front-facing avatar can show: the rest are never drawn (faster renders).

Made by rendering triangle ids (OpenGL `gl_PrimitiveID`) of the ICT head for every expression of the
library, with its head pose and with extra turns, for the mean head and for identities drawn at 1.5
sigma, at 384x384 px; a triangle seen in any picture is kept, then the kept set grows by one ring of
neighbours (so thin slivers at larger sizes still close). Regenerate with
`python3 -m fxcli.avatar.visibility` (writes fxcli/avatar/data/ict_visible.npz); a test checks that no
hole opens for a fresh random identity and expression.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

DATA = Path(__file__).with_name("data") / "ict_visible.npz"
TURNS = ((0.0, 0.0, 0.0), (0.0, 0.45, 0.0), (0.0, -0.45, 0.0), (0.35, 0.0, 0.0), (-0.35, 0.0, 0.0),
         (0.0, 0.0, 0.3), (0.0, 0.0, -0.3))

ID_VS = """
#version 330
uniform mat4 mvp;
in vec3 in_pos;
void main() { gl_Position = mvp * vec4(in_pos, 1.0); }
"""
ID_FS = """
#version 330
out vec4 frag;
void main() {
    int id = gl_PrimitiveID + 1;
    frag = vec4(float(id & 255), float((id >> 8) & 255), float((id >> 16) & 255), 255.0) / 255.0;
}
"""


@functools.lru_cache(maxsize=1)
def visible_triangle_mask(n_triangles: int) -> np.ndarray | None:
    """Boolean mask over IctRig.triangles, or None when the data file is absent or does not fit."""
    if not DATA.is_file():
        return None
    with np.load(DATA, allow_pickle=False) as z:
        mask = z["visible"].astype(bool)
    return mask if len(mask) == n_triangles else None


def compute_visible(rig, size: int = 384, identities: int = 4, sigma: float = 1.5) -> np.ndarray:
    from fxcli.avatar.builder import avatar_camera
    from fxcli.expressions.library import load_library
    from fxcli.render.gl_renderer import create_context
    from fxcli.rigs.mesh import posed

    ctx = create_context()
    prog = ctx.program(vertex_shader=ID_VS, fragment_shader=ID_FS)
    tri = np.ascontiguousarray(rig.triangles, np.int32)
    vbo = ctx.buffer(reserve=rig.n_vertices * 12, dynamic=True)
    vao = ctx.vertex_array(prog, [(vbo, "3f", "in_pos")], index_buffer=ctx.buffer(tri.tobytes()), index_element_size=4)
    fbo = ctx.simple_framebuffer((size, size), components=4)
    fbo.use()
    ctx.enable(ctx.DEPTH_TEST)
    cam = avatar_camera((size, size))
    prog["mvp"].write(np.ascontiguousarray((cam.projection @ cam.view).T, np.float32))
    seen = np.zeros(len(tri), bool)
    lib = load_library()
    rng = np.random.default_rng(0)
    bases = [rig.neutral] + [rig.base((rng.standard_normal(100) * sigma).astype(np.float32))
                             for _ in range(identities)]
    weights = np.concatenate([lib.weights, np.eye(52, dtype=np.float32)])
    heads = np.concatenate([lib.heads, np.zeros((52, 3))])
    for b, base in enumerate(bases):
        verts = rig.vertices_ict(rig.arkit52_to_ict(weights), base)
        for k, (v, head) in enumerate(zip(verts, heads, strict=True)):
            for turn in TURNS if (k + b) % 3 == 0 else TURNS[:1]:
                p = posed(v, rig.mesh.pivot, np.asarray(head) + np.asarray(turn))
                vbo.write(np.ascontiguousarray(p, np.float32))
                fbo.clear(0, 0, 0, 0, depth=1.0)
                vao.render()
                px = np.frombuffer(fbo.read(components=4), np.uint8).reshape(-1, 4).astype(np.int64)
                ids = px[:, 0] + (px[:, 1] << 8) + (px[:, 2] << 16)
                seen[np.unique(ids[ids > 0]) - 1] = True
    ctx.release()
    # one ring of neighbours
    vert_seen = np.zeros(rig.n_vertices, bool)
    vert_seen[tri[seen].ravel()] = True
    return seen | vert_seen[tri].any(1)


def main() -> None:
    from fxcli.rigs.ict_rig import IctRig

    rig = IctRig.load()
    mask = compute_visible(rig)
    DATA.parent.mkdir(exist_ok=True)
    np.savez_compressed(DATA, visible=mask)
    print(f"{int(mask.sum())} of {len(mask)} triangles visible -> {DATA}")


if __name__ == "__main__":
    main()
