"""Choosing a renderer and turning a track into a stream of RGB frames."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from fxcli.errors import DeviceError, UsageError
from fxcli.render.camera import Camera
from fxcli.render.shading import STYLES

BACKENDS = ("auto", "egl", "software")
_last_notice: list[str] = []


def renderer_notice() -> str | None:
    """Why `make_renderer(backend='auto')` last fell back to the software renderer (None if it did not)."""
    return _last_notice[-1] if _last_notice else None


def make_renderer(size: tuple[int, int] = (512, 512), backend: str = "auto",
                  bg: tuple[float, float, float] = (1.0, 1.0, 1.0), style: str = "shaded"):
    """An offscreen renderer with `.render(vertices, mesh, camera) -> H x W x 3 uint8`.

    backend: "egl" (OpenGL through EGL; DeviceError if unavailable), "software" (numpy), or "auto"
    (EGL, else software; the reason is kept for `renderer_notice()`).
    """
    if backend not in BACKENDS:
        raise UsageError(f"unknown renderer {backend!r}", hint=f"use one of {', '.join(BACKENDS)}")
    if style not in STYLES:
        raise UsageError(f"unknown style {style!r}", hint=f"use one of {', '.join(STYLES)}")
    width, height = size
    if width < 16 or height < 16 or width > 8192 or height > 8192:
        raise UsageError(f"size {width}x{height} is out of range", hint="use 16 to 8192 pixels per side")
    _last_notice.clear()
    if backend in ("auto", "egl"):
        from fxcli.render.gl_renderer import GlRenderer

        try:
            return GlRenderer((width, height), bg, style)
        except DeviceError as exc:
            if backend == "egl":
                raise
            _last_notice.append(f"{exc.message}; using the software renderer (same picture, slower)")
    from fxcli.render.software_renderer import SoftwareRenderer

    return SoftwareRenderer((width, height), bg, style)


def render_frames(rig, track, renderer, *, view: str = "front", identity: np.ndarray | None = None,
                  frames: list[int] | None = None, batch: int = 16, ahead: int = 3) -> Iterator[np.ndarray]:
    """Yield one RGB uint8 picture per track frame (or per index in `frames`), posed by `rig`.

    `rig` is an IctRig or FlameRig: `rig.sequence(track, ...)` yields posed vertices (the track's head pose
    included) per frame. Vertices and normals for the next `ahead` frames are computed on a background
    thread while the renderer draws (0: all on the calling thread). With the OpenGL renderer the ICT head's
    frames inside fxcli.render.visible_set.RANGE draw only the triangles that can own a pixel (same picture).
    """
    camera = Camera.framing(rig.mesh.frame_box, renderer.size, view)
    mesh, extend = rig.mesh, (lambda v: v)
    if hasattr(rig, "identity_weights") and hasattr(rig, "all_triangles"):  # the ICT head: add its brows
        from fxcli.rigs.ict_extras import browed

        mesh, extend = browed(rig).mesh, browed(rig).extend
    draw = [mesh] * (track.n_frames if frames is None else len(frames))
    shade = draw
    if getattr(renderer, "backend", None) == "egl":  # llvmpipe pays per triangle: leave out the never-seen ones
        from fxcli.render.visible_set import frame_meshes, normals_mesh

        draw = frame_meshes(rig, mesh, track, camera, renderer.size, identity=identity, frames=frames)
        shade = [normals_mesh(m) for m in draw]
    posed = ((v, around.vertex_normals(v))
             for v, around in zip((extend(vertices) for _, vertices in rig.sequence(track, identity=identity,
                                                                                    frames=frames, batch=batch)),
                                  shade, strict=False))
    if ahead > 0 and (frames is None or len(frames) > 1):
        from fxcli.render.pipeline import run_ahead

        posed = run_ahead(posed, depth=ahead, name="fxe-pose")
    for (vertices, normals), drawn in zip(posed, draw, strict=False):
        yield renderer.render(vertices, drawn, camera, normals=normals)
