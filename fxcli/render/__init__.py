"""Rendering heads: offscreen OpenGL (EGL) or a numpy software rasteriser, plus video/image writers.

    renderer = make_renderer(size=(512, 512), backend="auto")
    image = renderer.render(rig.vertices(weights), rig.mesh, Camera.framing(rig.mesh.frame_box, (512, 512)))
"""

from __future__ import annotations

from fxcli.render.camera import Camera
from fxcli.render.frames import make_renderer, render_frames, renderer_notice

__all__ = ["Camera", "make_renderer", "render_frames", "renderer_notice"]
