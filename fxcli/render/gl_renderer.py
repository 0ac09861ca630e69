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
uniform mat4 projection;
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
    gl_Position = projection * p;
}
"""

# Only the wireframe style runs a geometry shader: it adds screen-space barycentrics per triangle. Geometry
# shaders are slow on Mesa's llvmpipe (about a third of the frame), so the shaded and toon styles skip it.
WIREFRAME_VERTEX_SHADER = """
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

WIREFRAME_GEOMETRY_SHADER = """
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
in vec3 v_pos;
in vec3 v_normal;
in vec3 v_color;
out vec4 frag;
""" + GLSL_SHADE + """
void main() {
    frag = vec4(shade(v_color, v_normal, v_pos, 1e6, style), 1.0);
}
"""

WIREFRAME_FRAGMENT_SHADER = """
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


class _UnlockedCalls:
    """glDrawElements and glReadPixels called through ctypes, which lets other threads run meanwhile.

    moderngl keeps Python's GIL for the whole of a draw call and a readback; on llvmpipe those are most
    of a frame (the draw call does vertex processing and triangle setup on the calling thread, the
    readback waits for the rasteriser threads), so posing the next frame and feeding the encoder would
    stall behind them. ctypes releases the GIL around foreign calls.
    """

    GL_TRIANGLES, GL_UNSIGNED_INT, GL_RGB, GL_UNSIGNED_BYTE, GL_PACK_ALIGNMENT = 0x4, 0x1405, 0x1907, 0x1401, 0xD05

    def __init__(self):
        import ctypes

        egl = ctypes.CDLL("libEGL.so.1")
        egl.eglGetProcAddress.restype = ctypes.c_void_p
        egl.eglGetProcAddress.argtypes = [ctypes.c_char_p]
        uint, int_, ptr = ctypes.c_uint, ctypes.c_int, ctypes.c_void_p

        def function(name: str, *argtypes):
            address = egl.eglGetProcAddress(name.encode())
            if not address:
                raise OSError(f"no {name}")
            return ctypes.CFUNCTYPE(None, *argtypes)(address)

        self.use_program = function("glUseProgram", uint)
        self.bind_vertex_array = function("glBindVertexArray", uint)
        self.draw_elements = function("glDrawElements", uint, int_, uint, ptr)
        self.pixel_store = function("glPixelStorei", uint, int_)
        self.read_pixels = function("glReadPixels", int_, int_, int_, int_, uint, uint, ptr)

    def draw_triangles(self, program, vao, n_indices: int) -> None:
        self.use_program(program.glo)
        self.bind_vertex_array(vao.glo)
        self.draw_elements(self.GL_TRIANGLES, n_indices, self.GL_UNSIGNED_INT, None)
        self.bind_vertex_array(0)

    def read_rgb(self, size: tuple[int, int], out: np.ndarray) -> None:
        self.pixel_store(self.GL_PACK_ALIGNMENT, 1)
        self.read_pixels(0, 0, size[0], size[1], self.GL_RGB, self.GL_UNSIGNED_BYTE, out.ctypes.data)


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
        self._programs: dict[bool, object] = {}  # wireframe? -> program (built on first use)
        self._vaos: dict[tuple[int, bool], object] = {}  # (id(mesh), wireframe?) -> vertex array
        self._ibos: dict[int, tuple[Mesh, object]] = {}  # id(mesh) -> (mesh, index buffer)
        self._colors_src: np.ndarray | None = None  # the colours the vertex buffers were made for
        self.fbo = self.ctx.simple_framebuffer(size, components=4)
        self.fbo.use()
        self.ctx.enable(self.ctx.DEPTH_TEST)
        self._pixels = np.empty((size[1], size[0], 3), np.uint8)  # readback target, reused every frame
        self.device_name = self.ctx.info.get("GL_RENDERER", "OpenGL")
        try:
            self._unlocked: _UnlockedCalls | None = _UnlockedCalls()
        except (OSError, AttributeError):  # no libEGL.so.1 by that name: moderngl's own calls still work
            self._unlocked = None

    def _program(self, wireframe: bool):
        if wireframe not in self._programs:
            if wireframe:
                program = self.ctx.program(vertex_shader=WIREFRAME_VERTEX_SHADER,
                                           geometry_shader=WIREFRAME_GEOMETRY_SHADER,
                                           fragment_shader=WIREFRAME_FRAGMENT_SHADER)
            else:
                program = self.ctx.program(vertex_shader=VERTEX_SHADER, fragment_shader=FRAGMENT_SHADER)
            self._programs[wireframe] = program
        return self._programs[wireframe]

    def _vao(self, mesh: Mesh, wireframe: bool):
        """The vertex array of `mesh`. Meshes that share a colour array (the same head with fewer triangles,
        as fxcli.render.visible_set makes them) share the vertex buffers and keep an index buffer each."""
        if self._colors_src is not mesh.colors:
            for vao in self._vaos.values():
                vao.release()
            for _, ibo in self._ibos.values():
                ibo.release()
            self._vaos.clear()
            self._ibos.clear()
            if self._colors_src is not None:
                for buffer in (self.vbo_pos, self.vbo_normal, self.vbo_color):
                    buffer.release()
            n = mesh.n_vertices
            self.vbo_pos = self.ctx.buffer(reserve=n * 12, dynamic=True)
            self.vbo_normal = self.ctx.buffer(reserve=n * 12, dynamic=True)
            self.vbo_color = self.ctx.buffer(np.ascontiguousarray(mesh.colors, np.float32).tobytes())
            self._colors_src = mesh.colors
        key = id(mesh)
        if key not in self._ibos or self._ibos[key][0] is not mesh:
            if key in self._ibos:  # an id reused by a new object
                self._ibos.pop(key)[1].release()
                for w in (False, True):
                    vao = self._vaos.pop((key, w), None)
                    if vao is not None:
                        vao.release()
            self._ibos[key] = (mesh, self.ctx.buffer(np.ascontiguousarray(mesh.triangles, np.int32).tobytes()))
        if (key, wireframe) not in self._vaos:
            self._vaos[(key, wireframe)] = self.ctx.vertex_array(
                self._program(wireframe), [(self.vbo_pos, "3f", "in_pos"), (self.vbo_normal, "3f", "in_normal"),
                                           (self.vbo_color, "3f", "in_color")],
                index_buffer=self._ibos[key][1], index_element_size=4)
        return self._vaos[(key, wireframe)]

    def render(self, vertices: np.ndarray, mesh: Mesh, camera: Camera, normals: np.ndarray | None = None,
               style: str | None = None) -> np.ndarray:
        # several renderers (contexts) may live in one process: make this one current for the frame
        with self.ctx:
            return self._render(vertices, mesh, camera, normals, style or self.style)

    def _render(self, vertices: np.ndarray, mesh: Mesh, camera: Camera, normals: np.ndarray | None,
                style: str) -> np.ndarray:
        wireframe = style == "wireframe"
        vao = self._vao(mesh, wireframe)
        program = self._program(wireframe)
        if normals is None:
            normals = mesh.vertex_normals(vertices)
        self.vbo_pos.write(np.ascontiguousarray(vertices, np.float32))
        self.vbo_normal.write(np.ascontiguousarray(normals, np.float32))
        program["view"].write(np.ascontiguousarray(camera.view.T, np.float32))
        program["projection"].write(np.ascontiguousarray(camera.projection.T, np.float32))
        program["style"].value = STYLES.index(style)
        self.fbo.use()  # bound for drawing and reading (the unlocked calls rely on it)
        self.fbo.clear(*self.bg, 1.0, depth=1.0)
        if self._unlocked is not None:
            self._unlocked.draw_triangles(program, vao, len(mesh.triangles) * 3)
            self._unlocked.read_rgb(self.size, self._pixels)
        else:
            vao.render()
            self.fbo.read_into(self._pixels, components=3, alignment=1)
        return self._pixels[::-1].copy()  # OpenGL rows start at the bottom

    def close(self) -> None:
        self.ctx.release()
