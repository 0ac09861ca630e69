"""Camera: a perspective view that frames a box automatically, from a named or numeric view angle."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fxcli.errors import UsageError

FOV_Y_DEG = 22.0  # a portrait lens: little perspective distortion, still a 3D look
MARGIN = 1.12  # the framed box fills ~90 % of the picture
NAMED_VIEWS: dict[str, tuple[float, float]] = {  # name -> (yaw, pitch) in degrees; yaw > 0 shows the face's left
    "front": (0.0, 0.0),
    "left": (90.0, 0.0),
    "right": (-90.0, 0.0),
    "three-quarter": (35.0, 0.0),
    "three-quarter-left": (35.0, 0.0),
    "three-quarter-right": (-35.0, 0.0),
    "above": (0.0, 30.0),
    "below": (0.0, -25.0),
}


def parse_view(view: str) -> tuple[float, float]:
    """A view name (front, left, right, three-quarter[-left|-right], above, below) or 'YAW[,PITCH]' degrees."""
    if view in NAMED_VIEWS:
        return NAMED_VIEWS[view]
    parts = view.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if not 1 <= len(numbers) <= 2 or not all(math.isfinite(x) for x in numbers):
        raise UsageError(f"unknown view {view!r}",
                         hint=f"use one of {', '.join(NAMED_VIEWS)} or YAW[,PITCH] in degrees, e.g. 20,10")
    return numbers[0], numbers[1] if len(numbers) == 2 else 0.0


@dataclass
class Camera:
    view: np.ndarray  # (4, 4) world -> camera (camera looks down -z)
    projection: np.ndarray  # (4, 4) OpenGL clip matrix

    @classmethod
    def framing(cls, box: np.ndarray, size: tuple[int, int], view: str = "front") -> "Camera":
        """A camera that looks at `box` (2 x 3 min/max) from `view` and fits its bounding sphere."""
        yaw, pitch = parse_view(view)
        width, height = size
        center = (box[0] + box[1]) / 2
        radius = float(np.linalg.norm(box[1] - box[0])) / 2
        # fit the box's front half-extents when seen from the front, the sphere otherwise
        half = (box[1] - box[0]) / 2
        extent_y = max(half[1], radius * abs(math.sin(math.radians(pitch)))) * MARGIN
        extent_x = max(half[0], radius * abs(math.sin(math.radians(yaw)))) * MARGIN
        tan_y = math.tan(math.radians(FOV_Y_DEG) / 2)
        tan_x = tan_y * width / height
        distance = max(extent_y / tan_y, extent_x / tan_x) + radius
        y, p = math.radians(yaw), math.radians(pitch)
        eye = center + distance * np.array([math.sin(y) * math.cos(p), math.sin(p), math.cos(y) * math.cos(p)])
        view_m = look_at(eye, center, np.array([0.0, 1.0, 0.0]))
        near, far = max(distance - 3 * radius, distance * 0.05), distance + 3 * radius
        return cls(view_m.astype(np.float32), perspective(FOV_Y_DEG, width / height, near, far).astype(np.float32))


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray) -> np.ndarray:
    f = target - eye
    f = f / np.linalg.norm(f)
    s = np.cross(f, up)
    if np.linalg.norm(s) < 1e-6:  # looking straight up or down
        s = np.cross(f, np.array([0.0, 0.0, -1.0]))
    s = s / np.linalg.norm(s)
    u = np.cross(s, f)
    m = np.eye(4)
    m[0, :3], m[1, :3], m[2, :3] = s, u, -f
    m[:3, 3] = -m[:3, :3] @ eye
    return m


def perspective(fov_y_deg: float, aspect: float, near: float, far: float) -> np.ndarray:
    f = 1.0 / math.tan(math.radians(fov_y_deg) / 2)
    m = np.zeros((4, 4))
    m[0, 0], m[1, 1] = f / aspect, f
    m[2, 2], m[2, 3] = (far + near) / (near - far), 2 * far * near / (near - far)
    m[3, 2] = -1.0
    return m
