"""OpenGL renderer through moderngl and a headless EGL context (NVIDIA on GPUs, Mesa llvmpipe on CPUs)."""

from __future__ import annotations

import numpy as np

from fxcli.errors import DeviceError
from fxcli.render.camera import Camera
from fxcli.render.shading import GLSL_SHADE, STYLES
from fxcli.rigs.mesh import Mesh

VERTEX_SHADER = """
#version 330
uniform mat4 view;
in vec3 in_pos;
in vec3 in_normal;
in vec3 in_color;
out vec3 v_pos;
out vec3 v_normal;
out vec3 v_color;
void main() {
    vec4 p = view * vec4(in_pos, 1.0);
    v_pos = p.xyz;
    v_normal = mat3(view) * in_normal;
    v_color = in_color;
    gl_Position = p;
}
"""

# The geometry shader projects and adds screen-space barycentrics, which the wireframe style needs.
GEOMETRY_SHADER = """
#version 330
layout(triangles) in;
layout(triangle_strip, max_vertices = 3) out;
uniform mat4 projection;
in vec3 v_pos[];
in vec3 v_normal[];
in vec3 v_color[];
out vec3 g_pos;
out vec3 g_normal;
out vec3 g_color;
noperspective out vec3 g_bary;
void main() {
    for (int i = 0; i < 3; i++) {
        g_pos = v_pos[i];
        g_normal = v_normal[i];
        g_color = v_color[i];
        g_bary = vec3(i == 0, i == 1, i == 2);
        gl_Position = projection * vec4(v_pos[i], 1.0);
        EmitVertex();
    }
    EndPrimitive();
}
"""

FRAGMENT_SHADER = """
#version 330
uniform int style;
in vec3 g_pos;
in vec3 g_normal;
in vec3 g_color;
noperspective in vec3 g_bary;
out vec4 frag;
""" + GLSL_SHADE + """
void main() {
    vec3 grad = sqrt(dFdx(g_bary) * dFdx(g_bary) + dFdy(g_bary) * dFdy(g_bary));
    vec3 d = g_bary / max(grad, vec3(1e-6));
    float edge_px = min(d.x, min(d.y, d.z));
    frag = vec4(shade(g_color, g_normal, g_pos, edge_px, style), 1.0);
}
"""


def create_context():
    """A headless OpenGL 3.3+ context through EGL; DeviceError when none can be made."""
    try:
        import moderngl
    except ImportError as exc:
        raise DeviceError(f"moderngl is not installed ({exc})") from exc
    try:
        return moderngl.create_standalone_context(backend="egl", require=330)
    except Exception as exc:  # noqa: BLE001 - moderngl/glcontext raise plain Exceptions for missing EGL
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DeviceError(f"no OpenGL through EGL ({first})",
                          hint="install Mesa's EGL (Debian: libegl1 libgl1-mesa-dri libegl-mesa0) "
                               "or use --renderer software") from exc


class GlRenderer:
    """Renders meshes offscreen; `render(vertices, mesh, camera)` returns an H x W x 3 uint8 picture."""

    backend = "egl"

    def __init__(self, size: tuple[int, int], bg: tuple[float, float, float], style: str):
        self.size, self.bg, self.style = size, bg, style
        self.ctx = create_context()
        self.program = self.ctx.program(vertex_shader=VERTEX_SHADER, geometry_shader=GEOMETRY_SHADER,
                                        fragment_shader=FRAGMENT_SHADER)
        self.fbo = self.ctx.simple_framebuffer(size, components=4)
        self.fbo.use()
        self.ctx.enable(self.ctx.DEPTH_TEST)
        self._mesh_id = None
        self.device_name = self.ctx.info.get("GL_RENDERER", "OpenGL")

    def _bind(self, mesh: Mesh) -> None:
        if self._mesh_id == id(mesh):
            return
        n = mesh.n_vertices
        self.vbo_pos = self.ctx.buffer(reserve=n * 12, dynamic=True)
        self.vbo_normal = self.ctx.buffer(reserve=n * 12, dynamic=True)
        self.vbo_color = self.ctx.buffer(np.ascontiguousarray(mesh.colors, np.float32).tobytes())
        self.ibo = self.ctx.buffer(np.ascontiguousarray(mesh.triangles, np.int32).tobytes())
        self.vao = self.ctx.vertex_array(self.program, [(self.vbo_pos, "3f", "in_pos"),
                                                        (self.vbo_normal, "3f", "in_normal"),
                                                        (self.vbo_color, "3f", "in_color")],
                                         index_buffer=self.ibo, index_element_size=4)
        self._mesh_id = id(mesh)

    def render(self, vertices: np.ndarray, mesh: Mesh, camera: Camera, normals: np.ndarray | None = None,
               style: str | None = None) -> np.ndarray:
        style = style or self.style
        self._bind(mesh)
        if normals is None:
            normals = mesh.vertex_normals(vertices)
        self.vbo_pos.write(np.ascontiguousarray(vertices, np.float32).tobytes())
        self.vbo_normal.write(np.ascontiguousarray(normals, np.float32).tobytes())
        self.program["view"].write(np.ascontiguousarray(camera.view.T, np.float32).tobytes())
        self.program["projection"].write(np.ascontiguousarray(camera.projection.T, np.float32).tobytes())
        self.program["style"].value = STYLES.index(style)
        self.fbo.clear(*self.bg, 1.0, depth=1.0)
        self.vao.render()
        w, h = self.size
        data = np.frombuffer(self.fbo.read(components=3, alignment=1), np.uint8).reshape(h, w, 3)
        return data[::-1].copy()  # OpenGL rows start at the bottom

    def close(self) -> None:
        self.ctx.release()
