"""The embedded editor's parts: its own thin-plate spline, the asset cache, AU emphasis, the mouth's split,
the fold limit's monotony, and the cheap "face still shown" check."""

from __future__ import annotations

import numpy as np

from tests.conftest import PORTRAITS


def test_thin_plate_spline_interpolates_and_reproduces_affine_maps():
    from fxcli.edit.tps import ThinPlateSpline

    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 400, (60, 2))
    # an affine map is in the spline's null space: reproduced exactly everywhere, whatever the smoothing
    a, b = np.array([[1.5, -0.3], [0.2, 0.7]]), np.array([4.0, -9.0])
    spline = ThinPlateSpline(centres, centres @ a.T + b, smoothing=5.0)
    probe = rng.uniform(-50, 450, (200, 2))
    assert np.allclose(spline(probe), probe @ a.T + b, atol=1e-6)
    # without smoothing it passes through every centre
    values = rng.normal(size=(60, 2))
    exact = ThinPlateSpline(centres, values)
    assert np.allclose(exact(centres), values, atol=1e-6)
    # r^2 log r kernel by hand at one point (weights and polynomial as solved)
    x = np.array([[123.0, 77.0]])
    r = np.linalg.norm(centres - x, axis=1)
    by_hand = (r ** 2 * np.log(r)) @ exact.weights + exact._poly(x) @ exact.poly
    assert np.allclose(exact(x), by_hand)


def test_asset_cache_round_trips(tmp_path, monkeypatch):
    from fxcli.edit import assets
    from fxcli.rigs.ict_rig import IctRig

    monkeypatch.setenv("FXE_HOME", str(tmp_path))
    first = assets.load()
    files = list((tmp_path / "cache" / "edit").glob("*.npz"))
    assert len(files) == 1
    again = assets.load()  # from the cache
    built = assets.build(IctRig.load())
    assert set(first) == set(again) == set(built)
    for k in built:
        assert np.array_equal(again[k], built[k]), k
    files[0].write_bytes(b"not an npz")  # a damaged cache is rebuilt
    assert np.array_equal(assets.load()["deltas"], built["deltas"])


def test_emphasis_sets_named_channels_on_both_sides():
    from fxcli.edit.au_emphasis import EMPHASIS, emphasised
    from fxcli.tracks.channels import ARKIT52

    w = np.zeros(52)
    out = emphasised("angry", w)
    for channel, value in EMPHASIS["angry"].items():
        for side in ("Left", "Right"):
            name = channel + side if channel + side in ARKIT52 else channel
            assert out[ARKIT52.index(name)] == value
    assert np.array_equal(emphasised("no-such-entry", w + 0.25), w + 0.25)
    assert w.sum() == 0  # the library's array is not modified


def test_teeth_split_finds_the_dark_gap_between_rows_of_teeth():
    from fxcli.backends.edit_embedded import LOWER_INNER_LIP, SPLIT_DEFAULT, UPPER_INNER_LIP, teeth_split

    # a flat open mouth 100 px wide, 40 px tall: teeth (bright) above 60 % of the height, dark below
    src = np.zeros((468, 2))
    xs = np.linspace(50, 150, len(UPPER_INNER_LIP))
    src[list(UPPER_INNER_LIP)] = np.c_[xs, np.full_like(xs, 80.0)]
    src[list(LOWER_INNER_LIP)] = np.c_[xs, np.full_like(xs, 120.0)]
    src[[UPPER_INNER_LIP[0], UPPER_INNER_LIP[-1]]] = [[50, 100], [150, 100]]
    image = np.full((200, 200, 3), 40, np.uint8)
    image[80:104] = 230  # upper teeth: 60 % of the 40 px
    image[110:120] = 200  # lower teeth, with a dark gap between
    split = teeth_split(image, src)
    assert 0.6 <= split <= 0.75 and split != SPLIT_DEFAULT
    assert teeth_split(np.full((200, 200, 3), 40, np.uint8), src) == SPLIT_DEFAULT  # no gap: the default


def test_motion_limit_rises_with_alpha_and_never_goes_back():
    """Past the fold-free limit the applied motion stays at the limit instead of jumping back."""
    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.face import detect_faces, load_image

    editor = EmbeddedEditor()
    image = load_image(str(PORTRAITS / "interfaces-005.jpg"))  # a smile: its removal folds early
    face = detect_faces(image)[0]
    src = face.landmarks[:, :2].astype(np.float64)
    reach = []
    for alpha in (0.5, 1.0, 1.5, 2.0, 3.0):
        editor.edit(image, [("fear", alpha)], seed=0, face=face)
        reach.append(float(np.linalg.norm(editor.last_dst - src, axis=1).mean()))
    assert editor.last_note is not None  # the limit is reached
    # from one alpha to the next the landmarks never move less, to the bisection's resolution (1/32 of an alpha
    # up to 3: a few % of the motion)
    assert all(b >= a - 0.05 * max(reach) for a, b in zip(reach, reach[1:], strict=False)), reach
    assert reach[-1] > reach[0]


def test_face_still_shown_accepts_the_face_and_refuses_a_blank():
    from fxcli.edit.run_edit import face_still_shown
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS / "interfaces-001.jpg"))
    face = detect_faces(image)[0]
    assert face_still_shown(image, face)
    assert not face_still_shown(np.full_like(image, 128), face)


def test_alpha_zero_keeps_last_dst_at_the_landmarks():
    alpha = 0.0
    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.face import detect_faces, load_image

    editor = EmbeddedEditor()
    image = load_image(str(PORTRAITS / "interfaces-001.jpg"))
    face = detect_faces(image)[0]
    editor.edit(image, [("sad", alpha)], seed=0, face=face)
    assert np.array_equal(editor.last_dst, face.landmarks[:, :2].astype(np.float64))
