"""The ICT rig and the two renderers (OpenGL through EGL and the numpy fallback), used from Python."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.render import Camera, make_renderer
from fxcli.rigs.ict_rig import IctRig, arkit_to_ict_name
from fxcli.tracks.channels import ARKIT52


@pytest.fixture(scope="module")
def rig():
    return IctRig.load()


def _egl_available() -> bool:
    try:
        make_renderer((32, 32), "egl")
        return True
    except Exception:  # noqa: BLE001
        return False


def test_arkit_names_map_to_ict_shapes(rig):
    assert len(rig.shape_names) == 53
    assert arkit_to_ict_name("eyeBlinkLeft") == ["eyeBlink_L"]
    assert arkit_to_ict_name("mouthSmileRight") == ["mouthSmile_R"]
    assert arkit_to_ict_name("browInnerUp") == ["browInnerUp_L", "browInnerUp_R"]
    assert arkit_to_ict_name("cheekPuff") == ["cheekPuff_L", "cheekPuff_R"]
    assert arkit_to_ict_name("jawLeft") == ["jawLeft"] and arkit_to_ict_name("mouthRight") == ["mouthRight"]
    assert arkit_to_ict_name("tongueOut") == []
    w = np.zeros(52, np.float32)
    w[ARKIT52.index("browInnerUp")] = 0.7
    w[ARKIT52.index("eyeWideLeft")] = 0.3
    ict = rig.arkit52_to_ict(w)
    names = rig.shape_names
    assert ict[names.index("browInnerUp_L")] == ict[names.index("browInnerUp_R")] == pytest.approx(0.7)
    assert ict[names.index("eyeWide_L")] == pytest.approx(0.3) and ict[names.index("eyeWide_R")] == 0
    # every ICT shape is driven by exactly one ARKit channel
    assert (rig.mapping.sum(0) == 1).all()


def test_vertices_are_neutral_plus_weighted_deltas(rig):
    import fxcli.registry as registry

    path = registry.resolve("ict-face-light").file("ict_face_light.npz")
    with np.load(path) as z:
        names = list(z["expression_names"])
        jaw = z["expression_deltas"][names.index("jawOpen")].astype(np.float64)
        ident0 = z["identity_deltas"][0].astype(np.float64)
        neutral = z["vertices"].astype(np.float64)
    w = np.zeros(52, np.float32)
    w[ARKIT52.index("jawOpen")] = 0.5
    identity = np.zeros(100, np.float32)
    identity[0] = 2.0
    got = rig.vertices(w, identity)
    np.testing.assert_allclose(got, neutral + 0.5 * jaw + 2.0 * ident0, atol=1e-4)
    # the jaw opens downward: the chin (lowest face landmark region) moves down
    assert (got - rig.vertices(np.zeros(52), identity))[:, 1].min() < -1.0


def test_overlay_parts_are_not_drawn(rig):
    drawn = np.zeros(rig.n_vertices, bool)
    drawn[np.unique(rig.triangles)] = True
    for part in ("lacrimal_left", "eye_blend_right", "eye_occlusion_left"):
        assert not (drawn & rig.part_mask(part)).any()
    for part in ("teeth", "gums_tongue", "eyeball_left", "eyeball_right", "mouth_socket"):
        assert (drawn & rig.part_mask(part)).sum() > 0.9 * rig.part_mask(part).sum()


def _mouth_box(rig, camera, size):
    pts = rig.neutral[rig_landmarks(rig)[48:68]]
    clip = np.c_[pts @ camera.view[:3, :3].T + camera.view[:3, 3], np.ones(len(pts))] @ camera.projection.T
    ndc = clip[:, :2] / clip[:, 3:4]
    x = (ndc[:, 0] + 1) * size / 2
    y = (1 - ndc[:, 1]) * size / 2
    return int(x.min()), int(x.max()) + 1, int(y.min()) - 2, int(y.max()) + size // 12


def rig_landmarks(rig):
    import fxcli.registry as registry

    with np.load(registry.resolve("ict-face-light").file("ict_face_light.npz")) as z:
        return z["landmarks68"]


@pytest.mark.parametrize("backend", ["software", "egl"])
def test_open_jaw_shows_dark_mouth_interior_and_teeth(rig, backend):
    if backend == "egl" and not _egl_available():
        pytest.skip("no EGL here")
    size = 256
    renderer = make_renderer((size, size), backend)
    camera = Camera.framing(rig.mesh.frame_box, (size, size), "front")
    w = np.zeros(52, np.float32)
    closed = renderer.render(rig.vertices(w), rig.mesh, camera)
    w[ARKIT52.index("jawOpen")] = 1.0
    opened = renderer.render(rig.vertices(w), rig.mesh, camera)
    x0, x1, y0, y1 = _mouth_box(rig, camera, size)
    lum = lambda im: im[y0:y1, x0:x1].astype(float).mean(2)  # noqa: E731
    # mouth interior / tongue: red-dominant and darker than skin
    interior = lambda im: ((im[y0:y1, x0:x1, 0].astype(int) - im[y0:y1, x0:x1, 1]) > 60).mean()  # noqa: E731
    assert interior(opened) > interior(closed) + 0.05
    assert lum(opened).mean() < lum(closed).mean() - 5
    top = size // 3  # forehead and eyes stay put
    assert (np.abs(opened[:top].astype(int) - closed[:top]).max(2) <= 8).mean() > 0.99


def test_software_renderer_gives_the_same_picture_as_opengl(rig):
    if not _egl_available():
        pytest.skip("no EGL here")
    w = np.zeros(52, np.float32)
    w[ARKIT52.index("jawOpen")] = 0.8
    w[ARKIT52.index("mouthSmileLeft")] = 0.6
    for style, view in (("shaded", "front"), ("toon", "three-quarter"), ("wireframe", "20,10")):
        camera = Camera.framing(rig.mesh.frame_box, (160, 128), view)
        a = make_renderer((160, 128), "egl", style=style).render(rig.vertices(w), rig.mesh, camera)
        b = make_renderer((160, 128), "software", style=style).render(rig.vertices(w), rig.mesh, camera)
        assert a.shape == b.shape == (128, 160, 3)
        diff = np.abs(a.astype(int) - b.astype(int)).max(2)
        assert (diff > 24).mean() < 0.01, (style, (diff > 24).mean())
        assert (a != 255).any(2).mean() > 0.2  # a head fills a good part of the picture


def test_framing_keeps_the_head_inside_the_picture(rig):
    renderer = make_renderer((96, 128), "software", bg=(0, 0, 0))
    for view in ("front", "left", "above"):
        img = renderer.render(rig.neutral, rig.mesh, Camera.framing(rig.mesh.frame_box, (96, 128), view))
        fg = img.any(2)
        assert fg.mean() > 0.15, view
        # the face box fits: nothing but background on the left and right borders
        assert not fg[:, 0].any() and not fg[:, -1].any(), view
