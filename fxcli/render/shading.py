"""The shading model shared by the OpenGL and the software renderer (so both give the same picture).

All vectors are in camera space. The GLSL in `gl_renderer.py` implements the same formulas; keep both
in step (a test compares the two pictures).
"""

from __future__ import annotations

import numpy as np

STYLES = ("shaded", "toon", "wireframe")
KEY_LIGHT = np.array([-0.45, 0.55, 0.70]) / np.linalg.norm([-0.45, 0.55, 0.70])
FILL_LIGHT = np.array([0.60, 0.10, 0.80]) / np.linalg.norm([0.60, 0.10, 0.80])
AMBIENT, KEY, FILL, SPECULAR, SHININESS = 0.28, 0.62, 0.22, 0.12, 24.0
EDGE_COLOR = np.array([0.12, 0.14, 0.20])
OUTLINE = 0.22  # toon: |n . v| below this draws the outline


def shade(albedo: np.ndarray, normal: np.ndarray, position: np.ndarray, edge_px: np.ndarray | None,
          style: str) -> np.ndarray:
    """Colours (N, 3) in [0, 1] for fragments: albedo, unnormalised normal, camera-space position."""
    n = normal / np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-12)
    v = -position / np.maximum(np.linalg.norm(position, axis=1, keepdims=True), 1e-12)
    ndv = np.sum(n * v, axis=1, keepdims=True)
    n = np.where(ndv < 0, -n, n)  # two-sided: inner surfaces (mouth, eyelids) light like outer ones
    ndv = np.abs(ndv)
    key = np.maximum(n @ KEY_LIGHT, 0)[:, None]
    fill = np.maximum(n @ FILL_LIGHT, 0)[:, None]
    if style == "toon":
        band = np.where(key > 0.55, 1.0, np.where(key > 0.12, 0.78, 0.55))
        color = albedo * (0.25 + 0.85 * band)
        return np.clip(np.where(ndv < OUTLINE, 0.08, color), 0, 1)
    h = KEY_LIGHT[None, :] + v
    h /= np.maximum(np.linalg.norm(h, axis=1, keepdims=True), 1e-12)
    spec = np.maximum(np.sum(n * h, axis=1, keepdims=True), 0) ** SHININESS
    color = albedo * (AMBIENT + KEY * key + FILL * fill) + SPECULAR * spec
    if style == "wireframe":
        base = 0.35 * color + 0.65
        line = 1.0 - np.clip(2.0 * edge_px[:, None], 0, 1)  # ~1 px lines, anti-aliased
        color = base * (1 - line) + EDGE_COLOR * line
    return np.clip(color, 0, 1)


def to_uint8(color: np.ndarray) -> np.ndarray:
    return np.floor(np.clip(color, 0, 1) * 255 + 0.5).astype(np.uint8)


GLSL_SHADE = """
const vec3 KEY_LIGHT = normalize(vec3(-0.45, 0.55, 0.70));
const vec3 FILL_LIGHT = normalize(vec3(0.60, 0.10, 0.80));
const vec3 EDGE_COLOR = vec3(0.12, 0.14, 0.20);
vec3 shade(vec3 albedo, vec3 normal, vec3 position, float edge_px, int style) {
    vec3 n = normalize(normal);
    vec3 v = normalize(-position);
    float ndv = dot(n, v);
    if (ndv < 0.0) { n = -n; }
    ndv = abs(ndv);
    float key = max(dot(n, KEY_LIGHT), 0.0);
    float fill = max(dot(n, FILL_LIGHT), 0.0);
    if (style == 1) {
        float band = key > 0.55 ? 1.0 : (key > 0.12 ? 0.78 : 0.55);
        vec3 c = albedo * (0.25 + 0.85 * band);
        return clamp(ndv < 0.22 ? vec3(0.08) : c, 0.0, 1.0);
    }
    vec3 h = normalize(KEY_LIGHT + v);
    float spec = pow(max(dot(n, h), 0.0), 24.0);
    vec3 c = albedo * (0.28 + 0.62 * key + 0.22 * fill) + 0.12 * spec;
    if (style == 2) {
        vec3 base = 0.35 * c + 0.65;
        float line = 1.0 - clamp(2.0 * edge_px, 0.0, 1.0);
        c = base * (1.0 - line) + EDGE_COLOR * line;
    }
    return clamp(c, 0.0, 1.0);
}
"""
