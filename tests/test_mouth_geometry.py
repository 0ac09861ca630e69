"""The ICT mouth interior posed onto landmarks (fxcli/edit/mouth_geometry.py) and drawn into an edited mouth
(fxcli/edit/mouth_interior.py), checked against known poses: landmarks made by projecting the ICT head's own
landmark vertices with a chosen scale, rotation and shift."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.edit import mouth_geometry as mg
from fxcli.edit import mouth_interior as mi

SCALE, SHIFT = 9.0, np.array([100.0, 95.0])


def rotation(yaw: float, pitch: float, roll: float) -> np.ndarray:
    cy, sy, cp, sp, cr, sr = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch), np.cos(roll), np.sin(roll)
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    return rz @ rx @ ry


def landmarks(jaw: float, rot: np.ndarray | None = None) -> np.ndarray:
    """(468, 2) image landmarks of the ICT head with jawOpen at `jaw`, seen through a known camera."""
    model = mg.load_mouth()
    rot = np.eye(3) if rot is None else rot
    return SCALE * ((model.landmarks + jaw * model.landmarks_jaw) @ rot.T)[:, :2] + SHIFT


def test_the_camera_and_the_jaw_are_recovered_from_projected_landmarks():
    rot = rotation(0.35, -0.15, 0.1)
    model = mg.load_mouth()
    rest = landmarks(0.0, rot)
    scale, fitted, shift = mg.fit_camera(model.landmarks[model.stable], rest[model.stable])
    assert scale == pytest.approx(SCALE, rel=1e-9)
    assert np.allclose(fitted, rot, atol=1e-9)
    assert np.allclose(shift, SHIFT, atol=1e-7)
    # with the jaw open the stable landmarks barely move (< STABLE_CM), and the jaw's weight is found again
    dst = landmarks(0.6, rot)
    scale, fitted, shift = mg.fit_camera(model.landmarks[model.stable], dst[model.stable])
    assert scale == pytest.approx(SCALE, rel=0.002) and np.allclose(fitted, rot, atol=0.005)
    assert mg.jaw_weight(model, scale, fitted, dst) == pytest.approx(0.6, abs=0.02)
    assert mg.posable(dst)
    # only the upper face poses the skull: the jaw's landmarks are not among the stable ones
    assert not set(model.stable) & set(mi.LOWER_INNER_LIP)


def test_the_rendered_teeth_lie_within_the_teeth_projected_by_the_known_pose(monkeypatch):
    monkeypatch.setattr(mg, "RENDER_PIXELS", 10 ** 6)  # every pixel rasterised (no coarse grid)
    rot = rotation(0.2, 0.0, 0.0)
    dst = landmarks(0.8, rot)
    model = mg.load_mouth()
    albedo = np.diag([100.0, 150.0, 200.0])  # one channel per part
    box = (40, 40, 160, 160)
    rgb, covered, part = mg.render_interior(dst, box, albedo)
    teeth = part == mg.TEETH
    assert teeth.sum() > 50 and covered.sum() > teeth.sum()
    scale, fitted, _, jaw = mg.pose(dst)
    assert jaw == pytest.approx(0.8, abs=0.02) and np.allclose(fitted, rot, atol=0.005)
    verts, _ = model.posed(0.8)
    xy = SCALE * (verts[model.part == mg.TEETH] @ rot.T)[:, :2] + SHIFT - box[:2]
    ys, xs = np.nonzero(teeth)
    # pixel centres inside the teeth's projected box, up to the fitted pose's error (< 0.5 px here)
    assert xs.min() + 0.5 >= xy[:, 0].min() - 0.5 and xs.max() + 0.5 <= xy[:, 0].max() + 0.5
    assert ys.min() + 0.5 >= xy[:, 1].min() - 0.5 and ys.max() + 0.5 <= xy[:, 1].max() + 0.5
    # the colour of a teeth pixel is the teeth's albedo, shaded (never brighter, no other part's channel)
    assert np.all(rgb[teeth][:, :2] == 0) and rgb[teeth][:, 2].max() <= 200.0 + 1e-6


def test_the_lower_teeth_drop_with_the_jaw_by_its_motion_and_the_upper_ones_stay(monkeypatch):
    monkeypatch.setattr(mg, "RENDER_PIXELS", 10 ** 6)
    model = mg.load_mouth()
    box = (40, 40, 160, 180)
    albedo = np.diag([100.0, 150.0, 200.0])
    bottoms, tops = [], []
    for jaw in (0.2, 1.0):
        _, _, part = mg.render_interior(landmarks(jaw), box, albedo)
        rows = np.nonzero((part == mg.TEETH).any(1))[0]
        bottoms.append(rows.max())
        tops.append(rows.min())
    # the lowest tooth vertex goes down by its jawOpen motion, 0.8 of it, at SCALE px per cm
    lowest = np.argmax(model.vertices[:, 1] + np.where(model.part == mg.TEETH, 0.0, -1e9))
    drop = SCALE * 0.8 * model.jaw[lowest, 1]
    assert drop > 10
    assert bottoms[1] - bottoms[0] == pytest.approx(drop, abs=2.0)
    assert tops[1] == tops[0]  # the upper teeth are the skull's


def test_the_fill_writes_only_inside_the_edited_inner_lips_and_its_mean_is_pinned():
    rng = np.random.default_rng(5)
    src, dst = landmarks(0.0), landmarks(0.9)
    source = np.clip(np.full((200, 200, 3), (205, 160, 140), np.float64) + rng.normal(0, 4, (200, 200, 3)), 0, 255)
    source = source.astype(np.uint8)
    lips = mi.poly_mask(source.shape, src[list(mi.OUTER_LIPS)]) > 0
    source[lips] = (170, 90, 95)
    out = mi.fill_mouth(source.copy(), source, src, dst)
    changed = np.abs(out.astype(int) - source).max(2) > 0
    import cv2

    inner = mi.poly_mask(source.shape, mi.inner_polygon(mi.convex_lower_lip(dst)))
    allowed = cv2.dilate(inner, np.ones((5, 5), np.uint8)) > 0  # the anti-aliased, softened edge: 2 px
    assert changed.sum() > 200
    assert not (changed & ~allowed).any()
    # the rendered interior, not the painting: the same fill with the painting differs
    try:
        mi.INTERIOR = "painted"
        painted = mi.fill_mouth(source.copy(), source, src, dst)
    finally:
        mi.INTERIOR = "geometry"
    assert np.abs(painted.astype(int) - out).max() > 40
    inside = inner > 0
    assert out[inside].mean(0) == pytest.approx(GOLDEN_MEAN, abs=0.5)


# pinned after looking at the picture: a dark red cavity, the tongue lit at its bottom, under a thin row of teeth
GOLDEN_MEAN = (54.541, 25.247, 26.602)


def test_the_shipped_interior_is_the_ict_heads_own():
    shipped = np.load(mg.MOUTH_FILE)
    built = mg.build_arrays()
    assert set(shipped.files) == set(built)
    for key, value in built.items():
        assert np.array_equal(shipped[key], value), key
    model = mg.load_mouth()
    # upper teeth fixed to the skull, lower teeth moving with jawOpen
    teeth = model.part == mg.TEETH
    moving = np.linalg.norm(model.jaw, axis=1) > 1e-3
    assert (teeth & moving).sum() > 1000 and (teeth & ~moving).sum() > 1000
